"""Running Copier: a request rendered into a staging folder, Copier's failures as scaffold's."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from scaffold import __version__
from scaffold.errors import (
    DestinationError,
    ScaffoldError,
    TemplateError,
    UsageError,
    one_line,
)
from scaffold.generate.answers import BuiltinAnswers, copier_data
from scaffold.generate.placement import (
    BACKUP_FOLDER,
    check_destination,
    conflicts,
    file_name_limits,
    leftover_runs,
    move_into_place,
    staging_folder,
    walk_files,
)
from scaffold.generate.temporaries import copier_temporaries
from scaffold.generate.trust import worker_class
from scaffold.templates import is_remote_source

if TYPE_CHECKING:
    from copier._main import Worker

__all__ = [
    "GenerateRequest",
    "GenerateResult",
    "copier_failures",
    "generate",
    "record_scaffold_version",
    "render_template",
    "run_asking_for_missing",
]

_REQUIRED_QUESTION = re.compile(r'^Question "(?P<name>.+)" is required$')


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
    #: A built-in template's typed answers, or a team template's `--data` answers.
    data: Mapping[str, object] | BuiltinAnswers = field(default_factory=dict)
    vcs_ref: str | None = None
    force: bool = False
    dry_run: bool = False
    interactive: bool = False
    trust: bool = False
    merge: bool = False
    #: Defaults for questions `data` leaves open, asked with them on a terminal (Copier's
    #: user_defaults): what git knows of the author, for instance.
    user_defaults: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerateResult:
    """What a run wrote (or, with dry_run, would write)."""

    destination: Path
    files: tuple[PurePosixPath, ...]
    replaced: tuple[PurePosixPath, ...]
    dry_run: bool
    #: The template's version as `git describe` names it (`v2`), for git templates.
    commit: str | None = None
    #: The template's `_message_after_copy`, rendered ("" when it has none).
    message: str = ""
    #: What the user should know besides the files: leftovers of an earlier, killed run.
    notes: tuple[str, ...] = ()


def generate(request: GenerateRequest) -> GenerateResult:
    """Render `request.source` into `request.destination`, all or nothing.

    The template is rendered into a staging folder beside the destination,
    under the destination's own name (Copier gives templates that name as
    `_folder_name`). Only a complete render is moved into place; files it
    replaces are backed up first and restored if the move fails or is
    interrupted. On any failure the destination is left exactly as it was.
    """
    destination = Path(os.path.abspath(request.destination))
    with file_name_limits():
        check_destination(destination, merge=request.merge, force=request.force)
        notes = leftover_runs(destination, dry_run=request.dry_run)
        with staging_folder(destination) as staging:
            rendered = staging / destination.name
            commit, message = _render(request, rendered)
            files = tuple(sorted(walk_files(rendered)))
            replaced = conflicts(files, destination, merge=request.merge, force=request.force)
            if not request.dry_run:
                move_into_place(rendered, destination, files, staging / BACKUP_FOLDER)
    return GenerateResult(destination, files, replaced, request.dry_run, commit, message, notes)


def render_template(
    source: str,
    data: Mapping[str, object] | BuiltinAnswers,
    rendered: Path,
    *,
    interactive: bool = False,
) -> tuple[PurePosixPath, ...]:
    """Render `source` into the new folder `rendered`; return the files it holds."""
    request = GenerateRequest(
        source=source, destination=rendered, data=data, interactive=interactive
    )
    _render(request, rendered)
    return tuple(sorted(walk_files(rendered)))


def _render(request: GenerateRequest, rendered: Path) -> tuple[str | None, str]:
    """Run Copier into `rendered`; return the template's git description (`v2`), if any,
    and its rendered `_message_after_copy` (Copier prints it only when not quiet, and
    scaffold runs it quietly to word its own output)."""
    data = copier_data(request.data)
    worker = worker_class()(
        src_path=request.source,
        dst_path=rendered,
        data=data,
        user_defaults=dict(request.user_defaults),
        vcs_ref=request.vcs_ref,
        defaults=not request.interactive,
        overwrite=True,
        quiet=True,
        unsafe=request.trust,
        # A dry run writes nothing, and runs nothing either.
        skip_tasks=request.dry_run,
    )
    try:
        with copier_failures(request.source, f"template {request.source}"), worker:
            _check_source(request, worker)
            _check_answers_file(request.source, worker.template.config_data)
            run_asking_for_missing(worker.run_copy, worker, request.source, data)
            answers_relpath = worker.answers_relpath
            commit = worker.template.commit
            after_copy = worker.template.message_after_copy
            # Copier rendered into the staging folder; the message is about the project
            # where it lands, so `_copier_conf.dst_path` names the destination.
            worker.dst_path = Path(os.path.abspath(request.destination))
            message = worker._render_string(after_copy).strip() if after_copy else ""
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise  # worded by file_name_limits, which knows no render detail is needed
        if exc.errno == errno.ENOSPC:
            raise DestinationError("no space left on the device; nothing was written") from exc
        raise DestinationError(
            one_line(f"cannot render into {rendered.parent}: {exc}; nothing was written")
        ) from exc
    if not rendered.is_dir():
        raise TemplateError(f"template {request.source} produced no files")
    answers_file = rendered / answers_relpath
    real = answers_file.resolve()
    if rendered.resolve() not in real.parents:
        raise _answers_file_outside(request.source, answers_relpath)
    record_scaffold_version(answers_file)
    return commit, message


def _check_answers_file(source: str, config: Mapping[str, object]) -> None:
    """Refuse an `_answers_file` that names a place outside the project, before rendering."""
    configured = config.get("answers_file")
    if isinstance(configured, str) and (
        os.path.isabs(configured) or os.path.normpath(configured).startswith("..")
    ):
        raise _answers_file_outside(source, Path(configured))


def _answers_file_outside(source: str, path: Path) -> TemplateError:
    return TemplateError(
        f"template {source} sets _answers_file to {str(path)!r}, outside the project;"
        " scaffold writes only inside the destination: use a path inside it"
        " (such as .copier-answers.yml)"
    )


def _check_source(request: GenerateRequest, worker: Worker) -> None:
    """Refuse what Copier would misread: a URL it takes for a folder, a ref of a folder."""
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


@contextlib.contextmanager
def copier_failures(source: str, context: str) -> Iterator[None]:
    """Run Copier quietly; what it, Jinja or git raise becomes a one-line ScaffoldError.

    `context` opens the message (`template SRC`, `cannot update PROJECT`); a Jinja
    syntax error adds its file and line. Every run of Copier goes through here, and
    keeps its temporary folders where the next run removes them if this one is killed.
    """
    # Imported here: copier and jinja2 cost ~0.4 s, which no other command pays.
    from copier.errors import CopierAnswersInterrupt, CopierError
    from jinja2 import TemplateError as JinjaTemplateError
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError
    from plumbum import ProcessExecutionError

    try:
        with warnings.catch_warnings(), copier_temporaries():
            # Copier warns about dirty local templates and missing settings through
            # `warnings`, which would print multi-line source excerpts under our output.
            warnings.simplefilter("ignore")
            yield
    except ScaffoldError:
        raise
    except CopierAnswersInterrupt:
        raise KeyboardInterrupt from None
    except (CopierError, JinjaTemplateError, ValueError, TypeError) as exc:
        # Copier reports an answer its validator refuses as a ValueError.
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, JinjaSyntaxError) else ""
        raise TemplateError(one_line(f"{context}{where}: {exc}")) from exc
    except ProcessExecutionError as exc:
        raise TemplateError(_git_failure(source, exc)) from exc


def run_asking_for_missing(
    run: Callable[[], object], worker: Worker, source: str, data: Mapping[str, object]
) -> None:
    """Run the worker's copy or update; if Copier stops at an unanswered question, name them all."""
    try:
        run()
    except ValueError as exc:
        if not _REQUIRED_QUESTION.match(str(exc)):
            raise
        raise _missing_answers_error(
            source, worker.template.questions_data, data, str(exc)
        ) from exc


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
        one_line(
            f"template {source} asks questions that --data does not answer: {shown};"
            f" pass {example}, or run on a terminal to be asked"
        )
    )


def _git_failure(source: str, exc: BaseException) -> str:
    stderr = str(getattr(exc, "stderr", "") or "").strip()
    reason = stderr.splitlines()[-1] if stderr else str(exc)
    return one_line(f"cannot fetch template {source} with git: {reason}")


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
