"""The server's `scaffold check` of the disk: the first diagnostics, from a check of each
workspace folder forked while the server imports its LSP library, and after a save the
check that brings `.scaffold_cache/` up to date; each writes the cache as the check does."""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.model import Diagnostic
from scaffold.check.options import CheckOptions
from scaffold.files import read_regular

if TYPE_CHECKING:  # the server forks its first check having imported little more than this
    from scaffold.check.discover import Tree
    from scaffold.check.incremental.store import FactsCache
    from scaffold.check.pipeline import CheckedTree
    from scaffold.check.server.files import FirstRead

__all__ = [
    "FirstCheck",
    "FirstChecks",
    "add_found",
    "as_on_disk",
    "check_in_fork",
    "prepare_decoding",
    "read_in_thread",
    "reported_files",
    "store_in_background",
]


@dataclass(frozen=True, slots=True)
class FirstCheck:
    """What `scaffold check` of a folder found on disk: its diagnostics, its notes, and the
    files it reports on (absolute paths; the files with no finding are cleared)."""

    diagnostics: tuple[Diagnostic, ...]
    notes: tuple[str, ...]
    reported: tuple[Path, ...]

    @classmethod
    def of(cls, checked: CheckedTree) -> FirstCheck:
        """The same of an analysis the server ran itself."""
        reported = tuple(reported_files(checked.tree))
        return cls(tuple(checked.diagnostics), tuple(checked.tree.notes), reported)


def add_found(
    result: dict[Path, list[Diagnostic]], owners: dict[Path, Path], base: Path, found: FirstCheck
) -> None:
    """Add the findings of the root at `base` to `result` (by absolute path), each path's
    root in `owners`. Roots are added outer first: a path two nested roots report keeps the
    inner root's findings."""
    for path in found.reported:
        result[path] = []
        owners[path] = base
    for diagnostic in found.diagnostics:
        path = Path(os.path.normpath(base / diagnostic.path))
        if owners.get(path, base) == base:
            result.setdefault(path, []).append(diagnostic)
            owners[path] = base


def reported_files(tree: Tree) -> list[Path]:
    """The files a checked tree reports on, findings or not (so fixed files are cleared)."""
    paths = [s.path for s in tree.files if s.selected and not s.is_stub]
    paths.extend(
        c.pyproject
        for c in tree.configs
        if c.pyproject is not None and c.directory.is_relative_to(tree.base)
    )
    return paths


def as_on_disk(buffers: Mapping[Path, str]) -> bool:
    """Whether every buffer holds what its file on disk holds."""
    for path, text in buffers.items():
        try:
            if read_regular(path) != text.encode("utf-8", errors="surrogatepass"):
                return False
        except OSError:
            return False
    return True


def prepare_decoding() -> None:
    """Import and build what decoding the child's results takes (~10-20 ms of CPU on
    prompt_toolkit, most of it the records' codec): done by the server while the child
    checks, a core is idle while its rules run, and the results are decoded at once."""
    from scaffold.check.incremental.records import model_codec

    model_codec().decode(())  # the codec is built on its first use


def read_in_thread(
    base: Path, options: CheckOptions, stored: Future[None] | None
) -> Future[FirstRead]:
    """The server's first read of `base` (files.read_root), in a thread from now on; once
    `stored`, when a check is under way: that check stores in the cache the facts the read
    then takes."""
    from scaffold.check.server.files import read_root

    future: Future[FirstRead] = Future()

    def read() -> None:
        try:
            if stored is not None:
                stored.result()
            future.set_result(read_root(base, options))
        except BaseException as error:  # re-raised by the analysis that waits for it
            future.set_exception(error)

    threading.Thread(target=read, name=f"scaffold read {base}", daemon=True).start()
    return future


def _check_all(bases: Sequence[Path], options: CheckOptions) -> bytes:
    """In the child: each folder checked as `scaffold check` checks it (the cache read and
    written), its results encoded; a folder that fails (a bad `pyproject.toml`) gets None,
    and the server's own analysis reports the failure."""
    from scaffold.check.discover import discover
    from scaffold.check.incremental.records import CODEC
    from scaffold.check.incremental.run import check_cached

    results: list[object] = []
    for base in bases:
        try:
            checked = check_cached(discover(base), options)
        except Exception:
            results.append(None)
            continue
        encoded = CODEC.encode(tuple(checked.diagnostics))
        reported = [str(path) for path in reported_files(checked.tree)]
        results.append((encoded, tuple(checked.tree.notes), reported))
    return marshal.dumps(results)


def _decoded(data: bytes | None, count: int) -> list[FirstCheck | None]:
    """The child's results, or None for each folder it did not check."""
    from scaffold.check.incremental.records import model_codec

    nothing: list[FirstCheck | None] = [None] * count
    if data is None:
        return nothing
    try:
        results = marshal.loads(data)
        decoded: list[FirstCheck | None] = []
        for result in results:
            if result is None:
                decoded.append(None)
                continue
            encoded, notes, reported = result
            diagnostics = model_codec().decode(encoded)
            if not isinstance(diagnostics, tuple):
                return nothing
            if not all(isinstance(d, Diagnostic) for d in diagnostics):
                return nothing
            paths = tuple(Path(path) for path in reported)
            decoded.append(FirstCheck(tuple(diagnostics), tuple(notes), paths))
    except (EOFError, LookupError, TypeError, ValueError):
        return nothing
    return decoded if len(decoded) == count else nothing


