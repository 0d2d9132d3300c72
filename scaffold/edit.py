"""Span-preserving source edits: change one span of a file, leave every other byte alone."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_LINE_LENGTH",
    "Registration",
    "SourceEditError",
    "SourceOffsets",
    "TextEdit",
    "add_to_all",
    "apply_edits",
    "register_submodule",
    "ruf022_key",
    "source_lines",
    "splits_at_newlines_only",
]

# ruff's and black's default, what a file without its own setting is formatted to.
DEFAULT_LINE_LENGTH = 88


# str.splitlines also breaks at these; Python's tokenizer does not (a form feed is
# whitespace), so a file holding one would have its lines numbered differently from the ast.
_NOT_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_NOT_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e"
# After "\n", or after a "\r" that does not start "\r\n": where the tokenizer ends a line.
_PYTHON_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def _breaks_as_python(source: str) -> bool:
    """Whether `str.splitlines` breaks `source` where Python does. An ASCII text is tested
    for each of the few ASCII characters apart (`str`'s search for one character is much
    quicker than the pattern's)."""
    if source.isascii():
        return not any(character in source for character in _ASCII_NOT_LINE_BREAKS)
    return _NOT_LINE_BREAKS.search(source) is None


def splits_at_newlines_only(source: str) -> bool:
    """Whether `source`'s lines, as Python numbers them, are its pieces between "\n"s: it
    holds no "\r" and nothing else `str.splitlines` breaks at."""
    return "\r" not in source and _breaks_as_python(source)


def source_lines(source: str, keepends: bool = False) -> list[str]:
    """The lines of `source` as Python numbers them (ast's `lineno` indexes this list from 1)."""
    if _breaks_as_python(source):
        return source.splitlines(keepends)
    lines = _PYTHON_LINE_END.split(source)
    if lines and not lines[-1]:
        lines.pop()
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


class SourceEditError(ValueError):
    """The source cannot be edited safely (it does not parse)."""


@dataclass(frozen=True)
class TextEdit:
    """Replace source[start:end] (character offsets) with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Registration:
    """The edited source of an `__init__.py` and what was done to it, one note per change."""

    text: str
    notes: tuple[str, ...]


def apply_edits(source: str, edits: Sequence[TextEdit]) -> str:
    """Apply non-overlapping edits; later offsets first so earlier ones stay valid."""
    result = source
    last_start = len(source) + 1
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > last_start:
            raise ValueError("overlapping edits")
        result = result[: edit.start] + edit.text + result[edit.end :]
        last_start = edit.start
    return result


class SourceOffsets:
    """Convert ast (line, UTF-8 byte column) positions into character offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source_lines(source, keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def at(self, lineno: int, byte_col: int) -> int:
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        col = len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))
        return self.starts[lineno - 1] + col

    def start(self, node: ast.expr | ast.stmt | ast.alias) -> int:
        return self.at(node.lineno, node.col_offset)

    def end(self, node: ast.expr | ast.stmt | ast.alias) -> int:
        # Parsed nodes always carry end positions; the fallbacks only satisfy the types.
        return self.at(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)

    def line_start(self, offset: int) -> int:
        return self.source.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        end = self.source.find("\n", offset)
        return len(self.source) if end == -1 else end


_DIGITS = re.compile(r"(\d+)")


def ruf022_key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
    """Sort key of ruff's RUF022: SCREAMING_CASE, CamelCase, the rest; natural order within."""
    cased = [c for c in name if c.isupper() or c.islower()]
    if len(name) > 1 and cased and all(c.isupper() for c in cased):
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    # Digits compare as numbers; other characters by code point, as a natural sort does.
    chunks: list[tuple[int, int | str]] = []
    for piece in _DIGITS.split(name):
        if not piece:
            continue
        if piece.isdigit():
            chunks.append((0, int(piece)))
        else:
            chunks.extend((1, ch) for ch in piece)
    return group, chunks


