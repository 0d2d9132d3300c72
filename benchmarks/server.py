"""Edit -> diagnostics latency of `scaffold server` on sympy or prompt_toolkit, through a real
LSP client (pytest-lsp) over stdio, with pyright's language server on the same edits as a
reference: `python benchmarks/server.py [--project NAME] [--edits N] [--tree DIR] [--pyright]
[--only-pyright]`.

Each edit is a didChange of the project's edit target (sympy/core/basic.py,
prompt_toolkit/buffer.py), with the four edit kinds of benchmarks/run.py.
scaffold's server is then asked for that file's diagnostics (`textDocument/diagnostic`),
which it answers once the analysis of the edit has run: one analysis gives the edited file's
and every other file's diagnostics, so the time to that answer is both. pyright pushes the
edited file's diagnostics (`publishDiagnostics` carrying the edit's version). Each edit is
timed twice: wall time, and the CPU time the server's processes spent on it (every thread,
from /proc/PID/task/*/schedstat), which a loaded machine disturbs far less.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

# Run as `python benchmarks/server.py`: this folder is sys.path[0], so its modules import by name.
from trees import SYMPY_VERSION, real_tree

# name -> (pinned version, the file edited, the module the "new import" edit imports from)
PROJECTS = {
    "sympy": (SYMPY_VERSION, "sympy/core/basic.py", "from sympy.core.singleton import S"),
    "prompt_toolkit": (
        "3.0.48",
        "prompt_toolkit/buffer.py",
        "from prompt_toolkit.filters import Condition",
    ),
}


def _edits(text: str, n: int, new_import: str) -> dict[str, list[str]]:
    at = text.index("\nclass ") + 1
    return {
        "comment appended": [text + f"# {i}\n" for i in range(n)],
        "new top-level name": [text + f"_bench_{i} = 1\n" for i in range(n)],
        "function inserted": [
            text[:at] + f"def _bench_{i}() -> int:\n    return 1\n\n\n" + text[at:]
            for i in range(n)
        ],
        "new import": [text + f"{new_import} as _bench_{i}\n" for i in range(n)],
    }


def _tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants (pyright's wrapper starts node as a child)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def cpu_ns(pids: list[int]) -> int:
    """CPU time of every thread of `pids` so far, in ns (0 where /proc cannot tell)."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue
    return total


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of `pid` and its descendants, the reaped ones included (the forkserver's
    parsing workers are gone by the time the first diagnostics arrive)."""
    total = 0
    for each in _tree_pids(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def cold_check(root: Path, project: str, *flags: str) -> tuple[float, float, int]:
    """`scaffold check -q project` of the same tree with `flags`: wall s, CPU s, peak MB (the
    largest process: the parsing workers fork from it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    command = [sys.executable, "-m", "scaffold", "check", *flags, "-q", project]
    subprocess.run(command, cwd=root, stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, after.ru_maxrss // 1024


def checks(root: Path, project: str, cache: Path) -> None:
    """The checks the server's first diagnostics compare with: a cold check without the
    cache, a cold check writing it (what `scaffold check` does the first time; the server
    writes the same cache), and a warm one (what the server's later starts compare with).
    Their cache is kept in `cache`, so the server's own first start is cold."""
    for title, flags in (
        ("cold `scaffold check --no-cache`", ("--no-cache",)),
        ("cold `scaffold check` (writes the cache)", ("--cache-dir", str(cache))),
        ("warm `scaffold check`", ("--cache-dir", str(cache))),
    ):
        wall, cpu, peak = cold_check(root, project, *flags)
        print(f"{title} of the same tree: {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak} MB")


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


async def _time_edits(
    client: LanguageClient,
    uri: str,
    texts: dict[str, list[str]],
    answered: Callable[[int], Awaitable[object]],
    pids: list[int],
) -> None:
    """Each edit as a whole-document didChange, timed until `answered(version)` returns."""
    version = 1
    print("| edit | n | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, edits in texts.items():
        walls, cpus = [], []
        for new in edits:
            version += 1
            change = lsp.TextDocumentContentChangeWholeDocument(text=new)
            began, cpu = time.perf_counter(), cpu_ns(pids)
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]
                )
            )
            await answered(version)
            walls.append((time.perf_counter() - began) * 1000)
            cpus.append((cpu_ns(pids) - cpu) / 1e6)
        (w50, w95), (c50, c95) = _percentiles(walls), _percentiles(cpus)
        print(f"| {kind} | {len(edits)} | {w50:.0f} | {w95:.0f} | {c50:.0f} | {c95:.0f} |")


