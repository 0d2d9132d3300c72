"""Where findings are, exactly: columns in Unicode code points, the source root paths are
relative to, and the fingerprints a baseline and SARIF's partialFingerprints share.

The rules work in the parser's columns (UTF-8 bytes, as `ast` gives them); a report is
turned into code points here, once, from the lines its findings point at.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from scaffold.check.facts.source import decode_source
from scaffold.check.model import CheckReport, Diagnostic, Related

__all__ = ["SourceLines", "fingerprint", "locate", "source_root"]


def source_root(root: Path, cwd: Path) -> Path:
    """The folder repository-relative paths start from: the git work tree holding `root`,
    else the current folder when `root` is inside it, else `root` itself."""
    for folder in [root, *root.parents]:
        if (folder / ".git").exists():
            return folder
    return cwd if root.is_relative_to(cwd) else root


def fingerprint(diagnostic: Diagnostic, path: str, occurrence: int) -> str:
    """What identifies a finding across edits: its rule, its file (relative to the source
    root) and its message, which names what is wrong (the export, the import, the loop), and
    which of the findings alike in that file it is, counted in file order (`:1`, `:2`, as
    GitHub's own line hashes count). No line number and no line text: moving code or
    editing around it keeps it; a new finding of the same rule in the same file differs."""
    text = "\0".join((diagnostic.code, path, diagnostic.message))
    digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16)
    return f"{digest.hexdigest()}:{occurrence}"


class SourceLines:
    """Each file's lines as Python reads them, read once; "" for what cannot be read.

    A file whose bytes are all ASCII needs no conversion, and is decoded only if its lines
    are asked for (the `full` format's snippets).
    """

    def __init__(self, given: Mapping[str, bytes] | None = None) -> None:
        # `given`: contents that stand for files on disk (`--stdin-filename`), by absolute path.
        self._data: dict[str, bytes] = dict(given or {})
        self._files: dict[str, list[str]] = {}
        self._ascii: dict[str, bool] = {}

    def _bytes(self, path: str) -> bytes:
        data = self._data.get(path)
        if data is None:
            data = self._data[path] = _read_bytes(path)
        return data

    def is_ascii(self, path: str) -> bool:
        """Whether every byte of the file is ASCII (byte and code-point columns agree)."""
        ascii = self._ascii.get(path)
        if ascii is None:  # asked once per location: a report may hold thousands in a file
            ascii = self._ascii[path] = self._bytes(path).isascii()
        return ascii

    def all(self, path: str) -> list[str]:
        """Every line of the file at `path` (absolute)."""
        lines = self._files.get(path)
        if lines is None:
            lines = self._files[path] = _decode(path, self._bytes(path))
        return lines

    def line(self, path: str, number: int) -> str:
        """Line `number` (1-based) of the file at `path`; "" past its end."""
        lines = self.all(path)
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def column(self, path: str, number: int, byte_column: int) -> int:
        """The code-point column of a UTF-8 byte column on line `number` of `path`."""
        if byte_column <= 1 or self.is_ascii(path):
            return byte_column
        return _code_points(self.line(path, number), byte_column)


def _read_bytes(path: str) -> bytes:
    if not os.path.isfile(path):
        return b""  # a folder finding, or a file gone since the check
    try:
        with open(path, "rb", buffering=0) as stream:  # read whole: no buffer, no Path
            return stream.read()
    except OSError:
        return b""


def _decode(path: str, data: bytes) -> list[str]:
    try:
        text = decode_source(data) if path.endswith((".py", ".pyi")) else data.decode()
    except (ValueError, UnicodeDecodeError):
        text = data.decode("utf-8", "replace")
    return text.splitlines()


def _code_points(line: str, byte_column: int) -> int:
    """The 1-based code-point column of a 1-based UTF-8 byte column on `line`."""
    if line.isascii() or byte_column <= 1:
        return byte_column
    encoded = line.encode("utf-8", "surrogateescape")
    if byte_column - 1 > len(encoded):
        return byte_column - (len(encoded) - len(line))  # past the end (a newline)
    return len(encoded[: byte_column - 1].decode("utf-8", "replace")) + 1


def locate(report: CheckReport, root: Path, lines: SourceLines | None = None) -> CheckReport:
    """The report with code-point columns and each finding's fingerprint, its paths
    relative to `root` (the source root) for the fingerprint; `lines` reads the files
    (pass one to keep what it read, for source snippets)."""
    lines = lines or SourceLines()
    located: list[Diagnostic] = []
    seen: Counter[tuple[str, str, str]] = Counter()
    # A report's findings share few files (a chain's related locations many): each path is
    # joined and made relative once.
    relative: dict[str, str] = {}
    full_paths = _FullPaths(report.root)
    for d in report.diagnostics:
        full = full_paths[d.path]
        related = tuple(_located(r, lines, full_paths) for r in d.related)
        rel = relative.get(d.path)
        if rel is None:
            rel = relative[d.path] = os.path.relpath(full, root).replace(os.sep, "/")
        seen[(d.code, rel, d.message)] += 1
        located.append(
            dataclasses.replace(
                d,
                column=lines.column(full, d.line, d.column),
                end_column=lines.column(full, d.end_line, d.end_column),
                related=related,
                fingerprint=fingerprint(d, rel, seen[(d.code, rel, d.message)]),
            )
        )
    return dataclasses.replace(report, diagnostics=tuple(located))


class _FullPaths(dict[str, str]):
    """A report's paths joined to its root, each once."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, path: str) -> str:
        full = self[path] = os.path.join(self.base, path)
        return full


def _located(related: Related, lines: SourceLines, full_paths: _FullPaths) -> Related:
    """A related location with a code-point column (itself when the column stays)."""
    if related.column <= 1:
        return related
    column = lines.column(full_paths[related.path], related.line, related.column)
    return related if column == related.column else dataclasses.replace(related, column=column)