def _insertion_index(existing: Sequence[str], name: str) -> int:
    """Keep a sorted sequence sorted (in RUF022's or plain order); otherwise append."""
    orders: list[Callable[[str], Any]] = [ruf022_key, lambda n: n]
    for key in orders:
        if all(key(a) <= key(b) for a, b in itertools.pairwise(existing)):
            index = 0
            while index < len(existing) and key(existing[index]) <= key(name):
                index += 1
            return index
    return len(existing)


@dataclass(frozen=True)
class _Sequence:
    """The items of a bracketed (or bare) sequence in the source, with their offsets."""

    items: list[tuple[int, int]]  # (start, end) of each item
    open_end: int  # offset just after the opening bracket (or start of the first item)
    close_start: int  # offset of the closing bracket (or end of the last item)
    is_tuple: bool
    bracketed: bool


def _insert_item(
    source: str, offsets: SourceOffsets, seq: _Sequence, index: int, text: str
) -> list[TextEdit]:
    """Edits that insert `text` as item `index`, in the sequence's own layout."""
    items = seq.items
    if not items:
        suffix = "," if seq.is_tuple else ""
        return [TextEdit(seq.open_end, seq.close_start, f"{text}{suffix}")]
    lines = {source.count("\n", 0, start) for start, _ in items}
    first_line = source.count("\n", 0, items[0][0])
    one_per_line = len(lines) == len(items) and first_line != source.count("\n", 0, seq.open_end)
    if one_per_line:
        indent_start = offsets.line_start(items[0][0])
        indent = source[indent_start : items[0][0]]
        if index < len(items):
            at = offsets.line_start(items[index][0])
            return [TextEdit(at, at, f"{indent}{text},\n")]
        last_end = items[-1][1]
        after = source[last_end : offsets.line_end(last_end)]
        if after.lstrip().startswith(","):
            at = offsets.line_end(last_end)
            return [TextEdit(at, at, f"\n{indent}{text},")]
        at = offsets.line_end(last_end)
        return [TextEdit(last_end, last_end, ","), TextEdit(at, at, f"\n{indent}{text}")]
    edits: list[TextEdit] = []
    if seq.is_tuple and seq.bracketed and len(items) == 1:
        # `("a",)`: the comma was only there to make a tuple; `("a", "b")` needs none.
        between = source[items[0][1] : seq.close_start]
        if between.strip() == ",":
            edits.append(TextEdit(items[0][1], seq.close_start, ""))
    if index == 0:
        return [*edits, TextEdit(items[0][0], items[0][0], f"{text}, ")]
    prev_end = items[index - 1][1]
    return [*edits, TextEdit(prev_end, prev_end, f", {text}")]


def _one_per_line(source: str, start: int, opener: str, entries: list[str], closer: str) -> str:
    """`entries` one per line with a trailing comma (the layout ruff format keeps), indented
    one level deeper than the line that holds offset `start`."""
    line = source[source.rfind("\n", 0, start) + 1 :]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    body = "".join(f"{indent}    {entry},\n" for entry in entries)
    return f"{opener}\n{body}{indent}{closer}"


#: `__all__.NAME(...)` calls that only add names: the first literal list can take one more.
_EXTENDING_METHODS = frozenset({"append", "extend"})


def _all_method(stmt: ast.AST) -> str | None:
    """NAME when `stmt` is the statement `__all__.NAME(...)`."""
    if (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Attribute)
        and isinstance(stmt.value.func.value, ast.Name)
        and stmt.value.func.value.id == "__all__"
    ):
        return stmt.value.func.attr
    return None