def _peak(pids: list[int]) -> str:
    """The largest process's peak resident memory, and the sum of every process's peak."""
    peaks: list[int] = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            lines = [line for line in status.read_text().splitlines() if line.startswith("VmHWM")]
            peaks.extend(int(line.split()[1]) for line in lines)
    if not peaks:
        return "unknown"
    return f"{max(peaks) // 1024} MB (all {len(peaks)} processes: {sum(peaks) // 1024} MB)"


async def _start(
    root: Path, project: str, title: str, *, quiet: bool = False
) -> tuple[LanguageClient, float, float]:
    """A server started on `root`, once its first workspace diagnostics are pulled; the wall
    and CPU seconds that took."""
    profile = os.environ.get("SCAFFOLD_BENCH_PROFILE")  # a file for the server's cProfile
    prefix = ["-m", "cProfile", "-o", profile] if profile else []
    # The server's store of attrs's compiled code is this run's: the first start here is a
    # first start on a machine (nothing kept from another run).
    store = root.parent / "server-code.bin"
    config = ClientServerConfig(
        server_command=[sys.executable, *prefix, "-m", "scaffold", "server"],
        server_env={**os.environ, "SCAFFOLD_SERVER_CODE_CACHE": str(store)},
    )
    started = time.perf_counter()
    client = await config.start()
    assert isinstance(client, LanguageClient) and client._server is not None
    # As VS Code: pulls diagnostics, and reports changes on disk through the watchers the
    # server registers (so the server need not stat every file after each edit).
    capabilities = lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(
            diagnostic=lsp.DiagnosticClientCapabilities()
        ),
        workspace=lsp.WorkspaceClientCapabilities(
            did_change_watched_files=lsp.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
            diagnostics=lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
        ),
    )

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)  # type: ignore[untyped-decorator]
    def register(params: lsp.RegistrationParams) -> None:
        return None

    uri = (root / PROJECTS[project][1]).as_uri()
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), project)],
            initialization_options={"debounce": 0},
        )
    )
    pull = lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
    await client.text_document_diagnostic_async(pull)
    wall, cpu = time.perf_counter() - started, tree_cpu_s(client._server.pid)
    if not quiet:
        print(
            f"\nscaffold server, {title}: initial workspace diagnostics {wall:.2f} s wall,"
            f" {cpu:.2f} s CPU (the server, its forkserver and parsing workers, start-up"
            " included)"
        )
    return client, wall, cpu


