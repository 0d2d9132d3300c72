"""Placing rendered files: staging where the destination lives, conflicts, all-or-nothing moves."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from scaffold.errors import DestinationError
from scaffold.files import process_alive
from scaffold.interrupts import Interrupts, interrupts_deferred, stops_interrupt

__all__ = [
    "BACKUP_FOLDER",
    "check_destination",
    "conflicts",
    "file_name_limits",
    "leftover_runs",
    "move",
    "move_into_place",
    "place_files",
    "staging_folder",
    "walk_files",
]

#: The folder inside a staging folder that holds the originals of replaced files.
BACKUP_FOLDER = ".backup"
_STAGING_MARK = ".scaffold-"
_STAGING_NAME = re.compile(r"\.scaffold-(?P<pid>[0-9]+)-[^/]*$")


@contextlib.contextmanager
def staging_folder(destination: Path) -> Iterator[Path]:
    """A temporary folder on the same filesystem as `destination`, removed afterwards.

    It is a hidden folder inside `destination` when that exists (its parent may be
    `/home`, which the user cannot write, or another filesystem when `destination` is
    a mount point); otherwise it sits in the nearest existing ancestor, where the
    destination itself will be created. Its name carries the process id, so a later
    run can tell a folder left by a killed run (`leftover_runs`). It is not removed
    while it holds backups of the user's files that could not be put back.
    """
    anchor = _staging_anchor(destination)
    staging: Path | None = None
    # A SIGTERM or SIGHUP while staged files replace the user's is undone as a Ctrl-C is.
    with stops_interrupt():
        try:
            # Held back: a Ctrl-C between creating the folder and noting its name leaks it.
            with interrupts_deferred() as held:
                staging = _make_staging(destination, anchor)
            if held.arrived:
                raise KeyboardInterrupt
            yield staging
        finally:
            if staging is not None:
                # A Ctrl-C here would leave the folder half removed; the change is done.
                with interrupts_deferred():
                    _remove_staging(staging)


def _make_staging(destination: Path, anchor: Path) -> Path:
    try:
        return Path(
            tempfile.mkdtemp(prefix=f".{destination.name}{_STAGING_MARK}{os.getpid()}-", dir=anchor)
        )
    except OSError as exc:
        raise DestinationError(
            f"cannot write into {anchor}: {exc.strerror or exc}; choose a writable --dest"
        ) from exc


def _staging_anchor(destination: Path) -> Path:
    return destination if destination.is_dir() else _nearest_existing_folder(destination.parent)


def _holds_backups(staging: Path) -> bool:
    backup = staging / BACKUP_FOLDER
    return backup.is_dir() and any(True for _ in walk_files(backup))


def _remove_staging(staging: Path) -> None:
    if not _holds_backups(staging):
        shutil.rmtree(staging, ignore_errors=True)


def leftover_runs(destination: Path, *, dry_run: bool = False) -> tuple[str, ...]:
    """Notes on staging folders that killed runs left where `destination` would stage.

    A folder whose process is gone and that holds no backup is removed (a dry run, which
    writes nothing, only names it); one that holds the user's original files (the run was
    killed while replacing them) is kept and named, with what to do, so the originals are
    never lost silently.
    """
    try:
        anchor = _staging_anchor(destination)
        entries = sorted(anchor.glob(f".*{_STAGING_MARK}*"))
    except (OSError, DestinationError):
        return ()
    notes: list[str] = []
    for folder in entries:
        match = _STAGING_NAME.search(folder.name)
        if match is None or not folder.is_dir() or folder.is_symlink():
            continue
        if process_alive(int(match.group("pid"))):
            continue
        if _holds_backups(folder):
            notes.append(
                f"an earlier scaffold run was stopped while replacing files; the originals"
                f" it replaced are kept in {folder / BACKUP_FOLDER} (copy back what you"
                " want, then delete the folder)"
            )
        elif dry_run:
            notes.append(
                f"{folder} was left by an earlier scaffold run that was stopped (a run that"
                " writes removes it)"
            )
        else:
            shutil.rmtree(folder, ignore_errors=True)
            notes.append(f"removed {folder}, left by an earlier scaffold run that was stopped")
    return tuple(notes)


@contextlib.contextmanager
def file_name_limits(
    shorter: str = "choose shorter names or a shorter --dest",
    readable: str = "choose a --dest in a folder you can read and write",
) -> Iterator[None]:
    """A name the filesystem finds too long (ENAMETOOLONG), or a folder on the way that
    cannot be read (EACCES, EPERM), becomes a one-line DestinationError; `shorter` and
    `readable` say what to do instead.

    Names are checked against the usual 255-byte limit first; this catches what no
    name check sees: a long --dest, a long folder above it, `add`'s longer test name.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM) and exc.filename is not None:
            raise DestinationError(
                f"cannot reach {os.fsencode(exc.filename).decode('utf-8', 'replace')}:"
                f" {exc.strerror or exc}; {readable}; nothing was written"
            ) from exc
        if exc.errno != errno.ENAMETOOLONG:
            raise
        name = os.path.basename(str(exc.filename or "")) or str(exc.filename)
        shown = repr(name) if len(name) <= 60 else f"{name[:40]!r}... ({len(name)} characters)"
        raise DestinationError(
            f"a file name or path is too long for the file system ({shown});"
            f" {shorter}; nothing was written"
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
    with interrupts_deferred() as held, _failures_worded(destination):  # see move_into_place
        _merge_files(staged, destination, files, backup, held)


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
    """The produced files that already exist at the destination; refuse if not allowed.

    A folder on the way that is a symlink leading out of the destination is refused:
    scaffold writes only inside the destination.
    """
    if not destination.exists():
        return ()
    inside = destination.resolve()
    existing: list[PurePosixPath] = []
    for rel in files:
        target = destination / rel
        _require_inside(target.parent, inside)
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


def _require_inside(folder: Path, inside: Path) -> None:
    real = folder.resolve()
    if real != inside and inside not in real.parents:
        raise DestinationError(
            f"{folder} leads outside the destination (to {real}); scaffold writes only"
            " inside the destination: replace the link with a folder or choose another --dest"
        )


def move_into_place(
    rendered: Path, destination: Path, files: tuple[PurePosixPath, ...], backup: Path
) -> None:
    """Move a rendered tree to `destination`: one rename when it is new, else file by file.

    A Ctrl-C is held back while a step runs (stopping inside one is what loses files)
    and acted on between steps, by undoing what was done: the destination is left as it
    was. One that arrives once every file is in place finds the change complete, and the
    run reports success.
    """
    with interrupts_deferred() as held, _failures_worded(destination):
        _move_into_place(rendered, destination, files, backup, held)


@contextlib.contextmanager
def _failures_worded(destination: Path) -> Iterator[None]:
    """A failed move, already undone, as a one-line DestinationError."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise  # worded by file_name_limits
        raise DestinationError(
            f"cannot write into {destination}: {exc.strerror or exc}; nothing was changed"
        ) from exc


def _move_into_place(
    rendered: Path,
    destination: Path,
    files: tuple[PurePosixPath, ...],
    backup: Path,
    held: Interrupts,
) -> None:
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
            _stop_if_asked(held)
            move(rendered, destination)
            return
        _merge_files(rendered, destination, files, backup, held)
    except BaseException:
        for folder in created_folders:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _merge_files(
    rendered: Path,
    destination: Path,
    files: tuple[PurePosixPath, ...],
    backup: Path,
    held: Interrupts,
) -> None:
    """Move each file into an existing folder; undo everything if any step fails.

    Every step is written down before it is taken, and a replaced file is first kept
    under `backup` by a hard link (a copy where links do not work), so at every moment
    each original exists at its place or in `backup`, and the undo knows which. The
    backups are dropped once every file is in place.
    """
    journal: list[tuple[Path, Path | None]] = []  # (target, its backup; None: a new file)
    made_folders: list[Path] = []
    try:
        for rel in files:
            _stop_if_asked(held)
            target = destination / rel
            for parent in reversed(rel.parents[:-1]):
                folder = destination / parent
                if not folder.exists():
                    made_folders.append(folder)
                    folder.mkdir()
            saved = None
            if target.exists() or target.is_symlink():
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
            journal.append((target, saved))
            if saved is not None:
                _keep_original(target, saved)
            move(rendered / rel, target)
    except BaseException:
        _undo(journal, made_folders, backup)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def _stop_if_asked(held: Interrupts) -> None:
    """Act on a held Ctrl-C between steps: the undo then runs whole, and the destination is
    left as it was. After the last file is in place the change is complete, and stands."""
    if held.arrived:
        raise KeyboardInterrupt


def _keep_original(target: Path, saved: Path) -> None:
    """Keep `target` at `saved` without moving it: a hard link, or a copy."""
    try:
        os.link(target, saved, follow_symlinks=False)
    except OSError:
        # Another filesystem below the destination, or one without hard links.
        if target.is_symlink():
            os.symlink(os.readlink(target), saved)
        else:
            shutil.copy2(target, saved)


def _same_file(one: Path, other: Path) -> bool:
    try:
        first, second = os.lstat(one), os.lstat(other)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _undo(journal: list[tuple[Path, Path | None]], made: list[Path], backup: Path) -> None:
    """Put every original back and remove what was added; refuse to forget what cannot be."""
    stuck: list[Path] = []
    for target, saved in reversed(journal):
        try:
            if saved is None:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            elif _same_file(saved, target):
                # Still the original (the link was made, the move was not); a rename
                # between two links of one file does nothing, so drop the extra link.
                saved.unlink()
            elif saved.exists() or saved.is_symlink():
                move(saved, target)
        except OSError:
            stuck.append(target)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()
    if stuck:
        raise DestinationError(
            f"could not put back {stuck[0]}"
            + (f" and {len(stuck) - 1} more" if len(stuck) > 1 else "")
            + f" after a failure; the originals are kept in {backup}: copy them back"
        )


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
