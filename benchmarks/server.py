"""Edit -> diagnostics latency of `scaffold server` on sympy, through a real LSP client
(pytest-lsp) over stdio: `python benchmarks/server.py [--edits N]`.

Each edit is a didChange of sympy/core/basic.py (the four edit kinds of benchmarks/run.py),
followed by a pull of that file's diagnostics (`textDocument/diagnostic`), which the server
answers once the analysis of the edit has run: the time to that answer is the time to
diagnostics of the edited file and of every file, as one analysis makes both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

# Run as `python benchmarks/server.py`: this folder is sys.path[0], so its modules import by name.
from trees import real_tree


def _edits(text: str, n: int) -> dict[str, list[str]]:
    at = text.index("\nclass ") + 1
    return {
        "comment appended": [text + f"# {i}\n" for i in range(n)],
        "new top-level name": [text + f"_bench_{i} = 1\n" for i in range(n)],
        "function inserted": [
            text[:at] + f"def _bench_{i}() -> int:\n    return 1\n\n\n" + text[at:]
            for i in range(n)
        ],
        "new import": [
            text + f"from sympy.core.singleton import S as _bench_{i}\n" for i in range(n)
        ],
    }


async def _run(root: Path, n: int) -> None:
    profile = os.environ.get("SCAFFOLD_BENCH_PROFILE")  # a file for the server's cProfile
    prefix = ["-m", "cProfile", "-o", profile] if profile else []
    command = [sys.executable, *prefix, "-m", "scaffold", "server"]
    config = ClientServerConfig(server_command=command)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    capabilities = lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(
            diagnostic=lsp.DiagnosticClientCapabilities()
        )
    )
    victim = root / "sympy" / "core" / "basic.py"
    text = victim.read_text(encoding="utf-8")
    uri = victim.as_uri()
    started = time.perf_counter()
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "sympy")],
            initialization_options={"debounce": 0},
        )
    )
    pull = lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
    await client.text_document_diagnostic_async(pull)
    print(f"initial workspace diagnostics: {time.perf_counter() - started:.2f} s")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text))
    )
    await client.text_document_diagnostic_async(pull)
    version = 1
    print("| edit | n | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for kind, texts in _edits(text, n).items():
        times = []
        for new in texts:
            version += 1
            change = lsp.TextDocumentContentChangeWholeDocument(text=new)
            began = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]
                )
            )
            await client.text_document_diagnostic_async(pull)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"| {kind} | {n} | {statistics.median(times):.0f} | {p95:.0f} |")
    server = client._server
    if server is not None:
        status = Path(f"/proc/{server.pid}/status")
        if status.exists():  # Linux: the server's peak resident memory
            peak = [line for line in status.read_text().splitlines() if line.startswith("VmHWM")]
            print(f"server peak resident memory: {peak[0].split(':')[1].strip()}")
    await client.shutdown_session()
    await client.stop()  # type: ignore[no-untyped-call]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--tree", type=Path, help="a folder holding sympy/ (default: installed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    try:
        root = work / "sympy-tree"
        shutil.copytree((args.tree or real_tree()) / "sympy", root / "sympy")
        asyncio.run(_run(root, args.edits))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
