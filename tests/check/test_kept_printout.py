"""A warm `scaffold check` prints the printout kept for the same inputs byte for byte: what a
run without any cache prints (stdout, stderr, exit code), for every format and the options
that change what is printed, and prints afresh when anything it shows changed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scaffold.check import analysis
from scaffold.check.command import CheckCommand, run_check_command
from scaffold.check.incremental.store import FactsCache
from scaffold.check.output import FORMATS

from .check_support import FIXTURES, write_tree

SHOP = FIXTURES / "ARC001" / "bad"  # a contract broken by chains, and import cycles
# Beside the shop: a non-ASCII line before an import (code-point columns), a file above
# max-file-size (a note on stderr), an export of nothing, an import cycle.
EXTRA = {
    "shop/accents.py": 'x = "€"; import shop.helpers\n__all__ = ["missing"]\n',
    "shop/huge.py": "# " + "x" * 3000 + "\n",
    "shop/cycle_a.py": 'x = "€"; import shop.cycle_b\n',
    "shop/cycle_b.py": "import shop.cycle_a\n",
}
CONFIG = "\n[tool.scaffold.check]\nmax-file-size = 2000\n"
# Each row: the command's options besides the path (and the format, crossed with all).
OPTIONS: list[dict[str, object]] = [
    {},
    {"statistics": True},
    {"quiet": True},
    {"exit_zero": True},
    {"fail_on": "error"},
    {"color": "always"},
    {"select": "IMP"},
    {"show_fixes": True},
    {"silent": True},
]

Run = tuple[str, str, int]


@pytest.fixture(autouse=True)
def _later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as if five seconds had passed since the tree was written: a file changed within
    two seconds may change again unseen by its stat, and is never trusted by it."""
    now = time.time_ns() + 5_000_000_000
    monkeypatch.setattr(time, "time_ns", lambda: now)


