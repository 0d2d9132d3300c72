"""All-or-nothing generation: a failure or Ctrl-C at any step leaves the destination as it was."""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from scaffold.cli.render import render_tree
from scaffold.errors import DestinationError, TemplateError
from scaffold.generate import GenerateRequest, generate
from scaffold.generate.answers import package_answers
from scaffold.templates import builtin_template, builtin_templates_root
from tests.conftest import tree_snapshot


def _request(destination: Path, **kwargs: Any) -> GenerateRequest:
    return GenerateRequest(
        source=str(builtin_template("package")),
        destination=destination,
        data=package_answers("foo", modules=["bar"]),
        **kwargs,
    )


def test_builtin_templates_are_found_in_the_checkout() -> None:
    root = builtin_templates_root()
    assert (root / "package" / "copier.yml").is_file()
    assert (root / "module" / "copier.yml").is_file()
    with pytest.raises(TemplateError, match="no built-in template named 'nope'"):
        builtin_template("nope")


def test_generate_writes_the_project_and_leaves_no_staging(tmp_path: Path) -> None:
    result = generate(_request(tmp_path / "foo"))
    assert PurePosixPath("foo/bar.py") in result.files
    assert (tmp_path / "foo" / "foo" / "bar.py").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["foo"]


def test_folder_name_seen_by_the_template_is_the_destination_name(tmp_path: Path) -> None:
    # The package question defaults to `_folder_name`: staging must not leak its own name.
    request = GenerateRequest(
        source=str(builtin_template("package")),
        destination=tmp_path / "my-project",
        data={"scaffold_version": "1"},
    )
    generate(request)
    assert (tmp_path / "my-project" / "my_project" / "__init__.py").is_file()


class _Boom(Exception):
    pass