def _module_all(tree: ast.Module) -> tuple[ast.expr | None, str | None]:
    """The literal list a new name joins in a module's `__all__`, or why there is none.

    Returns (node, None) for one plain list/tuple of string literals, assigned once at
    the top level, even when later top-level statements extend it (`__all__ += [...]`,
    `__all__.extend(...)`, `__all__.append(...)`: the name joins the first list, which
    ruff and `from m import *` read together with the rest); (None, reason) for an
    `__all__` that is computed or changed otherwise; (None, None) when there is none.
    """
    assigned: list[ast.stmt] = []
    extended: list[ast.stmt] = []
    for stmt in ast.walk(tree):
        method = _all_method(stmt)
        if method is not None:
            if method not in _EXTENDING_METHODS or stmt not in tree.body:
                return None, f"__all__ is changed with __all__.{method}()"
            extended.append(stmt)
            continue
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            targets = [stmt.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            adds = isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add)
            (extended if adds and stmt in tree.body else assigned).append(stmt)  # type: ignore[arg-type]
    if not assigned:
        return None, ("__all__ is built with += and no first list" if extended else None)
    if len(assigned) > 1 or assigned[0] not in tree.body:
        return None, "__all__ is assigned more than once or inside a block"
    stmt = assigned[0]
    if any(tree.body.index(e) < tree.body.index(stmt) for e in extended):
        return None, "__all__ is extended before it is assigned"
    value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
    if not isinstance(value, ast.List | ast.Tuple) or not all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
    ):
        return None, "__all__ is computed, not a list of string literals"
    return value, None


def _sequence_of(source: str, offsets: SourceOffsets, node: ast.List | ast.Tuple) -> _Sequence:
    start, end = offsets.start(node), offsets.end(node)
    items = [(offsets.start(e), offsets.end(e)) for e in node.elts]
    bracketed = source[start] in "[("
    if bracketed:
        return _Sequence(items, start + 1, end - 1, isinstance(node, ast.Tuple), True)
    return _Sequence(items, start, end, True, False)


