"""What `scaffold check` prints, and the printout kept for the next warm run with its inputs."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import scaffold
from scaffold.errors import UsageError

if TYPE_CHECKING:
    from scaffold.check.command import CheckCommand
    from scaffold.check.incremental.rendered import KeptOutput
    from scaffold.check.incremental.run import WarmStart
    from scaffold.check.options import CheckOptions
    from scaffold.check.pipeline import CheckResult

__all__ = ["KeptPrintout", "Printed", "emit", "write_text"]


def write_text(stream: TextIO, text: str) -> None:
    """Write even when the terminal's encoding cannot show a file name or a message."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def emit(text: str, output_file: str | None) -> None:
    """Print the rendering, or write it to `-o FILE` (whole or not at all)."""
    if output_file is None:
        write_text(sys.stdout, text)
        sys.stdout.flush()
        return
    from scaffold.files import write_atomically

    path = Path(output_file)
    try:
        write_atomically(path, text.encode("utf-8"), 0o644)
    except OSError as exc:
        raise UsageError(f"cannot write --output-file {path}: {exc.strerror or exc}") from exc


class Printed:
    """What one check printed, in order: stderr before the report, the report (stdout or
    `-o FILE`), stderr after it. Each part is written when it is known and remembered."""

    def __init__(self, output_file: str | None) -> None:
        self.output_file = output_file
        self.before: list[str] = []
        self.out = ""
        self.after: list[str] = []

    def warn(self, text: str) -> None:
        """A stderr line before the report (a warning)."""
        write_text(sys.stderr, text)
        self.before.append(text)

    def report(self, text: str) -> None:
        """The rendered report."""
        emit(text, self.output_file)
        self.out = text

    def note(self, text: str) -> None:
        """A stderr line after the report (a note)."""
        write_text(sys.stderr, text)
        self.after.append(text)


# The options under which a check prints what its findings alone decide: not those that
# write files, run imports, print timings or watch.
_UNKEPT = (
    "fix",
    "fix_only",
    "diff",
    "add_noqa",
    "watch",
    "show_files",
    "show_settings",
    "run_imports",
    "verbose",
    "update_baseline",
)
# What the printout depends on outside scaffold/check (whose sources the report key covers):
# the version and links in the machine formats, the escaping of unprintable text.
_ALSO_RENDERING = (scaffold.__file__, os.path.join(os.path.dirname(scaffold.__file__), "errors.py"))


@dataclasses.dataclass(frozen=True)
class KeptPrintout:
    """A check's printout, kept beside its cache under the digest of all it depends on: the
    findings (the report key), every checked file's content hash (source lines and
    code-point columns), the command's options, where it looks from (`_place`: relative to
    the current folder), the colour decision, the fail level, the baseline's bytes. A warm
    run whose digest matches prints it as it is, without decoding, locating or rendering a
    finding."""

    started: tuple[WarmStart, ...]  # one per path (group) checked
    kept: KeptOutput
    asked: bytes | None  # the digest of what the command adds (None: nothing is kept)
    options: CheckOptions
    output_file: str | None

    @classmethod
    def start(
        cls, command: CheckCommand, options: CheckOptions, level: str, color: bool
    ) -> KeptPrintout | None:
        """Discover each path of a check whose printout can be kept (through the cache, none
        of `_UNKEPT`) and open its cache; None for any other check. A check of several
        paths keeps its printout beside the first path's cache."""
        if any(getattr(command, name) for name in _UNKEPT):
            return None
        from scaffold.check.incremental.rendered import KeptOutput
        from scaffold.check.incremental.run import warm_starts

        started = warm_starts(options)
        if started is None:
            return None
        asked = _asked(command, level, color, _place(options, command.output_format))
        kept = KeptOutput(started[0].cache.path)
        return cls(started, kept, asked, options, command.output_file)

    def _key(self, files: Sequence[bytes | None]) -> bytes | None:
        """The digest of every path's key (None when one is unknown) and of the command."""
        if self.asked is None or any(key is None for key in files):
            return None
        digest = hashlib.blake2b(digest_size=16)
        for key in files:
            assert key is not None
            digest.update(key)
        digest.update(self.asked)
        return digest.digest()

    def replay(self) -> int | None:
        """Print the kept printout, if it is of these inputs; its exit code, else None."""
        stored = self.kept.load(self._key([start.key for start in self.started]))
        if stored is None:
            return None
        out, before, after, exit_code = stored
        for start in self.started:
            start.cache.save()  # the refreshed stats, as a run keeping its report saves
        write_text(sys.stderr, before)
        emit(out, self.output_file)
        write_text(sys.stderr, after)
        return exit_code

    def keep(self, checked: CheckResult, printed: Printed, exit_code: int) -> None:
        """Keep what a run printed for the next run with the same inputs. Not when it
        warned about noqa comments: only the files parsed now are warned about, so the
        next run would not warn."""
        if checked.report.unknown_noqa or self.asked is None:
            return
        files = [
            # The findings of a tree whose rules ran are of files read now.
            start.rekeyed(self.options)
            if start.key is None or tree.analysis is not None
            else start.key
            for tree, start in zip(checked.trees, self.started, strict=True)
        ]
        before, after = "".join(printed.before), "".join(printed.after)
        self.kept.store(self._key(files), printed.out, before, after, exit_code)


def _place(options: CheckOptions, output_format: str) -> tuple[str, ...]:
    """Where the check looks from, as far as its printout shows it: each checked folder
    (paths are shown relative to the current one) and the source root (SARIF's and GitLab's
    paths, the fingerprints), each relative to the current folder; the current folder
    itself only for a format that prints an absolute path. So a checkout at another path
    with its cache restored (a CI runner's workspace, a second worktree) prints the kept
    printout of the same command run from the same place in it."""
    from scaffold.check.locations import source_root
    from scaffold.check.output import FORMATS, format_named
    from scaffold.check.pipeline import group_root, path_groups

    cwd, place = Path.cwd(), []
    for path, also in path_groups(options.paths):
        root = group_root(path, also)
        place += [_relative(folder, cwd) for folder in (root, source_root(root, cwd))]
    return (*place, str(cwd)) if format_named(FORMATS, output_format).absolute else tuple(place)


def _relative(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path, start)
    except ValueError:  # another drive on Windows
        return str(path)


def _asked(command: CheckCommand, level: str, color: bool, place: tuple[str, ...]) -> bytes | None:
    """The digest of what a printout depends on besides the checked files: the command, where
    it looks from (`_place`), the fail level and the colour decided, a baseline's bytes, the
    sources outside scaffold/check that render (None: one cannot be read)."""
    digest = hashlib.blake2b(repr((command, place, level, color)).encode())
    for path in (command.baseline, *_ALSO_RENDERING):
        if path is None:
            continue
        try:
            with open(path, "rb") as source:
                digest.update(hashlib.blake2b(source.read()).digest())
        except OSError:
            return None  # a missing baseline is written by this run
    return digest.digest()
