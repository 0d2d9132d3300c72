"""`scaffold graph --no-cache` and `--cache-dir DIR` mean what they mean for `scaffold check`:
no cache read or written, or the cache (and the kept drawing) in DIR, shared with check."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.check.incremental.location import CACHE_DIR, CACHE_DIR_ENV
from scaffold.check.incremental.rendered import Rendered
from scaffold.cli import main

from .check_support import FIXTURES

SHOP = FIXTURES / "ARC001" / "bad"


def _shop(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    for file in SHOP.rglob("*"):
        if file.is_file() and CACHE_DIR not in file.parts:
            (target / file.relative_to(SHOP)).parent.mkdir(parents=True, exist_ok=True)
            (target / file.relative_to(SHOP)).write_bytes(file.read_bytes())
    return target


def _graph(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["graph", *args, "--format", "json"]) == 0
    return capsys.readouterr().out


def _files(folder: Path) -> list[str]:
    return sorted(p.suffix for p in folder.glob("check-*")) if folder.exists() else []


def test_no_cache_reads_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = _shop(tmp_path)
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    cached = _graph(capsys, str(shop))
    assert _files(shop / CACHE_DIR) == [".bin", ".graph"]
    for kept in (shop / CACHE_DIR).glob("check-*"):
        kept.write_bytes(b"not a cache")  # read, this would be ignored; it must not be read
        kept.chmod(0o000)

    def load(self: Rendered, key: bytes | None) -> None:
        assert self.path is None, "a kept drawing was looked up"

    monkeypatch.setattr(Rendered, "load", load)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (shop / CACHE_DIR).iterdir())
    assert _graph(capsys, str(shop), "--no-cache") == cached
    after = sorted((p.name, p.stat().st_mtime_ns) for p in (shop / CACHE_DIR).iterdir())
    assert after == before


def test_no_cache_leaves_no_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = _shop(tmp_path)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env-cache"))
    _graph(capsys, str(shop), "--no-cache")
    assert not (shop / CACHE_DIR).exists()
    assert not (tmp_path / "env-cache").exists()


def test_cache_dir_holds_the_cache_check_then_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = _shop(tmp_path)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env-cache"))  # --cache-dir wins
    drawn = _graph(capsys, str(shop), "--cache-dir", str(tmp_path / "dir"))
    assert _files(tmp_path / "dir") == [".bin", ".graph"]
    assert not (shop / CACHE_DIR).exists()
    assert not (tmp_path / "env-cache").exists()
    # The cache file is check's: a check with the same --cache-dir uses it, writes no other.
    main(["check", str(shop), "--cache-dir", str(tmp_path / "dir"), "--quiet"])
    capsys.readouterr()
    assert len({p.stem for p in (tmp_path / "dir").glob("check-*")}) == 1
    assert _graph(capsys, str(shop), "--cache-dir", str(tmp_path / "dir")) == drawn


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_cache_dir_that_is_a_file_is_refused(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = _shop(tmp_path)
    file = tmp_path / "a-file"
    file.write_text("")
    if how == "option":
        args = ["graph", str(shop), "--cache-dir", str(file)]
        monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    else:
        args = ["graph", str(shop)]
        monkeypatch.setenv(CACHE_DIR_ENV, str(file))
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "is not a folder (give a folder to keep the cache in)" in captured.err
    assert not (shop / CACHE_DIR).exists()


def test_a_copy_at_another_path_with_its_cache_prints_the_kept_drawing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A drawing names modules and files relative to the tree: a clone elsewhere (a CI
    # runner's workspace) with the cache restored draws nothing again.
    import shutil

    from scaffold.check import graph_render

    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    shop = _shop(tmp_path / "here")

    def graph(path: str, fmt: str) -> str:
        assert main(["graph", path, "--format", fmt]) == 0
        return capsys.readouterr().out

    drawn = graph(str(shop), "dot")  # the last drawing is the one kept
    elsewhere = shutil.copytree(shop, tmp_path / "there" / "shop")
    monkeypatch.chdir(tmp_path / "there")

    def draw_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the graph was built again")

    monkeypatch.setattr(graph_render.Checked, "of", draw_again)
    assert graph(str(elsewhere), "dot") == drawn
    assert graph("shop", "dot") == drawn
