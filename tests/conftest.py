"""Shared fixtures: isolate every test from the user's Copier and scaffold settings; run
commands and build wheels the way the end-to-end tests all need."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user's Copier `trust:` list or defaults would change what templates do.
    home = tmp_path_factory.mktemp("home")
    settings = home / "copier-settings.yml"
    settings.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    # The language server's compiled lsprotocol code, which it keeps in the user's cache
    # folder, goes to one file of this test run, never the user's. (Not XDG_CACHE_HOME:
    # a fresh cache folder is created by the first command that uses it, which would make
    # the fault harness's counted steps differ between its two runs.)
    monkeypatch.setenv(
        "SCAFFOLD_SERVER_CODE_CACHE", str(tmp_path_factory.getbasetemp() / "server-attrs.bin")
    )
    monkeypatch.delenv("SCAFFOLD_DEBUG", raising=False)
    # The machine's git identity would become every generated project's author (git
    # config is where `scaffold new` finds its defaults): none is configured here, and
    # commits take theirs from the environment. Tests of the defaults write their own.
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Scaffold Tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@scaffold.invalid")


TESTS = Path(__file__).resolve().parent
REPOSITORY = TESTS.parent
# Folders of data that pytest never imports: bytecode there was written by a test.
_DATA_FOLDERS = frozenset({"fixtures", "golden"})


def entries_below(root: Path) -> frozenset[str]:
    """Every file and folder below `root`, relative, except the `__pycache__` folders pytest
    writes beside the test modules it imports (bytecode inside fixture data is kept)."""
    found: set[str] = set()
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        parts = set(Path(rel).parts)
        if "__pycache__" in dirs and not parts & _DATA_FOLDERS:
            dirs.remove("__pycache__")
        found.update(os.path.normpath(os.path.join(rel, name)) for name in (*dirs, *files))
    return frozenset(found)


def cache_files(folder: Path) -> frozenset[tuple[str, int, int]]:
    """Each file in the cache folder `folder` with its size and mtime (none: no folder)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return frozenset()
    found = set()
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        found.add((entry.name, info.st_size, info.st_mtime_ns))
    return frozenset(found)


# The machine's temporary folder, before the test run puts its own in its place.
MACHINE_TEMP = tempfile.gettempdir()


@pytest.fixture(scope="session", autouse=True)
def _private_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # The folders tests make with `tempfile` and the temporary files of the commands they
    # run go to a folder of this run (of this xdist worker), not the machine's /tmp: the
    # guard below can then tell a cache written there by a test of this run from one
    # written by anything else on the machine.
    folder = tmp_path_factory.getbasetemp() / "tmp"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        patch.setenv("TMPDIR", str(folder))
        yield folder


def _watched_caches() -> dict[str, Path]:
    # The caches a check writes when its project root is the repository (a fixture without
    # a pyproject.toml of its own) or the temporary folder (a package made directly there).
    return {
        "repository": REPOSITORY / ".scaffold_cache",
        "temporary folder": Path(tempfile.gettempdir(), ".scaffold_cache"),
    }


@pytest.fixture(scope="module", autouse=True)
def _tests_folder_stays_untouched(
    request: pytest.FixtureRequest, _private_temporary_folder: Path
) -> Iterator[None]:
    # Tests write under tmp_path: a cache or bytecode left in tests/ (ignored by git, so
    # unseen) changes what the next run of a fixture finds, and a cache written in the
    # repository's or the temporary folder's .scaffold_cache/ outlives the run. Under
    # xdist another worker's module can write in tests/ or the repository while this one
    # runs; the message names the paths either way.
    before = entries_below(TESTS)
    caches = _watched_caches()
    cached = {name: cache_files(folder) for name, folder in caches.items()}
    yield
    left = sorted(entries_below(TESTS) - before)
    if left:
        pytest.fail(
            f"{request.node.nodeid} left {len(left)} new entries in tests/ (copy the fixture"
            f" to tmp_path, or pass --no-cache): {', '.join(left[:5])}",
            pytrace=False,
        )
    for name, folder in caches.items():
        written = sorted(entry[0] for entry in cache_files(folder) - cached[name])
        if written:
            pytest.fail(
                f"{request.node.nodeid} wrote {len(written)} files in the {name}'s cache"
                f" {folder} (check a tmp_path copy, or pass --no-cache or --cache-dir):"
                f" {', '.join(written[:5])}",
                pytrace=False,
            )


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to prove a failed run changed nothing."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    } | {
        path.relative_to(root).as_posix() + "/": b""
        for path in sorted(root.rglob("*"))
        if path.is_dir()
    }


def run_ok(argv: list[str], cwd: Path, *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would (not with this test run's import path or pytest
    settings) and fail the test with its output unless it exits 0."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("PYTEST_")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{argv} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def build_wheel(project: Path, dist: Path) -> Path:
    """Build `project`'s wheel into `dist` with this interpreter's hatchling (no network).

    Requires-Python is not enforced: some answer sets target a newer Python than the one
    running the tests, and building does not run the code.
    """
    before = set(dist.glob("*.whl")) if dist.is_dir() else set()
    run_ok(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--ignore-requires-python",
            "-w",
            str(dist),
            str(project),
        ],
        project,
    )
    (wheel,) = set(dist.glob("*.whl")) - before
    return wheel


