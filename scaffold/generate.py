"""Render a Copier template all-or-nothing: stage beside the destination, then move into place.

This is the only module that imports copier, and it does so inside the
functions that run it, so importing `scaffold.generate` stays cheap. It also
runs Copier's update for `scaffold update`, and decides whether a template
from outside may run code (`--trust`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from scaffold import __version__
from scaffold.errors import (
    DestinationError,
    ScaffoldError,
    TemplateError,
    UntrustedTemplateError,
    UsageError,
)
from scaffold.templates import BUILTIN_TEMPLATES, is_remote_source

if TYPE_CHECKING:
    from copier._main import Worker

__all__ = [
    "GenerateRequest",
    "GenerateResult",
    "UpdateRequest",
    "UpdateResult",
    "generate",
    "place_files",
    "record_scaffold_version",
    "render_template",
    "render_tree",
    "staging_folder",
    "unsafe_features",
    "update",
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
    #: The template's version as `git describe` names it (`v2`), for git templates.
    commit: str | None = None


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
        commit = _render(request, rendered)
        files = tuple(sorted(_walk_files(rendered)))
        replaced = _conflicts(files, destination, merge=request.merge, force=request.force)
        if not request.dry_run:
            _move_into_place(rendered, destination, files, staging / ".backup")
    return GenerateResult(destination, files, replaced, request.dry_run, commit)


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


def _render(request: GenerateRequest, rendered: Path) -> str | None:
    """Run Copier into `rendered`; return the template's git description (`v2`), if any."""
    # Imported here: copier and jinja2 cost ~0.4 s, which no other command pays.
    from copier.errors import CopierAnswersInterrupt, CopierError
    from jinja2 import TemplateError as JinjaTemplateError
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError
    from plumbum import ProcessExecutionError

    worker = _worker_class()(
        src_path=request.source,
        dst_path=rendered,
        data=dict(request.data),
        vcs_ref=request.vcs_ref,
        defaults=not request.interactive,
        overwrite=True,
        quiet=True,
        unsafe=request.trust,
        # A dry run writes nothing, and runs nothing either.
        skip_tasks=request.dry_run,
    )
    try:
        with worker, _copier_warnings_silenced():
            if is_remote_source(request.source) and worker.template.vcs != "git":
                raise TemplateError(
                    f"template source {request.source} is not a URL Copier reads as git;"
                    " end it with .git or prefix it with git+ (git+https://host/repo)"
                )
            if request.vcs_ref is not None and worker.template.vcs != "git":
                raise UsageError(
                    f"--vcs-ref {request.vcs_ref!r} needs a git repository as the template"
                    f" source; {request.source} is a plain folder"
                )
            try:
                worker.run_copy()
            except ValueError as exc:
                if not _REQUIRED_QUESTION.match(str(exc)):
                    raise
                raise _missing_answers_error(
                    request.source, worker.template.questions_data, request.data, str(exc)
                ) from exc
            answers_relpath = worker.answers_relpath
            commit = worker.template.commit
    except ScaffoldError:
        raise
    except CopierAnswersInterrupt:
        raise KeyboardInterrupt from None
    except (CopierError, JinjaTemplateError) as exc:
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, JinjaSyntaxError) else ""
        raise TemplateError(_one_line(f"template {request.source}{where}: {exc}")) from exc
    except (ValueError, TypeError) as exc:
        # Copier reports an answer its validator refuses as a ValueError.
        raise TemplateError(_one_line(f"template {request.source}: {exc}")) from exc
    except ProcessExecutionError as exc:
        raise TemplateError(_git_failure(request.source, exc)) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DestinationError("no space left on the device; nothing was written") from exc
        raise DestinationError(
            _one_line(f"cannot render into {rendered.parent}: {exc}; nothing was written")
        ) from exc
    if not rendered.is_dir():
        raise TemplateError(f"template {request.source} produced no files")
    record_scaffold_version(rendered / answers_relpath)
    return commit


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


# --- team templates: trust, answers, update (issue 8) ---