def _fail_on_nth_replace(monkeypatch: pytest.MonkeyPatch, n: int, exc: BaseException) -> None:
    real_replace = os.replace
    calls = {"count": 0}

    def flaky_replace(src: Any, dst: Any) -> None:
        calls["count"] += 1
        if calls["count"] == n:
            raise exc
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)  # the module generate.py uses


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_while_moving_into_a_new_destination_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    _fail_on_nth_replace(monkeypatch, 1, exc)
    # An I/O error, once undone, is a one-line DestinationError; a Ctrl-C stays one.
    with pytest.raises(DestinationError if isinstance(exc, OSError) else type(exc)):
        generate(_request(tmp_path / "deep" / "foo"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("nth", [1, 3, 7, 12])
@pytest.mark.parametrize("exc", [OSError(5, "I/O error"), KeyboardInterrupt()])
def test_failure_midway_through_force_restores_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int, exc: BaseException
) -> None:
    dest = tmp_path / "foo"
    dest.mkdir()
    (dest / "README.md").write_text("my readme\n")
    (dest / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    (dest / "foo").mkdir()
    (dest / "foo" / "__init__.py").write_text("# mine\n")
    (dest / "notes.txt").write_text("untouched\n")
    before = tree_snapshot(tmp_path)
    _fail_on_nth_replace(monkeypatch, nth, exc)
    # An I/O error, once undone, is a one-line DestinationError; a Ctrl-C stays one.
    with pytest.raises(DestinationError if isinstance(exc, OSError) else type(exc)):
        generate(_request(dest, force=True))
    assert tree_snapshot(tmp_path) == before


def test_interrupt_during_render_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copier._main import Worker

    def interrupted_copy(worker: Any) -> None:
        Path(worker.dst_path).mkdir(parents=True)
        (Path(worker.dst_path) / "half-written.txt").write_text("x")
        raise KeyboardInterrupt

    # scaffold renders through a subclass of Copier's Worker (its trust check).
    monkeypatch.setattr(Worker, "run_copy", interrupted_copy)
    (tmp_path / "keep.txt").write_text("keep\n")
    before = tree_snapshot(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        generate(_request(tmp_path / "foo"))
    assert tree_snapshot(tmp_path) == before


def test_template_error_becomes_a_one_line_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / "template").mkdir(parents=True)
    (broken / "copier.yml").write_text("_subdirectory: template\nname:\n  type: str\n")
    (broken / "template" / "x.txt.jinja").write_text("{{ name | no_such_filter }}\n")
    request = GenerateRequest(source=str(broken), destination=tmp_path / "out", data={"name": "a"})
    with pytest.raises(TemplateError) as info:
        generate(request)
    assert "\n" not in info.value.message
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]


def test_unwritable_parent_is_a_destination_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new destination is created in its parent, so there nothing else can work.
    locked = tmp_path / "locked"
    locked.mkdir()
    with _read_only(locked, monkeypatch), pytest.raises(DestinationError, match="cannot write"):
        generate(_request(locked / "foo"))
    assert list(locked.iterdir()) == []


@contextlib.contextmanager
def _read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`folder` refuses new and removed entries, as `/home` does for a user.

    By its mode when the tests run as a user; root ignores modes, so there the
    calls that add or remove an entry raise EACCES for anything directly in it.
    """
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return

    def in_folder(path: Any) -> bool:
        return Path(os.path.abspath(path)).parent == folder

    def refused(path: Any) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", str(path))

    def guard_one(real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
            if in_folder(path):
                raise refused(path)
            return real(path, *args, **kwargs)

        return guarded

    def guard_two(real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            if in_folder(src) or in_folder(dst):
                raise refused(dst)
            return real(src, dst, *args, **kwargs)

        return guarded

    real_open = os.open

    def guarded_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and in_folder(path) and not os.path.exists(path):
            raise refused(path)
        return real_open(path, flags, *args, **kwargs)

    real_file_open = io.open

    def guarded_file_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        creates = "x" in mode or (any(flag in mode for flag in "wa") and not os.path.exists(path))
        if creates and isinstance(path, (str, os.PathLike)) and in_folder(path):
            raise refused(path)
        return real_file_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", guarded_file_open)
    monkeypatch.setattr(builtins, "open", guarded_file_open)
    for name in ("mkdir", "rmdir", "unlink", "remove"):
        monkeypatch.setattr(os, name, guard_one(getattr(os, name)))
    for name in ("replace", "rename", "symlink", "link"):
        monkeypatch.setattr(os, name, guard_two(getattr(os, name)))
    monkeypatch.setattr(os, "open", guarded_open)
    yield


def test_the_read_only_stand_in_refuses_what_a_read_only_folder_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "home").mkdir()
    with _read_only(tmp_path / "home", monkeypatch):
        with pytest.raises(PermissionError):
            (tmp_path / "home" / "new").mkdir()
        with pytest.raises(PermissionError):
            (tmp_path / "home" / "new.txt").write_text("x")


@pytest.mark.parametrize("contents", [[], ["notes.txt"]], ids=["empty", "not-empty"])
def test_existing_destination_in_a_read_only_parent_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, contents: list[str]
) -> None:
    # `--dest .` in a home folder: /home is not writable, the home folder is.
    home = tmp_path / "home"
    user = home / "user"
    user.mkdir(parents=True)
    for name in contents:
        (user / name).write_text("mine\n")
    with _read_only(home, monkeypatch):
        result = generate(_request(user, force=bool(contents)))
    assert (user / "foo" / "bar.py").is_file()
    assert PurePosixPath("foo/bar.py") in result.files
    # The staging folder inside the destination is never left behind.
    shown = {p.name for p in user.iterdir()}
    assert shown == {p.parts[0] for p in result.files} | set(contents)
    assert [p.name for p in home.iterdir()] == ["user"]


@pytest.mark.parametrize("nth", [1, 3, 7])
@pytest.mark.parametrize("exc", [OSError(5, "I/O error"), KeyboardInterrupt()])
def test_failure_writing_into_a_destination_in_a_read_only_parent_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int, exc: BaseException
) -> None:
    home = tmp_path / "home"
    user = home / "user"
    (user / "foo").mkdir(parents=True)
    (user / "README.md").write_text("my readme\n")
    (user / "foo" / "__init__.py").write_text("# mine\n")
    before = tree_snapshot(tmp_path)
    with _read_only(home, monkeypatch):
        _fail_on_nth_replace(monkeypatch, nth, exc)
        with pytest.raises(DestinationError if isinstance(exc, OSError) else type(exc)):
            generate(_request(user, force=True))
    assert tree_snapshot(tmp_path) == before


def test_render_tree_draws_folders_first() -> None:
    files = tuple(PurePosixPath(p) for p in ["b.txt", "pkg/__init__.py", "a.txt", "pkg/x/y.py"])
    assert render_tree("proj", files) == "\n".join(
        [
            "proj/",
            "├── pkg/",
            "│   ├── x/",
            "│   │   └── y.py",
            "│   └── __init__.py",
            "├── a.txt",
            "└── b.txt",
        ]
    )
