"""Render a Copier template all-or-nothing: stage beside the destination, then move into place.

This is the only module that imports copier, and it does so inside `render`,
so importing `scaffold.generate` stays cheap.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scaffold.errors import DestinationError, TemplateError

__all__ = [
    "GenerateRequest",
    "GenerateResult",
    "generate",
    "place_files",
    "render_template",
    "render_tree",
    "staging_folder",
]


@dataclass(frozen=True)
class GenerateRequest:
    """One run of a template into a destination.

    `merge` selects how the destination is treated: False for a project (the
    destination is the project folder, refused when not empty unless `force`);
    True for files added to an existing folder (`new module`: refused only
    when a produced file already exists, unless `force`).
    """

    source: str
    destination: Path
    data: Mapping[str, object] = field(default_factory=dict)
    vcs_ref: str | None = None
    force: bool = False
    dry_run: bool = False
    interactive: bool = False
    trust: bool = False
    merge: bool = False


@dataclass(frozen=True)
class GenerateResult:
    """What a run wrote (or, with dry_run, would write)."""

    destination: Path
    files: tuple[PurePosixPath, ...]
    replaced: tuple[PurePosixPath, ...]
    dry_run: bool


def generate(request: GenerateRequest) -> GenerateResult:
    """Render `request.source` into `request.destination`, all or nothing.

    The template is rendered into a staging folder beside the destination,
    under the destination's own name (Copier gives templates that name as
    `_folder_name`). Only a complete render is moved into place; files it
    replaces are backed up first and restored if the move fails or is
    interrupted. On any failure the destination is left exactly as it was.
    """
    destination = Path(os.path.abspath(request.destination))
    _check_destination(destination, merge=request.merge, force=request.force)
    with staging_folder(destination) as staging:
        rendered = staging / destination.name
        _render(request, rendered)
        files = tuple(sorted(_walk_files(rendered)))
        replaced = _conflicts(files, destination, merge=request.merge, force=request.force)
        if not request.dry_run:
            _move_into_place(rendered, destination, files, staging / ".backup")
    return GenerateResult(destination, files, replaced, request.dry_run)


@contextlib.contextmanager
def staging_folder(destination: Path) -> Iterator[Path]:
    """A temporary folder on the same filesystem as `destination`, removed afterwards."""
    anchor = _nearest_existing_folder(destination.parent)
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


def render_template(
    source: str, data: Mapping[str, object], rendered: Path, *, interactive: bool = False
) -> tuple[PurePosixPath, ...]:
    """Render `source` into the new folder `rendered`; return the files it holds."""
    request = GenerateRequest(
        source=source, destination=rendered, data=data, interactive=interactive
    )
    _render(request, rendered)
    return tuple(sorted(_walk_files(rendered)))


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
    existing = _conflicts(files, destination, merge=True, force=True)
    refused = [rel for rel in existing if rel not in may_replace]
    if refused:
        raise DestinationError(
            f"{destination / refused[0]} already exists; choose another name or pass --force"
        )
    _merge_files(staged, destination, files, backup)


def _check_destination(destination: Path, *, merge: bool, force: bool) -> None:
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


def _render(request: GenerateRequest, rendered: Path) -> None:
    # Imported here: copier and jinja2 cost ~0.4 s, which no other command pays.
    import copier
    from copier.errors import CopierAnswersInterrupt, CopierError
    from jinja2 import TemplateError as JinjaTemplateError
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError

    try:
        copier.run_copy(
            request.source,
            rendered,
            data=dict(request.data),
            vcs_ref=request.vcs_ref,
            defaults=not request.interactive,
            overwrite=True,
            quiet=True,
            unsafe=request.trust,
        )
    except CopierAnswersInterrupt:
        raise KeyboardInterrupt from None
    except (CopierError, JinjaTemplateError) as exc:
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, JinjaSyntaxError) else ""
        raise TemplateError(_one_line(f"template {request.source}{where}: {exc}")) from exc
    except (ValueError, TypeError) as exc:
        # Copier reports an answer its validator refuses as a ValueError.
        raise TemplateError(_one_line(f"template {request.source}: {exc}")) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DestinationError("no space left on the device; nothing was written") from exc
        raise DestinationError(
            _one_line(f"cannot render into {rendered.parent}: {exc}; nothing was written")
        ) from exc
    if not rendered.is_dir():
        raise TemplateError(f"template {request.source} produced no files")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _walk_files(root: Path) -> Iterator[PurePosixPath]:
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(folder)
        for name in filenames:
            yield PurePosixPath((base / name).relative_to(root).as_posix())
        for name in dirnames:
            if (base / name).is_symlink():
                yield PurePosixPath((base / name).relative_to(root).as_posix())


def _conflicts(
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


def _move_into_place(
    rendered: Path, destination: Path, files: tuple[PurePosixPath, ...], backup: Path
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
            os.replace(rendered, destination)
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
                os.replace(target, saved)
                backed_up.append((saved, target))
            os.replace(rendered / rel, target)
            moved_in.append(target)
    except BaseException:
        for target in reversed(moved_in):
            with contextlib.suppress(OSError):
                target.unlink()
        for saved, target in reversed(backed_up):
            with contextlib.suppress(OSError):
                os.replace(saved, target)
        for folder in reversed(made_folders):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def render_tree(root_label: str, files: tuple[PurePosixPath, ...]) -> str:
    """Draw `files` (relative paths) as an indented tree under `root_label`."""
    tree: dict[str, dict[str, object]] = {}
    for rel in files:
        node = tree
        for part in rel.parts:
            node = node.setdefault(part, {})  # type: ignore[assignment]
    lines = [root_label.rstrip("/") + "/"]

    def walk(node: dict[str, dict[str, object]], prefix: str) -> None:
        entries = sorted(node.items(), key=lambda item: (not item[1], item[0]))
        for index, (name, child) in enumerate(entries):
            last = index == len(entries) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{name}{'/' if child else ''}")
            walk(child, prefix + ("    " if last else "│   "))  # type: ignore[arg-type]

    walk(tree, "")
    return "\n".join(lines)
