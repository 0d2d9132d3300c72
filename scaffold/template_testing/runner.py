"""Running `templates test`: each answer set rendered as `new` renders it, then checked."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scaffold import __version__
from scaffold.errors import ScaffoldError, UsageError
from scaffold.template_testing.answer_sets import AnswerSet
from scaffold.template_testing.commands import Processes, run_command
from scaffold.template_testing.declared import Command, command_text
from scaffold.template_testing.report import Outcome, SetResult, StepResult, TestReport

__all__ = ["SCAFFOLD_CHECK", "TemplateTestRequest", "clock", "run_template_tests"]

#: The check every answer set gets, whatever the template declares.
SCAFFOLD_CHECK = "scaffold check"
#: Where times come from; tests replace it to get the same table every run.
clock: Callable[[], float] = time.perf_counter


@dataclass(frozen=True)
class TemplateTestRequest:
    """One `templates test` run: the template, its answer sets and what to run in each.

    `install` commands run only with `venv` (a fresh virtual environment per set);
    `commands` run after `scaffold check`, each with `timeout` seconds. `keep` is the
    folder the rendered projects stay in (None: a temporary folder, removed).
    """

    source: str
    sets: tuple[AnswerSet, ...]
    commands: tuple[Command, ...] = ()
    install: tuple[Command, ...] = ()
    name: str = "demo"
    vcs_ref: str | None = None
    trust: bool = False
    venv: bool = False
    timeout: float = 600.0
    jobs: int = 1
    keep: Path | None = None


OnDone = Callable[[SetResult, int, int], None]


def run_template_tests(request: TemplateTestRequest, on_done: OnDone | None = None) -> TestReport:
    """Render and check every answer set, `request.jobs` at a time; report them in order.

    `on_done(result, finished, total)` is called as each set finishes (for progress).
    Renders take turns (Copier runs tasks in the process's working folder); checks run
    side by side. Ctrl-C stops every running command and removes the temporary folder.
    """
    render_lock = threading.Lock()
    processes = Processes()
    finished = 0
    count_lock = threading.Lock()

    def one(number: int, answer_set: AnswerSet, root: Path) -> SetResult:
        nonlocal finished
        result = _test_one(request, answer_set, root / f"set-{number:02d}", render_lock, processes)
        with count_lock:
            finished += 1
            if on_done is not None:
                on_done(result, finished, len(request.sets))
        return result

    with _work_folder(request.keep) as root, ThreadPoolExecutor(max(1, request.jobs)) as pool:
        futures = [pool.submit(one, n, s, root) for n, s in enumerate(request.sets, start=1)]
        try:
            results = tuple(future.result() for future in futures)
        except BaseException:
            for future in futures:
                future.cancel()
            processes.kill_all()
            raise
    return TestReport(request.source, results)


@contextmanager
def _work_folder(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        root = Path(tempfile.mkdtemp(prefix="scaffold-templates-test-"))
        try:
            yield root
        finally:
            shutil.rmtree(root, ignore_errors=True)
        return
    if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        raise UsageError(f"--keep {keep} exists and is not an empty folder; choose a new folder")
    keep.mkdir(parents=True, exist_ok=True)
    yield keep.resolve()


def _test_one(
    request: TemplateTestRequest,
    answer_set: AnswerSet,
    folder: Path,
    render_lock: threading.Lock,
    processes: Processes,
) -> SetResult:
    project = folder / request.name
    steps = [_render(request, answer_set, project, render_lock)]
    env = _environment(folder / "venv" if request.venv else None)
    checks: list[tuple[str, Command, Mapping[str, str]]] = []
    if request.venv:
        checks.append(("venv", (sys.executable, "-m", "venv", str(folder / "venv")), env))
        checks.extend((f"install: {command_text(c)}", c, env) for c in request.install)
    # scaffold check runs with this scaffold, whatever the project's environment holds.
    scaffold_check = (sys.executable, "-m", "scaffold", "check", "--no-cache", ".")
    checks.append((SCAFFOLD_CHECK, scaffold_check, _environment(None)))
    checks.extend((command_text(c), c, env) for c in request.commands)
    prepared = 1 + (1 + len(request.install) if request.venv else 0)
    for name, command, command_env in checks:
        # A failed render, venv or install leaves nothing worth checking.
        if any(step.outcome is not Outcome.PASS for step in steps[:prepared]):
            steps.append(StepResult(name, Outcome.SKIP, 0.0, "an earlier step failed"))
            continue
        start = clock()
        passed, output = run_command(command, project, command_env, request.timeout, processes)
        outcome = Outcome.PASS if passed else Outcome.FAIL
        steps.append(StepResult(name, outcome, clock() - start, output))
    kept = project if request.keep is not None else None
    return SetResult(answer_set.label, answer_set.answers, tuple(steps), kept)


def _render(
    request: TemplateTestRequest, answer_set: AnswerSet, project: Path, lock: threading.Lock
) -> StepResult:
    from scaffold.generate import GenerateRequest, generate

    data = {"scaffold_version": __version__, **answer_set.answers}
    start = clock()
    try:
        with lock:
            # Timed from inside the lock: waiting for another set's render is not this one's.
            start = clock()
            generate(
                GenerateRequest(
                    source=request.source,
                    destination=project,
                    data=data,
                    vcs_ref=request.vcs_ref,
                    trust=request.trust,
                )
            )
    except ScaffoldError as exc:
        return StepResult("render", Outcome.FAIL, clock() - start, exc.message)
    return StepResult("render", Outcome.PASS, clock() - start)


def _environment(venv: Path | None) -> dict[str, str]:
    """The commands' environment: a fresh venv's, or the one scaffold runs in, first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        first = venv / ("Scripts" if sys.platform == "win32" else "bin")
    else:
        first = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(first), env.get("PATH", "")])
    return env
