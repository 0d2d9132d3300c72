"""Small readings of AST nodes that the fact collectors share: spans, dotted names, targets."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from scaffold.check.model import Span

__all__ = ["dotted_name", "span_of", "target_names", "walk_nodes"]

# A named tuple built by `tuple.__new__` in C: its own `__new__` is a Python function, a
# frame per span (the walk's most frequent record).
_new = tuple.__new__


def span_of(node: ast.AST) -> Span:
    """The 1-based source range of a node; a node without positions starts at line 1."""
    try:
        # A parsed node has all four (the walk's most frequent call: no getattr defaults).
        line = node.lineno  # type: ignore[attr-defined]
        col = node.col_offset  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        end_col = node.end_col_offset  # type: ignore[attr-defined]
    except AttributeError:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
    return _new(Span, (line, col + 1, end_line, (col if end_col is None else end_col) + 1))


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def target_names(target: ast.expr) -> Iterator[str]:
    """The plain names an assignment target binds (unpacking included, attributes not)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


# Fields that hold no node any reader of a walk looks for: the contexts and operators every
# name, attribute and operation has (a third of all nodes), and names and numbers.
_NOT_WALKED = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "kind", "conversion"})
# The fields of each class that may hold nodes, in order; filled on first meeting.
_WALKED_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def walk_nodes(root: ast.AST) -> list[ast.AST]:
    """`ast.walk(root)` as a list, in its order, less the contexts and operators.

    Its nodes are what readers look for (names, strings, calls, statements); each class's
    fields are looked up once, and no generator runs per node (`ast.walk` runs two).
    """
    found = [root]
    for node in found:  # grows as it goes: breadth first, as ast.walk
        kind = type(node)
        fields = _WALKED_FIELDS.get(kind)
        if fields is None:
            fields = _WALKED_FIELDS[kind] = tuple(
                f for f in getattr(kind, "_fields", ()) if f not in _NOT_WALKED
            )
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                found.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                found.append(value)
    return found
