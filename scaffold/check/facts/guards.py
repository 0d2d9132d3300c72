"""Readings of an `if` test and of expression nesting that change where code runs."""

from __future__ import annotations

import ast
import builtins
import operator
import sys
from collections.abc import Callable
from typing import Any

from scaffold.check.facts.dispatch import MAY_SKIP_CHILDREN
from scaffold.check.facts.nodes import dotted_name

__all__ = [
    "caught",
    "decided",
    "evaluated_on_import",
    "is_catch_warnings",
    "is_main_guard",
    "is_type_checking",
    "maybe_skipped",
]

_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
# What an import that fails at import time raises: `from m import x` while m initialises,
# `m.x` before m binds x, a name a star import of a partial module did not bring.
RAISED_ON_IMPORT = (ImportError, AttributeError, NameError)
_UNSURE = object()


def decided(test: ast.expr) -> bool | None:
    """The value of an `if` test that only reads `sys.version_info` or `sys.platform`, as
    the running interpreter has them (`sys.version_info >= (3, 8)`, `sys.platform ==
    "win32"`, `not`, `and`, `or` of such); None for any other test."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [decided(v) for v in test.values]
        if None in values:
            return None
        return all(values) if isinstance(test.op, ast.And) else any(values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    compare = _COMPARISONS.get(type(test.ops[0]))
    left, right = _system_value(test.left), _constant(test.comparators[0])
    if compare is None or left is _UNSURE or right is _UNSURE:
        return None
    try:
        return bool(compare(left, right))
    except TypeError:
        return None


def _system_value(node: ast.expr) -> object:
    """`sys.version_info` (or `[i]`, `[:n]`, `.major`, `.minor`) and `sys.platform` as the
    running interpreter has them; _UNSURE for anything else."""
    name = dotted_name(node)
    if name == "sys.platform":
        return sys.platform
    if name in ("sys.version_info.major", "sys.version_info.minor"):
        return getattr(sys.version_info, name.rpartition(".")[2])
    if name == "sys.version_info":
        return tuple(sys.version_info)
    if not (isinstance(node, ast.Subscript) and dotted_name(node.value) == "sys.version_info"):
        return _UNSURE
    piece = node.slice
    if isinstance(piece, ast.Slice):
        stop = _constant(piece.upper) if piece.upper is not None else _UNSURE
        if piece.lower is None and piece.step is None and type(stop) is int:
            return tuple(sys.version_info)[:stop]
        return _UNSURE
    index = _constant(piece)
    if type(index) is int and -5 <= index < 5:
        return sys.version_info[index]
    return _UNSURE


def _constant(node: ast.expr) -> object:
    """A literal int, str or tuple of ints; _UNSURE for anything else."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, str):
        return node.value
    if isinstance(node, ast.Tuple):
        items = [_constant(e) for e in node.elts]
        if all(isinstance(i, int) and not isinstance(i, bool) for i in items):
            return tuple(items)
    return _UNSURE


def caught(handler: ast.expr | None) -> frozenset[str] | None:
    """Which of RAISED_ON_IMPORT an `except` clause catches (a bare `except:` all); None
    when it names something other than builtin exception classes."""
    if handler is None:
        return frozenset(error.__name__ for error in RAISED_ON_IMPORT)
    parts = handler.elts if isinstance(handler, ast.Tuple) else [handler]
    found: set[str] = set()
    for part in parts:
        kind = getattr(builtins, part.id, None) if isinstance(part, ast.Name) else None
        if not (isinstance(kind, type) and issubclass(kind, BaseException)):
            return None
        found.update(error.__name__ for error in RAISED_ON_IMPORT if issubclass(error, kind))
    return frozenset(found)


def is_type_checking(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:` (any `x.TYPE_CHECKING`) or `if False:`: never runs."""
    if isinstance(test, ast.Constant) and test.value is False:
        return True
    name = dotted_name(test)
    return name is not None and name.rpartition(".")[2] == "TYPE_CHECKING"


def is_main_guard(test: ast.expr) -> bool:
    """`if __name__ == "__main__":` (either side first), alone or in an `and` chain.

    `a and __name__ == "__main__"` is false on import whatever `a` is; in an `or` chain the
    other side may be true, so that is no guard.
    """
    if isinstance(test, ast.BoolOp):
        return isinstance(test.op, ast.And) and any(is_main_guard(v) for v in test.values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    consts = {s.value for s in sides if isinstance(s, ast.Constant)}
    return names == {"__name__"} and consts == {"__main__"}


def evaluated_on_import(guard: ast.expr) -> list[ast.expr]:
    """The operands of a main guard's `and` chain that run on import: those before the test."""
    if not isinstance(guard, ast.BoolOp):
        return []
    before: list[ast.expr] = []
    for value in guard.values:
        if is_main_guard(value):
            return before + evaluated_on_import(value)
        before.append(value)
    return before


def maybe_skipped(parent: ast.AST, child: ast.AST) -> bool:
    """Whether evaluating `parent` may skip `child` (short-circuits, comprehension bodies)."""
    if type(parent) not in MAY_SKIP_CHILDREN:
        return False
    if isinstance(parent, ast.IfExp):
        return child is not parent.test
    if isinstance(parent, ast.BoolOp):
        return child is not parent.values[0]
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return child is not parent.generators[0]
    if isinstance(parent, ast.comprehension):
        return child is not parent.iter
    return False


def is_catch_warnings(expr: ast.expr) -> bool:
    """Whether an expression is a call of `catch_warnings` (`warnings.catch_warnings()`)."""
    if not isinstance(expr, ast.Call):
        return False
    name = dotted_name(expr.func)
    return name is not None and name.rpartition(".")[2] == "catch_warnings"