_REQUIRED_QUESTION = re.compile(r'^Question "(?P<name>.+)" is required$')
_CONFLICT_MARKER = "<<<<<<< before updating"


def unsafe_features(config: Mapping[str, Any]) -> list[str]:
    """What a template would run on the user's machine, one description per item.

    `config` is the template's settings with the leading `_` dropped, as Copier
    reads them from copier.yml (with `!include`s merged): `tasks`,
    `migrations` and `jinja_extensions`. Each is reported, whether or not this
    particular run would reach it: the user decides about the template as a whole.
    """
    found: list[str] = []
    for task in config.get("tasks") or ():
        command = task.get("command", task) if isinstance(task, Mapping) else task
        found.append(f"task {_command_text(command)!r}")
    for migration in config.get("migrations") or ():
        if isinstance(migration, Mapping) and ("before" in migration or "after" in migration):
            version = migration.get("version", "?")
            for stage in ("before", "after"):
                for command in migration.get(stage) or ():
                    found.append(f"migration to {version} {_command_text(command)!r}")
        elif isinstance(migration, Mapping):
            version = f" to {migration['version']}" if "version" in migration else ""
            found.append(f"migration{version} {_command_text(migration.get('command'))!r}")
        else:
            found.append(f"migration {_command_text(migration)!r}")
    for extension in config.get("jinja_extensions") or ():
        found.append(f"Jinja extension {str(extension)!r}")
    return found


def _command_text(command: object) -> str:
    if isinstance(command, list | tuple):
        return shlex.join(str(part) for part in command)
    return str(command)


def _untrusted_error(source: str, found: list[str]) -> UntrustedTemplateError:
    return UntrustedTemplateError(
        _one_line(
            f"template {source} would run code on this machine: {'; '.join(found)};"
            " read the template, then pass --trust to run it (registering a template"
            " does not trust it)"
        )
    )


@functools.cache
def _worker_class() -> type[Worker]:
    """Copier's Worker with scaffold's own trust decision in front of Copier's.

    Copier skips its unsafe-template check for repositories a user's Copier
    settings `trust:`; scaffold decides for itself, on the exact checkout that
    will be rendered (and, for an update, the old version rendered for the merge).
    Copier's own check still runs after ours, so a feature a later Copier
    considers unsafe is still caught.
    """
    from copier._main import Worker

    if not callable(getattr(Worker, "_check_unsafe", None)):
        raise TemplateError(
            "this version of copier has no unsafe-template check scaffold can hook into;"
            " install copier>=9.19,<10"
        )

    class TrustCheckingWorker(Worker):
        def _check_unsafe(self, mode: Literal["copy", "update"]) -> None:
            if not self.unsafe:
                found = unsafe_features(self.template.config_data)
                old = self.subproject.template if mode == "update" else None
                if old is not None:
                    found += [f for f in unsafe_features(old.config_data) if f not in found]
                if found:
                    raise _untrusted_error(self.template.url, found)
            super()._check_unsafe(mode)

    return TrustCheckingWorker


@contextlib.contextmanager
def _copier_warnings_silenced() -> Iterator[None]:
    # Copier warns about dirty local templates and missing settings through
    # `warnings`, which would print multi-line source excerpts under our output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _missing_answers_error(
    source: str,
    questions: Mapping[str, Mapping[str, Any]],
    data: Mapping[str, object],
    message: str,
) -> UsageError:
    """List every question without a default that `--data` leaves unanswered.

    Copier stops at the first one; the others are found in the template's
    questions: no default, not answered, and not switched off by a literal
    `when: false` (a templated `when` cannot be judged before the answers exist,
    so such a question is named only when Copier reaches it).
    """
    match = _REQUIRED_QUESTION.match(message)
    first = match.group("name") if match else ""
    missing: list[str] = []
    for name, details in questions.items():
        if name in data:
            continue
        when = details.get("when", True)
        unconditional = when is True or (isinstance(when, str) and when.strip() == "true")
        if name == first or ("default" not in details and unconditional):
            missing.append(name)
    shown = ", ".join(
        f"{name} ({questions[name]['help']})" if questions.get(name, {}).get("help") else name
        for name in missing
    )
    example = " ".join(f"--data {name}=..." for name in missing)
    return UsageError(
        _one_line(
            f"template {source} asks questions that --data does not answer: {shown};"
            f" pass {example}, or run on a terminal to be asked"
        )
    )


