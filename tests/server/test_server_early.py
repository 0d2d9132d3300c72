"""The server's start: the client's initialize request read ahead (and handed on to pygls
unread), and the workspace's first read started from it before pygls is imported."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scaffold.check.discover import discover
from scaffold.check.server.early import Replay, read_first_message, roots_of
from scaffold.check.server.engine import Workspace
from scaffold.errors import ScaffoldError


def _message(payload: object) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _initialize(params: dict[str, object]) -> bytes:
    return _message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})


def test_the_first_message_is_read_and_nothing_after_it() -> None:
    first = _initialize({"rootUri": "file:///work/a"})
    second = _message({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    stream = io.BytesIO(first + second)
    assert read_first_message(stream) == first
    assert stream.read() == second


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_the_stream_read_through_the_replay_is_the_stream_as_sent(head: bytes, tail: bytes) -> None:
    # Whatever arrives (a message, half of one, something else), pygls reads every byte of
    # it in order, the part read ahead included.
    stream = io.BytesIO(head + tail)
    replay = Replay(read_first_message(stream), stream)
    seen = b""
    while line := replay.readline():
        seen += line
        seen += replay.read(3)
    assert seen == head + tail


def test_lines_and_reads_span_the_part_read_ahead_and_the_rest() -> None:
    replay = Replay(b"Content-Length: 5\r\n\r\nab", io.BytesIO(b"cde\r\nnext"))
    assert replay.readline() == b"Content-Length: 5\r\n"
    assert replay.readline() == b"\r\n"
    assert replay.read(5) == b"abcde"
    assert replay.readline() == b"\r\n"
    assert replay.readline() == b"next"


def test_roots_are_the_workspace_folders_else_the_root_uri_else_the_root_path() -> None:
    folders = {
        "workspaceFolders": [{"uri": "file:///w/one", "name": "1"}, {"uri": "file:///w/t%20wo"}]
    }
    assert roots_of(_initialize({**folders, "rootUri": "file:///w"})) == [
        Path("/w/one"),
        Path("/w/t wo"),
    ]
    assert roots_of(_initialize({"workspaceFolders": None, "rootUri": "file:///w"})) == [Path("/w")]
    assert roots_of(_initialize({"rootPath": "/w/p"})) == [Path("/w/p")]
    assert roots_of(_initialize({"rootUri": "untitled:x"})) == []


@pytest.mark.parametrize(
    "message",
    [
        _message({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        _message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": 3}),
        b"Content-Length: 3\r\n\r\n{x}",
        b"",
    ],
)
def test_anything_but_an_initialize_request_names_no_root(message: bytes) -> None:
    assert roots_of(message) == []


def _tree(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text('__all__ = ["missing"]\n', encoding="utf-8")
    (root / "pkg" / "a.py").write_text("from . import b\n", encoding="utf-8")
    (root / "pkg" / "b.py").write_text("from . import a\n", encoding="utf-8")
    return root


def test_a_root_read_ahead_is_discovered_once_and_reports_as_one_read_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "w")
    plain = Workspace()
    plain.add_root(root)
    expected = plain.analyse()
    discovered: list[Path] = []

    def counting(base: Path) -> object:
        discovered.append(base)
        return discover(base)

    monkeypatch.setattr("scaffold.check.server.engine.discover", counting)
    monkeypatch.setattr("scaffold.check.server.files.discover", counting)
    ahead = Workspace()
    ahead.read_ahead(root)
    ahead.add_root(root)
    assert ahead.analyse() == expected
    assert discovered == [root]
    buffer = root / "pkg" / "b.py"
    ahead.buffers[buffer] = "x = 1\n"  # an open buffer counts over what was read ahead
    plain.buffers[buffer] = "x = 1\n"
    assert ahead.analyse() == plain.analyse()


def test_a_root_read_ahead_whose_configuration_is_bad_fails_as_a_plain_one_then_recovers(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "w")
    (root / "pyproject.toml").write_text("[tool.scaffold.check]\nselect = 3\n", encoding="utf-8")
    workspace = Workspace()
    workspace.read_ahead(root)
    workspace.add_root(root)
    with pytest.raises(ScaffoldError):
        workspace.analyse()
    (root / "pyproject.toml").unlink()
    workspace.files_changed([root / "pyproject.toml"])
    assert any(workspace.analyse().values())


def test_the_first_check_starts_before_pygls_or_typer_is_imported(tmp_path: Path) -> None:
    # Run in a fresh interpreter, through the command line as an editor starts it: whether a
    # module is loaded is a fact of the whole process (the check's child forks from it: what
    # it holds, the parent held then, and loaded before the check could start).
    root = _tree(tmp_path / "w")
    seen = tmp_path / "seen"
    script = textwrap.dedent(
        f"""
        import sys
        from scaffold.check.server import first
        from scaffold.cli import run_console
        check_all = first._check_all

        def spy(bases, options):
            loaded = [name for name in ("pygls", "typer", "click") if name in sys.modules]
            open({str(seen)!r}, "w").write(repr(loaded))
            return check_all(bases, options)

        first._check_all = spy
        sys.argv = ["scaffold", "server"]
        run_console()
        """
    )
    requests = _initialize({"rootUri": root.as_uri(), "capabilities": {}}) + _message(
        {"jsonrpc": "2.0", "method": "exit"}
    )
    command = [sys.executable, "-c", script]
    subprocess.run(command, input=requests, capture_output=True, timeout=120, check=False)
    assert seen.read_text() == "[]"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_exit_ends_the_server_with_a_first_read_still_running(tmp_path: Path) -> None:
    # A first read still parsing when the client says exit (an editor opened on a large tree
    # and closed again): the server ends at once and leaves no worker behind. Here the read
    # starts a worker that never finishes; waited for at the interpreter's exit, it would
    # keep the server up for ever.
    root = _tree(tmp_path / "w")
    pid_file = tmp_path / "worker"
    script = textwrap.dedent(
        f"""
        import multiprocessing, time
        from scaffold.check.server import files, serve

        def spy(base, options):
            worker = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(3600,))
            worker.start()
            open({str(pid_file)!r}, "w").write(str(worker.pid))
            worker.join()

        files.read_root = spy  # read_in_thread takes it from there when it starts the read
        serve()
        """
    )
    shutdown = _message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    requests = _initialize({"rootUri": root.as_uri(), "capabilities": {}}) + shutdown
    exit_ = _message({"jsonrpc": "2.0", "method": "exit"})
    server = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(requests)
        server.stdin.flush()
        while (
            json.loads(read_first_message(server.stdout).partition(b"\r\n\r\n")[2]).get("id") != 2
        ):
            pass  # until shutdown is answered
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.05)
        server.stdin.write(exit_)
        server.stdin.close()
        assert server.wait(timeout=120) == 0
        worker = int(pid_file.read_text())
        for _ in range(600):  # it was sent SIGTERM: gone within moments, not at once
            if not Path(f"/proc/{worker}").exists() or _zombie(worker):
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"worker {worker} is still running")
    finally:  # a failing run leaves nothing behind either
        if server.poll() is None:
            server.kill()
        if pid_file.exists() and pid_file.read_text():
            with contextlib.suppress(OSError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)


@pytest.mark.skipif(sys.platform != "linux", reason="forks, reads /proc")
def test_exit_ends_a_first_check_still_running_and_its_workers(tmp_path: Path) -> None:
    # The editor closes while the first check still runs (a large tree): the server ends
    # it and the workers it forked, instead of leaving a whole check running behind it.
    # Here the check forks a worker and neither ever finishes.
    root = _tree(tmp_path / "w")
    pid_file = tmp_path / "pids"
    script = textwrap.dedent(
        f"""
        import os, time
        from scaffold.check.server import first, serve

        def spy(bases, options):
            worker = os.fork()
            if worker == 0:
                time.sleep(3600)
                os._exit(0)
            open({str(pid_file)!r}, "w").write(f"{{os.getpid()}} {{worker}}")
            time.sleep(3600)

        first._check_all = spy
        serve()
        """
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pids: list[int] = []
    try:
        assert server.stdin is not None
        server.stdin.write(_initialize({"rootUri": root.as_uri(), "capabilities": {}}))
        server.stdin.flush()
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.05)
        pids = [int(pid) for pid in pid_file.read_text().split()]
        server.stdin.write(_message({"jsonrpc": "2.0", "method": "exit"}))
        server.stdin.close()
        server.wait(timeout=120)
        for pid in pids:
            for _ in range(600):  # sent SIGTERM as the server ended: gone within moments
                if not Path(f"/proc/{pid}").exists() or _zombie(pid):
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"{pid} is still running")
    finally:  # a failing run leaves nothing behind either
        if server.poll() is None:
            server.kill()
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