def _shop(root: Path) -> Path:
    for file in SHOP.rglob("*"):
        if file.is_file() and file.name != "expected.txt":
            target = root / file.relative_to(SHOP)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
    write_tree(root, EXTRA)
    with open(root / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write(CONFIG)
    return root


def _run(capsys: pytest.CaptureFixture[str], path: Path | str, **options: object) -> Run:
    code = run_check_command(CheckCommand(paths=(str(path),), **options))  # type: ignore[arg-type]
    out, err = capsys.readouterr()
    return out, err, code


def _never_decoded(*args: object) -> None:
    raise AssertionError("a stored finding was decoded: the kept printout was not used")


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
@pytest.mark.parametrize("output_format", list(FORMATS))
def test_a_kept_printout_is_what_a_run_without_the_cache_prints(
    output_format: str,
    options: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    asked = {"output_format": output_format, **options}
    fresh = _run(capsys, "p", use_cache=False, **asked)
    assert fresh[2] == (0 if options.get("exit_zero") else 1)
    for _ in range(2):  # checked (rules run), then warm (the stored report, kept printout)
        assert _run(capsys, "p", **asked) == fresh
    with monkeypatch.context() as patch:
        patch.setattr(FactsCache, "report", _never_decoded)
        assert _run(capsys, "p", **asked) == fresh


def test_formats_and_options_are_kept_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    rows = [{"output_format": f} for f in ("text", "json", "full")] + OPTIONS[1:5]
    fresh = [_run(capsys, "p", use_cache=False, **row) for row in rows]
    for _ in range(3):
        assert [_run(capsys, "p", **row) for row in rows] == fresh


def test_a_kept_printout_is_of_the_folder_it_was_asked_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same command from another folder shows other paths."""
    project = _shop(tmp_path / "p")
    printed = []
    for folder in (tmp_path, project / "shop", tmp_path, project / "shop"):
        monkeypatch.chdir(folder)
        fresh = _run(capsys, project, use_cache=False)
        for _ in range(2):
            assert _run(capsys, project) == fresh
        printed.append(fresh)
    assert printed[0] != printed[1]


def _rules_never_run(*args: object) -> None:
    raise AssertionError("the rules ran: the edit changed the facts")


@pytest.mark.parametrize(
    "after",
    [
        # The same facts (an import at the same byte column), another code-point column.
        'x = "éa"; import shop.cycle_b\n',
        # The same facts, another source line shown by `full`.
        'x = "€"; import shop.cycle_b  # why\n',
    ],
)
@pytest.mark.parametrize("output_format", ["text", "full", "json"])
def test_an_edit_the_findings_do_not_see_prints_afresh(
    output_format: str,
    after: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    for _ in range(3):
        before = _run(capsys, "p", output_format=output_format)
    (project / "shop" / "cycle_a.py").write_text(after, encoding="utf-8")
    fresh = _run(capsys, "p", use_cache=False, output_format=output_format)
    changed = output_format == "full" or "é" in after  # text shows no line, json no line
    assert (fresh != before) is changed
    with monkeypatch.context() as patch:
        patch.setattr(analysis, "analyse", _rules_never_run)
        for _ in range(3):
            assert _run(capsys, "p", output_format=output_format) == fresh


def test_a_changed_baseline_prints_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "baseline.json"
    _run(capsys, "p", baseline=str(baseline), select="IMP")  # writes every IMP finding
    for _ in range(2):
        assert _run(capsys, "p", baseline=str(baseline)) == _run(
            capsys, "p", baseline=str(baseline), use_cache=False
        )
    _run(capsys, "p", baseline=str(baseline), update_baseline=True)  # now every finding
    fresh = _run(capsys, "p", baseline=str(baseline), use_cache=False)
    assert fresh[2] == 0 and "not shown" in fresh[1]
    assert _run(capsys, "p", baseline=str(baseline)) == fresh
    assert project.is_dir()


def test_a_kept_printout_goes_to_the_output_file_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    fresh = _run(capsys, "p", use_cache=False, output_format="sarif")
    written = tmp_path / "out.sarif"
    for _ in range(3):
        written.unlink(missing_ok=True)
        out, err, code = _run(capsys, "p", output_format="sarif", output_file=str(written))
        assert (out, err, code) == ("", fresh[1], fresh[2])
        assert written.read_text(encoding="utf-8") == fresh[0]


def test_colour_forced_by_the_environment_is_part_of_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    plain = _run(capsys, "p", use_cache=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = _run(capsys, "p", use_cache=False)
    assert plain != coloured
    for _ in range(2):
        assert _run(capsys, "p") == coloured
    monkeypatch.delenv("FORCE_COLOR")
    assert _run(capsys, "p") == plain


def test_a_damaged_kept_printout_is_printed_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    fresh = _run(capsys, "p", use_cache=False)
    for _ in range(2):
        _run(capsys, "p")
    (kept,) = (tmp_path / "p" / ".scaffold_cache").glob("*.output")
    data = kept.read_bytes()
    for damaged in (data[:-10], data[:40] + b"x" + data[41:], b""):
        kept.write_bytes(damaged)
        assert _run(capsys, "p") == fresh
        assert _run(capsys, "p") == fresh


def test_runs_that_write_files_or_print_timings_keep_no_printout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "p" / ".scaffold_cache"
    for options in ({"verbose": True}, {"diff": True}, {"verbose": True}):
        _run(capsys, "p", **options)
        assert not list(cache.glob("*.output"))
    _run(capsys, "p")
    assert len(list(cache.glob("*.output"))) == 1
    assert "verbose: cache:" in _run(capsys, "p", verbose=True)[1]  # not the kept one


def test_the_run_after_an_edit_keeps_its_printout_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _shop(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    _run(capsys, "p", output_format="full")
    (project / "shop" / "cycle_b.py").write_text("import shop.cycle_a\nimport shop.api\n")
    fresh = _run(capsys, "p", use_cache=False, output_format="full")
    assert _run(capsys, "p", output_format="full") == fresh  # the rules ran
    with monkeypatch.context() as patch:
        patch.setattr(FactsCache, "report", _never_decoded)
        assert _run(capsys, "p", output_format="full") == fresh


def test_an_edit_to_the_content_of_another_file_prints_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The new content's facts are cached already (another file holds it) and equal the
    # old content's, so the report key is unchanged and only the files' content hashes in
    # the printout's key tell that a code-point column moved. The edit tests above leave
    # the edited file unknown until it is parsed, and pass with those hashes left out.
    project = write_tree(
        tmp_path / "p",
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n',
            "p/__init__.py": "",
            "p/a.py": 'x = "€"; import p.nothing\n',
            "p/b.py": 'x = "éa"; import p.nothing\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        before = _run(capsys, "p")
    (project / "p" / "a.py").write_bytes((project / "p" / "b.py").read_bytes())
    fresh = _run(capsys, "p", use_cache=False)
    assert fresh != before
    for _ in range(2):
        assert _run(capsys, "p") == fresh
