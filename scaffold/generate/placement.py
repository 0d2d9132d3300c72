"""Placing rendered files: staging where the destination lives, conflicts, all-or-nothing moves."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from scaffold.errors import DestinationError

__all__ = [
    "check_destination",
    "conflicts",
    "file_name_limits",
    "move",
    "move_into_place",
    "place_files",
    "staging_folder",
    "walk_files",
]


@contextlib.contextmanager
def staging_folder(destination: Path) -> Iterator[Path]:
    """A temporary folder on the same filesystem as `destination`, removed afterwards.

    It is a hidden folder inside `destination` when that exists (its parent may be
    `/home`, which the user cannot write, or another filesystem when `destination` is
    a mount point); otherwise it sits in the nearest existing ancestor, where the
    destination itself will be created.
    """
    exists = destination.is_dir()
    anchor = destination if exists else _nearest_existing_folder(destination.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.scaffold-", dir=anchor))
    except OSError as exc:
        raise DestinationError(
            f"cannot write into {anchor}: {exc.strerror or exc}; choose a writable --dest"
        ) from exc
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def file_name_limits() -> Iterator[None]:
    """A name the filesystem finds too long (ENAMETOOLONG) becomes a one-line DestinationError.

    Names are checked against the usual 255-byte limit first; this catches what no
    name check sees: a long --dest, a long folder above it, `add`'s longer test name.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        name = os.path.basename(str(exc.filename or "")) or str(exc.filename)
        shown = repr(name) if len(name) <= 60 else f"{name[:40]!r}... ({len(name)} characters)"
        raise DestinationError(
            f"a file name or path is too long for the file system ({shown});"
            " choose shorter names or a shorter --dest; nothing was written"
        ) from exc


def place_files(
    staged: Path,
    destination: Path,
    files: tuple[PurePosixPath, ...],
    *,
    may_replace: frozenset[PurePosixPath],
    backup: Path,
) -> None:
    """Move staged files into an existing folder, all or nothing.

    Files listed in `may_replace` are backed up under `backup` and restored if any
    later step fails; any other existing file is refused before anything moves.
    """
    existing = conflicts(files, destination, merge=True, force=True)
    refused = [rel for rel in existing if rel not in may_replace]
    if refused:
        raise DestinationError(
            f"{destination / refused[0]} already exists; choose another name or pass --force"
        )
    _merge_files(staged, destination, files, backup)


def check_destination(destination: Path, *, merge: bool, force: bool) -> None:
    """Refuse a destination that is a file, or (for a project) a non-empty folder."""
    if destination.exists() and not destination.is_dir():
        raise DestinationError(
            f"destination {destination} exists and is not a folder; choose another --dest"
        )
    if merge or force or not destination.is_dir():
        return
    if any(destination.iterdir()):
        raise DestinationError(
            f"destination {destination} already exists and is not empty; choose another"
            " name or --dest, or pass --force to write into it (files the template does not"
            " produce are kept)"
        )


def _nearest_existing_folder(path: Path) -> Path:
    while not path.is_dir():
        if path.exists():
            raise DestinationError(f"{path} is not a folder; choose another --dest")
        path = path.parent
    return path


def walk_files(root: Path) -> Iterator[PurePosixPath]:
    """Every file (and symlinked folder) under `root`, relative to it."""
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(folder)
        for name in filenames:
            yield PurePosixPath((base / name).relative_to(root).as_posix())
        for name in dirnames:
            if (base / name).is_symlink():
                yield PurePosixPath((base / name).relative_to(root).as_posix())


def conflicts(
    files: tuple[PurePosixPath, ...], destination: Path, *, merge: bool, force: bool
) -> tuple[PurePosixPath, ...]:
    """The produced files that already exist at the destination; refuse if not allowed."""
    if not destination.exists():
        return ()
    existing: list[PurePosixPath] = []
    for rel in files:
        target = destination / rel
        for parent in reversed(rel.parents[:-1]):
            if (destination / parent).exists() and not (destination / parent).is_dir():
                raise DestinationError(
                    f"{destination / parent} is a file where the template needs a folder;"
                    " move it away or choose another --dest"
                )
        if target.is_dir() and not target.is_symlink():
            raise DestinationError(
                f"{target} is a folder where the template writes a file;"
                " move it away or choose another --dest"
            )
        if target.exists() or target.is_symlink():
            existing.append(rel)
    if existing and merge and not force:
        shown = ", ".join(str(destination / rel) for rel in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise DestinationError(
            f"{shown}{more} already exist{'s' if len(existing) == 1 else ''};"
            " choose another name or --dest, or pass --force to overwrite"
        )
    return tuple(existing)


def move_into_place(
    rendered: Path, destination: Path, files: tuple[PurePosixPath, ...], backup: Path
) -> None:
    """Move a rendered tree to `destination`: one rename when it is new, else file by file."""
    created_folders: list[Path] = []
    missing = destination.parent
    while not missing.exists():
        created_folders.append(missing)
        missing = missing.parent
    try:
        for folder in reversed(created_folders):
            folder.mkdir()
        if not destination.exists():
            # One rename: the project appears complete or not at all.
            move(rendered, destination)
            return
        _merge_files(rendered, destination, files, backup)
    except BaseException:
        for folder in created_folders:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _merge_files(
    rendered: Path, destination: Path, files: tuple[PurePosixPath, ...], backup: Path
) -> None:
    """Move each file into an existing folder; undo everything if any step fails."""
    moved_in: list[Path] = []
    backed_up: list[tuple[Path, Path]] = []
    made_folders: list[Path] = []
    try:
        for rel in files:
            target = destination / rel
            for parent in reversed(rel.parents[:-1]):
                folder = destination / parent
                if not folder.exists():
                    folder.mkdir()
                    made_folders.append(folder)
            if target.exists() or target.is_symlink():
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
                move(target, saved)
                backed_up.append((saved, target))
            move(rendered / rel, target)
            moved_in.append(target)
    except BaseException:
        for target in reversed(moved_in):
            with contextlib.suppress(OSError):
                target.unlink()
        for saved, target in reversed(backed_up):
            with contextlib.suppress(OSError):
                move(saved, target)
        for folder in reversed(made_folders):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def move(source: Path, target: Path) -> None:
    """Rename `source` to `target`; across filesystems, copy it and remove the original.

    A Docker volume, a devcontainer workspace or any mount point below the destination
    makes a rename fail with EXDEV. The copy is made beside `target` and renamed over
    it, so `target` still appears whole or not at all; `source` is removed only after.
    """
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _copy_over(source, target)
        _remove(source)


def _copy_over(source: Path, target: Path) -> None:
    """Copy `source` (a file, symlink or folder) into place at `target` with one rename."""
    holder = Path(tempfile.mkdtemp(prefix=f".{target.name}.scaffold-", dir=target.parent))
    try:
        copy = holder / target.name
        if source.is_symlink():
            os.symlink(os.readlink(source), copy)
        elif source.is_dir():
            shutil.copytree(source, copy, symlinks=True)
        else:
            shutil.copy2(source, copy)
        os.replace(copy, target)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