def _git_failure(source: str, exc: BaseException) -> str:
    stderr = str(getattr(exc, "stderr", "") or "").strip()
    reason = stderr.splitlines()[-1] if stderr else str(exc)
    return _one_line(f"cannot fetch template {source} with git: {reason}")


def record_scaffold_version(answers_file: Path) -> None:
    """Make the answers file record which scaffold wrote it.

    A template that declares a `scaffold_version` question records it as an
    answer (the built-in templates do). For any other template scaffold appends
    `_scaffold_version: X`: Copier ignores unknown `_` keys when it reads the
    file back and rewrites the file on update, after which scaffold appends it
    again. A template that writes no answers file gets none.
    """
    import yaml

    try:
        text = answers_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    try:
        answers = yaml.safe_load(text)
    except yaml.YAMLError:
        return
    if not isinstance(answers, dict) or {"scaffold_version", "_scaffold_version"} & set(answers):
        return
    separator = "" if not text or text.endswith("\n") else "\n"
    with answers_file.open("a", encoding="utf-8") as file:
        file.write(f"{separator}_scaffold_version: {__version__}\n")


@dataclass(frozen=True)
class UpdateRequest:
    """One `scaffold update`: bring `project` up to a newer version of its git template."""

    project: Path
    vcs_ref: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)
    interactive: bool = False
    trust: bool = False


@dataclass(frozen=True)
class UpdateResult:
    """What an update changed, and the files left with conflict markers to resolve."""

    project: Path
    source: str
    old_commit: str | None
    new_commit: str | None
    changed: tuple[PurePosixPath, ...]
    conflicts: tuple[PurePosixPath, ...]


def update(request: UpdateRequest) -> UpdateResult:
    """Run Copier's update (a three-way merge through git) on a generated project.

    Refused unless the project is committed to git with no local changes, so
    the update can always be reviewed and undone with git; if the update
    itself fails or is interrupted, the project is put back to its last commit.
    """
    project = Path(os.path.abspath(request.project))
    answers_file = _answers_file(project)
    answers = _read_answers(answers_file)
    source = _updatable_source(project, answers)
    _require_clean_git(project)
    from copier.errors import CopierAnswersInterrupt, CopierError
    from jinja2 import TemplateError as JinjaTemplateError
    from plumbum import ProcessExecutionError

    worker = _worker_class()(
        dst_path=project,
        answers_file=answers_file.relative_to(project),
        vcs_ref=request.vcs_ref,
        data=dict(request.data),
        defaults=not request.interactive,
        overwrite=True,
        quiet=True,
        unsafe=request.trust,
        skip_answered=True,
        conflict="inline",
    )
    try:
        with worker, _copier_warnings_silenced():
            try:
                worker.run_update()
            except ValueError as exc:
                if not _REQUIRED_QUESTION.match(str(exc)):
                    raise
                raise _missing_answers_error(
                    source, worker.template.questions_data, request.data, str(exc)
                ) from exc
    except BaseException as exc:
        _restore_last_commit(project)
        if isinstance(exc, ScaffoldError):
            raise
        if isinstance(exc, CopierAnswersInterrupt):
            raise KeyboardInterrupt from None
        if isinstance(exc, CopierError | JinjaTemplateError | ValueError | TypeError):
            raise TemplateError(_one_line(f"cannot update {project}: {exc}")) from exc
        if isinstance(exc, ProcessExecutionError):
            raise TemplateError(_git_failure(source, exc)) from exc
        raise
    record_scaffold_version(answers_file)
    new_answers = _read_answers(answers_file)
    return UpdateResult(
        project=project,
        source=source,
        old_commit=_optional_str(answers.get("_commit")),
        new_commit=_optional_str(new_answers.get("_commit")),
        changed=_git_paths(
            project, "ls-files", "--modified", "--deleted", "--others", "--exclude-standard"
        ),
        conflicts=_git_paths(project, "diff", "--name-only", "--relative", "--diff-filter=U"),
    )


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _answers_file(project: Path) -> Path:
    if not project.is_dir():
        raise DestinationError(f"project folder {project} does not exist")
    default = project / ".copier-answers.yml"
    if default.is_file():
        return default
    candidates = sorted(project.glob(".copier-answers*.y*ml"))
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(path.name for path in candidates)
        raise UsageError(f"{project} holds several Copier answers files ({names})")
    raise UsageError(
        f"{project} has no .copier-answers.yml: it was not generated by a template that"
        " records its answers, so there is no template to update from"
    )


