"""Where findings are, exactly: columns in Unicode code points, the source root paths are
relative to, and the fingerprints a baseline and SARIF's partialFingerprints share.

The rules work in the parser's columns (UTF-8 bytes, as `ast` gives them); a report is
turned into code points here, once, from the lines its findings point at.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from scaffold.check.facts.source import decode_source
from scaffold.check.model import CheckReport, Diagnostic, Related
from scaffold.edit import source_lines
from scaffold.files import read_regular

__all__ = ["KeptVerdicts", "SourceLines", "fingerprint", "locate", "source_root"]


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


class KeptVerdicts(Protocol):
    """Which lines of files are not ASCII, kept from an earlier run
    (incremental.ascii_verdicts)."""

    def get(self, path: str) -> tuple[int, ...] | None:
        """The kept numbers of the lines of the file at `path` that are not ASCII, None when
        they are not known to hold."""

    def put(self, data: bytes, wide: tuple[int, ...]) -> None:
        """Keep those numbers for `data`, a file's bytes just read after `get` missed."""


class SourceLines:
    """Each file's lines as Python reads them, read once; "" for what cannot be read.

    A line whose bytes are all ASCII needs no conversion, and a file is decoded only if a
    column on one of its other lines, or its lines (the `full` format's snippets), are asked
    for. `verdicts` (the ones a warm run kept) spare reading a file only to learn which of
    its lines are not ASCII.
    """

    def __init__(
        self, given: Mapping[str, bytes] | None = None, verdicts: KeptVerdicts | None = None
    ) -> None:
        # `given`: contents that stand for files on disk (`--stdin-filename`), by absolute path.
        self._data: dict[str, bytes] = dict(given or {})
        self._files: dict[str, list[str]] = {}
        self._wide: dict[str, frozenset[int]] = {}  # the lines that are not ASCII
        self._verdicts = verdicts

    def _bytes(self, path: str) -> bytes:
        data = self._data.get(path)
        if data is None:
            data = self._data[path] = _read_bytes(path)
        return data

    def is_ascii(self, path: str) -> bool:
        """Whether every byte of the file is ASCII (byte and code-point columns agree)."""
        return not self._wide_lines(path)

    def _wide_lines(self, path: str) -> frozenset[int]:
        """The numbers of the file's lines that are not all ASCII."""
        wide = self._wide.get(path)
        if wide is not None:  # asked once per location: a report may hold thousands in a file
            return wide
        # A file given in place of the one on disk (stdin) has no kept verdict.
        kept = self._verdicts if path not in self._data else None
        found = kept.get(path) if kept is not None else None
        if found is None:
            found = self._find_wide(path)
            if kept is not None:
                kept.put(self._bytes(path), found)
        wide = self._wide[path] = frozenset(found)
        return wide

    def _find_wide(self, path: str) -> tuple[int, ...]:
        if self._bytes(path).isascii():
            return ()
        return tuple(n for n, line in enumerate(self.all(path), 1) if not line.isascii())

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
        if byte_column <= 1 or number not in self._wide_lines(path):
            return byte_column
        return _code_points(self.line(path, number), byte_column)


def _read_bytes(path: str) -> bytes:
    if not os.path.isfile(path):
        return b""  # a folder finding, or a file gone since the check
    try:
        return read_regular(path)  # a FIFO put in the file's place since would hang open()
    except OSError:
        return b""


def _decode(path: str, data: bytes) -> list[str]:
    try:
        text = decode_source(data) if path.endswith((".py", ".pyi")) else data.decode()
    except (ValueError, UnicodeDecodeError):
        text = data.decode("utf-8", "replace")
    return source_lines(text)


def _code_points(line: str, byte_column: int) -> int:
    """The 1-based code-point column of a 1-based UTF-8 byte column on `line`."""
    if line.isascii() or byte_column <= 1:
        return byte_column
    encoded = line.encode("utf-8", "surrogateescape")
    if byte_column - 1 > len(encoded):
        return byte_column - (len(encoded) - len(line))  # past the end (a newline)
    return len(encoded[: byte_column - 1].decode("utf-8", "replace")) + 1


