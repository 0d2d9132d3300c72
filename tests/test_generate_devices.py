"""Generation across filesystems: a rename that fails with EXDEV becomes a copy, all or nothing."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scaffold.cli import main
from scaffold.errors import DestinationError
from scaffold.generate import GenerateRequest, generate
from scaffold.generate.answers import package_answers
from scaffold.generate.placement import move
from scaffold.templates import builtin_template
from tests.conftest import tree_snapshot


def _request(destination: Path, **kwargs: Any) -> GenerateRequest:
    return GenerateRequest(
        source=str(builtin_template("package")),
        destination=destination,
        data=package_answers("foo", modules=["bar"]),
        **kwargs,
    )


def _cross_device() -> OSError:
    return OSError(errno.EXDEV, "Invalid cross-device link")


def _mine(folder: Path) -> None:
    """A folder the user already has, with files the template replaces and one it keeps."""
    (folder / "foo").mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text("my readme\n")
    (folder / "foo" / "__init__.py").write_text("# mine\n")
    (folder / "notes.txt").write_text("untouched\n")


def _expected(tmp_path: Path, *, existing: bool) -> dict[str, bytes]:
    """What generating on one filesystem writes, to compare a cross-device run with."""
    reference = tmp_path / "reference" / "dest"
    if existing:
        _mine(reference)
    generate(_request(reference, force=existing))
    return tree_snapshot(reference)


def _exdev_on_nth_rename(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    real_replace = os.replace
    calls = {"count": 0}

    def replace(src: Any, dst: Any) -> None:
        calls["count"] += 1
        if calls["count"] == n:
            raise _cross_device()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", replace)


def _mounted_at(monkeypatch: pytest.MonkeyPatch, mount: Path) -> None:
    """Renames into or out of `mount` fail with EXDEV, as they do at a mount point."""
    real_replace = os.replace

    def inside(path: Any) -> bool:
        return Path(os.path.abspath(path)).is_relative_to(mount)

    def replace(src: Any, dst: Any) -> None:
        if inside(src) != inside(dst):
            raise _cross_device()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", replace)


@pytest.mark.parametrize("nth", [1, 2])
def test_new_destination_is_written_when_a_rename_crosses_devices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    expected = _expected(tmp_path, existing=False)
    _exdev_on_nth_rename(monkeypatch, nth)
    generate(_request(tmp_path / "dest"))
    assert tree_snapshot(tmp_path / "dest") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "reference"]


@pytest.mark.parametrize("nth", [1, 2, 3, 7, 12])
def test_forced_write_is_complete_when_any_rename_crosses_devices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    expected = _expected(tmp_path, existing=True)
    dest = tmp_path / "dest"
    _mine(dest)
    _exdev_on_nth_rename(monkeypatch, nth)
    generate(_request(dest, force=True))
    assert tree_snapshot(dest) == expected


def test_forced_write_into_a_folder_with_a_mounted_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _expected(tmp_path, existing=True)
    dest = tmp_path / "dest"
    _mine(dest)
    _mounted_at(monkeypatch, dest / "foo")
    generate(_request(dest, force=True))
    assert tree_snapshot(dest) == expected


@pytest.mark.parametrize("nth", [1, 3, 7, 12])
@pytest.mark.parametrize("exc", [OSError(errno.EIO, "I/O error"), KeyboardInterrupt()])
def test_failure_after_cross_device_moves_restores_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int, exc: BaseException
) -> None:
    dest = tmp_path / "dest"
    _mine(dest)
    before = tree_snapshot(tmp_path)
    _mounted_at(monkeypatch, dest / "foo")
    mounted_replace = os.replace
    calls = {"count": 0}

    def failing(src: Any, dst: Any) -> None:
        calls["count"] += 1
        if calls["count"] == nth:
            raise exc
        mounted_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    # An I/O error, once undone, is a one-line DestinationError; a Ctrl-C stays one.
    with pytest.raises(DestinationError if isinstance(exc, OSError) else type(exc)):
        generate(_request(dest, force=True))
    assert tree_snapshot(tmp_path) == before


def test_cli_cross_device_is_never_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _exdev_on_nth_rename(monkeypatch, 1)
    assert main(["new", "package", "foo", "--quiet"]) == 0
    assert "internal error" not in capsys.readouterr().err
    assert (tmp_path / "foo" / "pyproject.toml").is_file()


@pytest.fixture
def mount_tmpfs() -> Iterator[Callable[[Path], None]]:
    """Mount a real tmpfs on a folder (unmounted afterwards), or skip where not allowed."""
    mounted: list[Path] = []

    def mount(folder: Path) -> None:
        try:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "tmpfs", str(folder)],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            pytest.skip(f"cannot run mount: {exc}")
        if done.returncode != 0:
            pytest.skip(f"mounting is not permitted here: {done.stderr.strip()}")
        mounted.append(folder)

    yield mount
    for folder in reversed(mounted):
        # Lazy: a test's working folder inside the mount must not keep it mounted.
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def test_real_mount_point_as_the_destination(
    mount_tmpfs: Callable[[Path], None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A devcontainer workspace or a Docker volume: `--dest .` at the mount point.
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    mount_tmpfs(workspace)
    monkeypatch.chdir(workspace)
    assert main(["new", "package", "foo", "--dest", ".", "--quiet"]) == 0
    assert (workspace / "foo" / "__init__.py").is_file()
    assert not [p for p in workspace.iterdir() if ".scaffold-" in p.name]


def test_real_mount_point_below_the_destination(
    tmp_path: Path, mount_tmpfs: Callable[[Path], None]
) -> None:
    # The package folder is the mount: every file moved into it crosses devices.
    expected = _expected(tmp_path, existing=True)
    dest = tmp_path / "dest"
    (dest / "foo").mkdir(parents=True)
    mount_tmpfs(dest / "foo")
    _mine(dest)
    generate(_request(dest, force=True))
    assert tree_snapshot(dest) == expected


@pytest.mark.parametrize("kind", ["file", "symlink", "folder"])
def test_move_across_devices_keeps_what_it_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    source, target = tmp_path / "a" / "item", tmp_path / "b" / "item"
    source.parent.mkdir()
    target.parent.mkdir()
    if kind == "file":
        source.write_text("text\n")
        source.chmod(0o750)
    elif kind == "symlink":
        source.symlink_to("../elsewhere")
    else:
        (source / "inner").mkdir(parents=True)
        (source / "inner" / "x.txt").write_text("x\n")
        (source / "link").symlink_to("inner/x.txt")
    before = tree_snapshot(source.parent)
    mode = source.lstat().st_mode
    _mounted_at(monkeypatch, target.parent)
    move(source, target)
    assert not source.exists() and not source.is_symlink()
    assert tree_snapshot(target.parent) == before
    assert target.lstat().st_mode == mode
    if kind == "symlink":
        assert os.readlink(target) == "../elsewhere"
    if kind == "folder":
        assert os.readlink(target / "link") == "inner/x.txt"
    assert sorted(p.name for p in target.parent.iterdir()) == ["item"]