def register_submodule(
    source: str, name: str, *, line_length: int = DEFAULT_LINE_LENGTH
) -> Registration:
    """Import submodule `name` in a package's `__init__.py` source and list it in `__all__`.

    Only the import statement and the `__all__` literal change; everything else, comments
    and formatting included, keeps its bytes. A missing or computed `__all__` is left
    alone and the returned notes say why.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise SourceEditError(f"it does not parse (line {exc.lineno}: {exc.msg})") from exc
    offsets = SourceOffsets(source)
    edits: list[TextEdit] = []
    notes: list[str] = []

    import_edits, import_note = _import_edits(source, offsets, tree, name, line_length)
    edits += import_edits
    notes.append(import_note)

    all_node, reason = _module_all(tree)
    if isinstance(all_node, ast.List | ast.Tuple):
        existing = [
            e.value
            for e in all_node.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        if name in existing:
            notes.append(f"'{name}' is already listed in __all__")
        else:
            quote = "'" if all_node.elts and source[offsets.start(all_node.elts[0])] == "'" else '"'
            seq = _sequence_of(source, offsets, all_node)
            index = _insertion_index(existing, name)
            item_edits = _insert_item(source, offsets, seq, index, f"{quote}{name}{quote}")
            edits += _wrap_if_long(
                source, offsets, all_node, item_edits, line_length, quote, existing, index, name
            )
            notes.append(f"added '{name}' to __all__")
    elif reason is None:
        notes.append(
            "no __all__: left it absent, because creating one would change what"
            f" `from package import *` binds; '{name}' is public and imported, so it is exported"
            " as before (scaffold check --fix adds a complete __all__: EXP005)"
        )
    else:
        notes.append(f"{reason}: left it as is; add '{name}' to it yourself")
    return Registration(apply_edits(source, edits), tuple(notes))


def _wrap_if_long(
    source: str,
    offsets: SourceOffsets,
    node: ast.List | ast.Tuple,
    item_edits: list[TextEdit],
    line_length: int,
    quote: str,
    existing: list[str],
    index: int,
    name: str,
) -> list[TextEdit]:
    start, end = offsets.start(node), offsets.end(node)
    if source.count("\n", start, end):
        return item_edits
    line_start, line_end = offsets.line_start(start), offsets.line_end(end)
    line = source[line_start:line_end]
    new_line_length = len(line) + sum(len(e.text) - (e.end - e.start) for e in item_edits)
    if new_line_length <= line_length or source[start] not in "[(":
        return item_edits
    entries = [f"{quote}{item}{quote}" for item in existing]
    entries.insert(index, f"{quote}{name}{quote}")
    return [
        TextEdit(start, end, _one_per_line(source, start, source[start], entries, source[end - 1]))
    ]


def _import_edits(
    source: str, offsets: SourceOffsets, tree: ast.Module, name: str, line_length: int
) -> tuple[list[TextEdit], str]:
    relative = [
        stmt
        for stmt in tree.body
        if isinstance(stmt, ast.ImportFrom)
        and stmt.level == 1
        and stmt.module is None
        and not any(alias.name == "*" for alias in stmt.names)
    ]
    for stmt in relative:
        if any(alias.name == name and alias.asname in (None, name) for alias in stmt.names):
            return [], f"'{name}' is already imported"
    if relative:
        stmt = relative[0]
        names = [alias.name for alias in stmt.names]
        index = _insertion_index(names, name)
        start, end = offsets.start(stmt), offsets.end(stmt)
        aliases = stmt.names
        text = source[start:end]
        paren = text.find("(")
        if paren != -1:
            close = text.rfind(")")
            seq = _Sequence(
                [(offsets.start(a), offsets.end(a)) for a in aliases],
                start + paren + 1,
                start + close,
                False,
                True,
            )
            return _insert_item(
                source, offsets, seq, index, name
            ), f"added '{name}' to `from . import`"
        seq = _Sequence(
            [(offsets.start(a), offsets.end(a)) for a in aliases],
            offsets.start(aliases[0]),
            end,
            False,
            False,
        )
        edits = _insert_item(source, offsets, seq, index, name)
        line = source[offsets.line_start(start) : offsets.line_end(end)]
        if "\n" not in text and len(line) + len(name) + 2 > line_length:
            entries = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in aliases]
            entries.insert(index, name)
            exploded = "from . import " + _one_per_line(source, start, "(", entries, ")")
            return [TextEdit(start, end, exploded)], f"added '{name}' to `from . import`"
        return edits, f"added '{name}' to `from . import`"
    return [_new_import(source, offsets, tree, name)], f"added `from . import {name}`"


def _new_import(source: str, offsets: SourceOffsets, tree: ast.Module, name: str) -> TextEdit:
    """Insert `from . import name` where isort would put it: before other relative imports."""
    line = f"from . import {name}\n"
    imports = [s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)]
    first_relative = next(
        (s for s in imports if isinstance(s, ast.ImportFrom) and s.level > 0), None
    )
    if first_relative is not None:
        at = offsets.line_start(offsets.start(first_relative))
        return TextEdit(at, at, line)
    if imports:
        last = imports[-1]
        at = offsets.line_end(offsets.end(last))
        blank = "\n" if not isinstance(last, ast.ImportFrom) or last.level == 0 else ""
        return TextEdit(at, at, f"\n{blank}{line.rstrip()}")
    body = tree.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        at = offsets.line_end(offsets.end(body[0]))
        return TextEdit(at, at, f"\n\n{line.rstrip()}")
    return TextEdit(0, 0, line + ("\n" if source.strip() else ""))


def add_to_all(source: str, names: Sequence[str], *, line_length: int = DEFAULT_LINE_LENGTH) -> str:
    """Add `names` to the module's single literal `__all__`, keeping its order and layout.

    Raises SourceEditError when the source does not parse or its `__all__` is missing,
    computed or changed in several places (there is no one literal to edit).
    """
    for name in names:
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise SourceEditError(f"it does not parse (line {exc.lineno}: {exc.msg})") from exc
        all_node, reason = _module_all(tree)
        if not isinstance(all_node, ast.List | ast.Tuple):
            raise SourceEditError(reason or "the module has no __all__")
        offsets = SourceOffsets(source)
        existing = [
            e.value
            for e in all_node.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        if name in existing:
            continue
        quote = "'" if all_node.elts and source[offsets.start(all_node.elts[0])] == "'" else '"'
        seq = _sequence_of(source, offsets, all_node)
        index = _insertion_index(existing, name)
        item_edits = _insert_item(source, offsets, seq, index, f"{quote}{name}{quote}")
        edits = _wrap_if_long(
            source, offsets, all_node, item_edits, line_length, quote, existing, index, name
        )
        source = apply_edits(source, edits)
    return source