def locate(
    report: CheckReport,
    root: Path,
    lines: SourceLines | None = None,
    *,
    fingerprints: bool = True,
) -> CheckReport:
    """The report with code-point columns and, with `fingerprints`, each finding's
    fingerprint (its path relative to `root`, the source root); `lines` reads the files (pass
    one to keep what it read, for source snippets). Without `fingerprints` (a format that
    shows none, no baseline), a finding whose columns stay is the report's own."""
    lines = lines or SourceLines()
    paths = _ReportPaths(report.root, root, lines)
    located: list[Diagnostic] = []
    seen: Counter[tuple[str, str, str]] = Counter()
    ascii_files: set[str] = set()
    for d in report.diagnostics:
        related = d.related
        # A chain's related locations are in many files, nearly all of them ASCII: their
        # paths are compared with the files known to be ASCII in one set operation.
        if related and not ascii_files.issuperset(map(_PATH, related)):
            files = set(map(_PATH, related)) - ascii_files
            ascii_files.update(path for path in files if paths.ascii(path))
            if not ascii_files.issuperset(files):
                related = tuple(_located(r, lines, paths) for r in related)
        column, end_column = d.column, d.end_column
        if not paths.ascii(d.path):
            full = paths.full(d.path)
            column = lines.column(full, d.line, column)
            end_column = lines.column(full, d.end_line, end_column)
        if fingerprints:
            rel = paths.relative(d.path)
            seen[(d.code, rel, d.message)] += 1
            print_ = fingerprint(d, rel, seen[(d.code, rel, d.message)])
        elif related is d.related and (column, end_column) == (d.column, d.end_column):
            located.append(d)
            continue
        else:
            print_ = d.fingerprint
        located.append(_relocated(d, column, end_column, related, print_))
    return dataclasses.replace(report, diagnostics=tuple(located))


# dataclasses.replace looks up every field by name for each finding; a report may hold
# thousands: the fields are read in one call and the record built positionally.
_FIELDS = tuple(field.name for field in dataclasses.fields(Diagnostic))
_PATH = operator.attrgetter("path")
_values = operator.attrgetter(*_FIELDS)
_COLUMN, _END_COLUMN, _RELATED, _FINGERPRINT = (
    _FIELDS.index(name) for name in ("column", "end_column", "related", "fingerprint")
)


def _relocated(
    d: Diagnostic, column: int, end_column: int, related: tuple[Related, ...], print_: str
) -> Diagnostic:
    values = list(_values(d))
    values[_COLUMN], values[_END_COLUMN] = column, end_column
    values[_RELATED], values[_FINGERPRINT] = related, print_
    return Diagnostic(*values)


class _ReportPaths:
    """A report's paths joined to its root, made relative to the source root and judged
    ASCII, each once: a report's findings share few files."""

    def __init__(self, base: str, root: Path, lines: SourceLines) -> None:
        self._base, self._root, self._lines = base, root, lines
        self._full: dict[str, str] = {}
        self._relative: dict[str, str] = {}
        self._ascii: dict[str, bool] = {}

    def full(self, path: str) -> str:
        full = self._full.get(path)
        if full is None:
            full = self._full[path] = os.path.join(self._base, path)
        return full

    def relative(self, path: str) -> str:
        rel = self._relative.get(path)
        if rel is None:
            rel = os.path.relpath(self.full(path), self._root).replace(os.sep, "/")
            self._relative[path] = rel
        return rel

    def ascii(self, path: str) -> bool:
        ascii = self._ascii.get(path)
        if ascii is None:
            ascii = self._ascii[path] = self._lines.is_ascii(self.full(path))
        return ascii


def _located(related: Related, lines: SourceLines, paths: _ReportPaths) -> Related:
    """A related location with a code-point column (itself when the column stays)."""
    if related.column <= 1 or paths.ascii(related.path):
        return related
    column = lines.column(paths.full(related.path), related.line, related.column)
    return related if column == related.column else related._replace(column=column)
