"""What scaffold writes: only inside the destination, and every file it overwrites by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.cli import main
from tests.conftest import assert_refused, tree_snapshot


def _template(root: Path, answers_file: str) -> Path:
    root.mkdir(parents=True)
    (root / "copier.yml").write_text(f"_answers_file: {answers_file!r}\nname:\n  default: x\n")
    (root / "a.txt").write_text("a\n")
    return root


@pytest.mark.parametrize(
    "answers_file",
    ["../../victim.yml", "../victim.yml", "{{ '..' }}/victim.yml", "sub/../../victim.yml"],
)
def test_an_answers_file_outside_the_project_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answers_file: str,
) -> None:
    template = _template(tmp_path / "template", answers_file)
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    for victim in (work / "victim.yml", work / "out" / "victim.yml"):
        victim.write_text("a: 1\n")  # an answers file scaffold would append to
    monkeypatch.chdir(work)
    argv = ["new", "--template", str(template), "proj", "--dest", "out/proj"]
    assert_refused(argv, "outside the project; scaffold writes only inside", work, capsys)


def test_an_absolute_answers_file_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    template = _template(tmp_path / "template", str(tmp_path / "victim.yml"))
    monkeypatch.chdir(tmp_path)
    argv = ["new", "--template", str(template), "proj"]
    assert_refused(argv, f"sets _answers_file to '{tmp_path / 'victim.yml'}'", tmp_path, capsys)


def test_a_symlinked_folder_leading_out_of_the_destination_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "proj").symlink_to(outside)  # the package folder the template writes into
    monkeypatch.chdir(tmp_path)
    before = tree_snapshot(outside)
    assert main(["new", "package", "proj", "--force", "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{dest / 'proj'} leads outside the destination (to {outside})" in err
    assert tree_snapshot(outside) == before


def test_force_names_every_file_it_overwrites_and_dry_run_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "foo" / "foo").mkdir(parents=True)
    (tmp_path / "foo" / "README.md").write_text("mine\n")
    (tmp_path / "foo" / "foo" / "__init__.py").write_text("# mine\n")
    listing = "existing files:\n  README.md\n  foo/__init__.py\n"
    assert main(["new", "package", "foo", "--force", "--dry-run"]) == 0
    assert f"Would overwrite 2 {listing}" in capsys.readouterr().out
    assert main(["new", "package", "foo", "--force"]) == 0
    assert f"Overwrote 2 {listing}" in capsys.readouterr().out


def test_add_force_marks_what_it_overwrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "package", "foo", "--quiet"]) == 0
    (tmp_path / "foo" / "foo" / "util.py").write_text("# mine\n")
    argv = ["add", "module", "util", "--to", "foo/foo", "--force"]
    assert main([*argv, "--dry-run"]) == 0
    assert "  foo/util.py (would overwrite)\n  tests/test_util.py\n" in capsys.readouterr().out
    assert main(argv) == 0
    assert "  overwrote foo/util.py\n  new tests/test_util.py\n" in capsys.readouterr().out