def assert_refused(
    argv: list[str], fragment: str, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`scaffold ARGV` is refused the way all bad input is: exit 2, one `error:` line on
    stderr naming the problem, no traceback, and nothing under `root` changed."""
    from scaffold.cli import main

    before = tree_snapshot(root)
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert tree_snapshot(root) == before


def tools_venv(path: Path) -> Path:
    """A fresh virtual environment at `path` that sees this one's packages (pytest, ruff,
    mypy, hatchling, scaffold) after its own, as a project's dev install would give them,
    without the network. Returns its python; a project installed into it is imported
    from its site-packages, not from the source tree."""
    venv.create(path, with_pip=True, clear=True)
    python = path / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = run_ok(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], path
    ).stdout.strip()
    Path(site, "_scaffold_test_tools.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return python


def install_wheel(python: Path, project: Path, dist: Path) -> Path:
    """Build `project`'s wheel into `dist` and install it, without its dependencies, into
    the environment of `python`; returns the wheel."""
    wheel = build_wheel(project, dist)
    install = [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps"]
    run_ok([*install, "--ignore-requires-python", str(wheel)], dist)
    return wheel


#: What a project without a CI workflow is checked with: the README's commands.
README_COMMANDS = [
    "python -m pytest",
    "ruff check .",
    "ruff format --check .",
    "mypy",
    "scaffold check .",
]


def ci_commands(project: Path) -> list[str]:
    """The commands the project's own CI workflow runs, less its install step (the test
    environment has the tools); the README's commands when it has no workflow."""
    workflow = project / ".github" / "workflows" / "ci.yml"
    if not workflow.is_file():
        return README_COMMANDS
    (job,) = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].values()
    return [step["run"] for step in job["steps"] if "run" in step and "install" not in step["run"]]


def run_shell(command: str, project: Path, *bindirs: Path) -> subprocess.CompletedProcess[str]:
    """Run a generated shell command in `project`, with `bindirs` and then this
    environment's scripts first on PATH, as an activated virtual environment would."""
    # The generated commands name bare tools (python, ruff, mypy, scaffold).
    path = ":".join(shlex.quote(str(d)) for d in [*bindirs, Path(sys.executable).parent])
    return run_ok(["bash", "-c", f"PATH={path}:$PATH; {command}"], project)


def _sigint_state() -> tuple[object, int | None, bool]:
    """SIGINT as the process handles it: Python's handler, the C-level handler Python's
    runtime would call (a library can set it under Python's back, as prompt_toolkit does
    with ctypes), and whether the main thread blocks the signal."""
    import ctypes
    import signal

    getsig = ctypes.pythonapi.PyOS_getsig
    getsig.restype, getsig.argtypes = ctypes.c_void_p, (ctypes.c_int,)
    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return signal.getsignal(signal.SIGINT), getsig(signal.SIGINT), blocked


def _restore_sigint(state: tuple[object, int | None, bool]) -> None:
    import ctypes
    import signal

    handler, os_level, blocked = state
    signal.signal(signal.SIGINT, handler)  # type: ignore[arg-type]
    setsig = ctypes.pythonapi.PyOS_setsig
    setsig.restype, setsig.argtypes = ctypes.c_void_p, (ctypes.c_int, ctypes.c_void_p)
    setsig(signal.SIGINT, os_level)
    how = signal.SIG_BLOCK if blocked else signal.SIG_UNBLOCK
    signal.pthread_sigmask(how, [signal.SIGINT])


def ctrl_c_reaches_python() -> None:
    """Let a Ctrl-C raise KeyboardInterrupt in this process even when it was started with
    SIGINT ignored (a shell without job control starts background commands so, as nohup
    and some CI runners do): Python then installs no handler of its own, and the fault
    tests' real SIGINT would be dropped (found running the suite as a background job).
    SIGTERM and SIGHUP get their default action back too (nohup ignores SIGHUP): the
    commands the signal tests start inherit an ignored signal and, as they should, keep
    ignoring it."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for stopping in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(stopping) is signal.SIG_IGN:
            signal.signal(stopping, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


def pytest_configure(config: pytest.Config) -> None:
    # Before xdist starts its workers: they are then started with SIGINT's default action.
    ctrl_c_reaches_python()


@pytest.fixture(autouse=True)
def _sigint_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    # The Ctrl-C fault tests raise a real SIGINT and expect a KeyboardInterrupt: a test
    # that leaves SIGINT ignored, handled by a leftover handler or blocked makes them fail
    # later in the same worker, far from the cause. Put it back, and name the test.
    before = _sigint_state()
    yield
    after = _sigint_state()
    if after[0] is not before[0] or after[1:] != before[1:]:
        _restore_sigint(before)
        pytest.fail(
            f"{request.node.nodeid} left SIGINT handled differently: {before} -> {after}",
            pytrace=False,
        )