def _read_answers(path: Path) -> dict[str, object]:
    import yaml

    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(_one_line(f"cannot read {path}: {exc}")) from exc
    if not isinstance(answers, dict):
        raise TemplateError(f"{path} is not a Copier answers file (expected a mapping)")
    return answers


def _updatable_source(project: Path, answers: Mapping[str, object]) -> str:
    """The recorded template source, or a clear refusal saying why it cannot be updated."""
    source = answers.get("_src_path")
    if not isinstance(source, str) or not source:
        raise UsageError(
            f"{project}'s answers file records no template source (_src_path); it cannot be updated"
        )
    local = not is_remote_source(source)
    if local and not Path(source).is_absolute():
        raise UsageError(
            f"{project}'s answers file records the relative template path {source!r}, which"
            " only resolves from the folder Copier ran in; set _src_path to an absolute path"
            " or URL, commit, and retry"
        )
    builtin = Path(source).name
    if (
        local
        and builtin in BUILTIN_TEMPLATES
        and Path(source).parent.name
        in (
            "_templates",
            "templates",
        )
    ):
        raise UsageError(
            f"{project} comes from scaffold's built-in {builtin!r} template, which ships"
            " inside scaffold without version history, so there is no old version to merge"
            f" from: it cannot be updated. What works: commit, run `scaffold new {builtin}`"
            f" again with the same options and --force --dest {project}, then review"
            " `git diff` (your edits to generated files show as changes to keep or drop)"
        )
    if local and "_commit" not in answers:
        raise UsageError(
            f"{project} comes from the template folder {source}, which is not a git"
            " repository: Copier updates only from git-hosted templates with version tags;"
            " put the template under git, tag its versions and generate from it"
        )
    return source


def _git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc.strerror or exc}); install git") from exc


def _require_clean_git(project: Path) -> None:
    if _git(project, "rev-parse", "--show-toplevel").returncode != 0:
        raise UsageError(
            f"{project} is not in a git repository: the update is a three-way merge through"
            " git; run `git init && git add -A && git commit -m 'Generated'` first"
        )
    if _git(project, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        raise UsageError(f"{project} has no commit yet; commit it before updating")
    dirty = _git(project, "status", "--porcelain", "--untracked-files=all", "--", ".")
    lines = dirty.stdout.splitlines()
    if lines:
        shown = ", ".join(line[3:] for line in lines[:5])
        more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
        raise UsageError(
            f"{project} has uncommitted changes ({shown}{more}); commit or stash them"
            " first, so the update can be reviewed and undone with git"
        )


def _restore_last_commit(project: Path) -> None:
    """Undo a failed update: the tree was clean before it, so HEAD is the state to restore."""
    _git(project, "reset", "--quiet", "--", ".")
    _git(project, "checkout", "--quiet", "--", ".")
    _git(project, "clean", "--quiet", "-d", "--force", "--", ".")


def _git_paths(project: Path, *args: str) -> tuple[PurePosixPath, ...]:
    output = _git(project, *args).stdout
    return tuple(sorted({PurePosixPath(line) for line in output.splitlines() if line}))
