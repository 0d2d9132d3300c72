"""`scaffold update`: Copier's three-way update of a generated project, through git."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scaffold.errors import DestinationError, TemplateError, UsageError, one_line
from scaffold.generate.placement import file_name_limits
from scaffold.generate.run import copier_failures, record_scaffold_version, run_asking_for_missing
from scaffold.generate.trust import worker_class
from scaffold.interrupts import interrupts_deferred, stops_interrupt
from scaffold.templates import BUILTIN_TEMPLATES, is_remote_source

__all__ = ["UpdateRequest", "UpdateResult", "update_project"]


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
    #: The new template version's `_message_after_update`, rendered ("" when it has none).
    message: str = ""


def update_project(request: UpdateRequest) -> UpdateResult:
    """Run Copier's update (a three-way merge through git) on a generated project.

    Refused unless the project is committed to git with no local changes, so
    the update can always be reviewed and undone with git; if the update
    itself fails or is interrupted, the project is put back to its last commit.
    """
    with file_name_limits(
        shorter="move the project to a shorter path or rename the template's long files",
        readable="update a project whose folders you can read and write",
    ):
        return _update(request)


def _update(request: UpdateRequest) -> UpdateResult:
    project = Path(os.path.abspath(request.project))
    answers_file = _answers_file(project)
    answers = _read_answers(answers_file)
    source = _updatable_source(project, answers)
    _require_clean_git(project)
    worker = worker_class()(
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
    # A SIGTERM or SIGHUP (a closed terminal) is undone or held as a Ctrl-C is.
    with stops_interrupt(), contextlib.ExitStack() as complete:
        try:
            with copier_failures(source, f"cannot update {project}"), worker:
                run_asking_for_missing(worker.run_update, worker, source, request.data)
                # Copier prints it only when not quiet; scaffold runs it quietly and words
                # the output itself, so it shows the message as `copier update` would.
                after_update = worker.template.message_after_update
                message = worker._render_string(after_update).strip() if after_update else ""
            # Copier is done: a Ctrl-C from here on is held, so that the update is either
            # undone below or complete, and a complete one is reported (not exit 130).
            complete.enter_context(interrupts_deferred())
            record_scaffold_version(answers_file)
        except BaseException:
            with interrupts_deferred():  # a second Ctrl-C must not stop the restore halfway
                _restore_last_commit(project)
            raise
        return _result(project, source, answers, answers_file, message)


def _result(
    project: Path,
    source: str,
    answers: Mapping[str, object],
    answers_file: Path,
    message: str,
) -> UpdateResult:
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
        message=message,
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
        raise TemplateError(one_line(f"cannot read {path}: {exc}")) from exc
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