@dataclass(frozen=True, slots=True)
class FirstChecks:
    """The first check under way: each folder's results (None: not checked there, the
    server analyses it itself), `stored`, done once the check's cache is written and its
    child reaped, and that child's process id (None: no child)."""

    results: dict[Path, Future[FirstCheck | None]]
    stored: Future[None]
    child: int | None = None

    def end(self) -> None:
        """End the child and the workers it forked, if it still runs (the editor closed
        before the check finished): the server must not leave a whole check running
        behind it. A save under way finishes first (the child holds the signal meanwhile)."""
        if self.child is None or self.stored.done():
            return  # none, or reaped: its id may name another process now
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.child, signal.SIGTERM)  # the group the child leads


def check_in_fork(bases: Sequence[Path], options: CheckOptions) -> FirstChecks:
    """Check each folder of `bases` in a forked child, from now on. Call it while this
    process has one thread (a forked child of a threaded one may hang on a lock): the server
    calls it before its LSP library loads. The child's parsing workers fork from it, so no
    forkserver starts, and its whole-tree simulation forks beside its rules, as a check's.
    It sends its results before it writes the cache, which the first diagnostics need not
    wait for."""
    bases = list(dict.fromkeys(bases))
    results: dict[Path, Future[FirstCheck | None]] = {base: Future() for base in bases}
    pid = read_end = None
    if bases and options.use_cache and sys.platform == "linux" and threading.active_count() == 1:
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:
            pid = None
        else:
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                _in_child(read_end, write_end, bases, options)
            os.close(write_end)
    checks = FirstChecks(results, Future(), pid)
    threading.Thread(
        target=_collect,
        args=(checks, bases, pid, read_end),
        name="scaffold first check",
        daemon=True,
    ).start()
    return checks


def _in_child(read_end: int, write_end: int, bases: Sequence[Path], options: CheckOptions) -> None:
    """The child: check, send the results, then write the cache; never returns."""
    code = 1
    try:
        from scaffold.check.memory import without_cyclic_gc

        os.setpgid(0, 0)  # a group of its own, its workers in it: the server ends them at once
        os.close(read_end)
        devnull = os.open(os.devnull, os.O_RDWR)  # the editor's channel is the parent's alone
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        with _saves_deferred() as saves, without_cyclic_gc():
            data = _check_all(bases, options)
        with os.fdopen(write_end, "wb") as stream:
            stream.write(data)
        # The server's end asks it to stop (SIGTERM): held from here, so a cache being
        # written is written whole (no temp file left behind); os._exit then ends it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        for cache in saves.values():
            cache.save()
        code = 0
    finally:
        os._exit(code)  # no cleanup, no atexit: the parent owns every resource


@contextmanager
def _saves_deferred() -> Iterator[dict[int, FactsCache]]:
    """Within this block (in the child, whose classes are its own copies), a cache's
    `save()` only records the cache, to be saved once the results are sent."""
    from scaffold.check.incremental.store import FactsCache

    saves: dict[int, FactsCache] = {}
    save = FactsCache.save

    def later(cache: FactsCache) -> None:
        saves[id(cache)] = cache

    FactsCache.save = later  # type: ignore[method-assign, assignment]
    try:
        yield saves
    finally:
        FactsCache.save = save  # type: ignore[method-assign]


def _collect(checks: FirstChecks, bases: Sequence[Path], pid: int | None, read: int | None) -> None:
    """In a thread of the server: the child's results as it sends them, then its end."""
    found: list[FirstCheck | None] = [None] * len(bases)
    try:
        if pid is not None and read is not None:
            with os.fdopen(read, "rb") as stream:
                found = _decoded(stream.read() or None, len(bases))
    finally:
        for base, result in zip(bases, found, strict=True):
            checks.results[base].set_result(result)
        try:
            if pid is not None:
                os.waitpid(pid, 0)
        finally:
            checks.stored.set_result(None)


def store_in_background(bases: Sequence[Path], options: CheckOptions) -> BaseProcess | None:
    """Check `bases` on disk as `scaffold check` does, in a process of its own (from the
    forkserver: this process has threads), so that what was saved is in the cache for the
    next check or start. None where no such process can start."""
    import multiprocessing

    from scaffold.check.incremental.pool import prepare_forkserver

    prepare_forkserver(start=False)
    context = multiprocessing.get_context("forkserver" if sys.platform == "linux" else None)
    # One process, no pool: a process terminated with the server leaves none behind.
    serial = dataclasses.replace(options, workers=0)
    try:
        process = context.Process(
            target=_check_quietly, args=(list(bases), serial), name="scaffold store"
        )
        process.start()
    except OSError:
        return None
    return process


def _check_quietly(bases: Sequence[Path], options: CheckOptions) -> None:
    from scaffold.check.discover import discover
    from scaffold.check.incremental.run import check_cached

    for base in bases:
        try:
            check_cached(discover(base), options)
        except Exception:  # a bad pyproject.toml: the server reports it
            continue