async def _stop(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()  # type: ignore[no-untyped-call]


async def _first_starts(root: Path, project: str, pairs: int) -> None:
    """The server's first start on the project (no `.scaffold_cache/`) and a first
    `scaffold check` (which writes the same cache), `pairs` times in alternation, so the
    machine's drift does not become their ratio; medians."""
    cache = root / ".scaffold_cache"
    server: list[tuple[float, float]] = []
    check: list[tuple[float, float]] = []
    for _ in range(pairs):
        shutil.rmtree(cache, ignore_errors=True)
        client, wall, cpu = await _start(root, project, "first start", quiet=True)
        await _stop(client)
        server.append((wall, cpu))
        shutil.rmtree(cache, ignore_errors=True)
        wall, cpu, _ = cold_check(root, project)
        check.append((wall, cpu))
    (sw, sc), (cw, cc) = (
        tuple(statistics.median(v[i] for v in runs) for i in (0, 1)) for runs in (server, check)
    )
    print(
        f"\nfirst start / first `scaffold check` (writes the cache), {pairs} alternating pairs,"
        f" medians: {sw:.2f} / {cw:.2f} s wall ({sw / cw:.2f}x), {sc:.2f} / {cc:.2f} s CPU"
        f" ({sc / cc:.2f}x)"
    )


async def _scaffold(root: Path, n: int, project: str, pairs: int) -> None:
    # The first start finds no cache; the second (an editor opened again) the facts the first
    # wrote (servers that keep no cache read every file again); the third also the results
    # a `scaffold check` stored. A start on an empty folder comes first: the first start on
    # this machine (no compiled code of attrs's kept), whose first diagnostics leave before
    # the LSP library loads as on any later start.
    empty = root.parent / "empty"
    empty.mkdir(exist_ok=True)
    before, _, _ = await _start(empty, project, "on an empty folder first (first start here)")
    await _stop(before)
    client, _, _ = await _start(root, project, "first start")
    assert client._server is not None
    pids = [client._server.pid]
    _, target, new_import = PROJECTS[project]
    victim = root / target
    text, uri = victim.read_text(encoding="utf-8"), victim.as_uri()
    pull = lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text))
    )
    await client.text_document_diagnostic_async(pull)

    async def answered(version: int) -> object:
        return await client.text_document_diagnostic_async(pull)

    await _time_edits(client, uri, _edits(text, n, new_import), answered, pids)
    print(f"server peak resident memory: {_peak(_tree_pids(pids[0]))}")
    await _stop(client)
    again, _, _ = await _start(root, project, "started again")
    await _stop(again)
    # After a `scaffold check` of the same folder (the workspace folder, as a user runs it
    # there), whose stored results the server reuses.
    command = [sys.executable, "-m", "scaffold", "check", "-q", "."]
    subprocess.run(command, cwd=root, stdout=subprocess.DEVNULL, check=False)
    checked, _, _ = await _start(root, project, "started after a `scaffold check`")
    await _stop(checked)
    if pairs:
        await _first_starts(root, project, pairs)


async def _pyright(root: Path, n: int, project: str, command: list[str]) -> None:
    """pyright's language server on the same edits: the edited file's pushed diagnostics."""
    client = await ClientServerConfig(server_command=command).start()
    assert isinstance(client, LanguageClient) and client._server is not None
    _, target, new_import = PROJECTS[project]
    victim = root / target
    text, uri = victim.read_text(encoding="utf-8"), victim.as_uri()
    capabilities = lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(
            publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(version_support=True)
        ),
        workspace=lsp.WorkspaceClientCapabilities(configuration=True),
    )
    started = time.perf_counter()
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), project)],
        )
    )

    async def answered(version: int) -> object:
        while True:
            params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri and (params.version is None or params.version >= version):
                return params

    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text))
    )
    await answered(1)
    print(
        f"\npyright ({' '.join(command)}): first diagnostics of the opened file"
        f" {time.perf_counter() - started:.2f} s"
    )
    pids = _tree_pids(client._server.pid)
    await _time_edits(client, uri, _edits(text, n, new_import), answered, pids)
    print(f"pyright peak resident memory (largest process): {_peak(pids)}")
    await client.shutdown_session()
    await client.stop()  # type: ignore[no-untyped-call]


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", choices=sorted(PROJECTS), default="sympy")
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument(
        "--tree", type=Path, help="a folder holding the project's package (default: installed)"
    )
    parser.add_argument(
        "--first-starts",
        type=int,
        default=5,
        help="pairs of a first start and a first `scaffold check`, alternating (0: none)",
    )
    parser.add_argument("--pyright", action="store_true", help="pyright's server too")
    parser.add_argument("--only-pyright", action="store_true", help="pyright's server alone")
    parser.add_argument(
        "--pyright-command", default="pyright-langserver --stdio", help="how to start it"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    try:
        name, version = args.project, PROJECTS[args.project][0]
        root = work / f"{name}-tree"
        shutil.copytree((args.tree or real_tree(name, version)) / name, root / name)
        print(f"{name} {version}, editing {PROJECTS[name][1]}; load average {_load()}")
        if not args.only_pyright:
            checks(root, name, work / "check-cache")
            asyncio.run(_scaffold(root, args.edits, name, args.first_starts))
        if args.pyright or args.only_pyright:
            command = args.pyright_command.split()
            asyncio.run(_pyright(root, args.edits, name, command))
        print(f"load average at the end: {_load()}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
