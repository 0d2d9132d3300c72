"""Readings of an `if` test and of expression nesting that change where code runs."""

from __future__ import annotations

import ast

from scaffold.check.facts.dispatch import MAY_SKIP_CHILDREN
from scaffold.check.facts.nodes import dotted_name

__all__ = ["evaluated_on_import", "is_main_guard", "is_type_checking", "maybe_skipped"]


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
