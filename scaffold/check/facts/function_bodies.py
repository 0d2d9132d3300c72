"""The statements of function bodies: they run only when called, so only a few matter.

A function body's imports are facts (the import rules read them), and so are the names it
declares `global`; its `break`, `nonlocal` and nested signatures may not compile.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from scaffold.check.facts.compiles import has_duplicate_parameters
from scaffold.check.facts.flow import Flow

__all__ = ["FunctionBodies"]


class FunctionBodies:
    """The handlers of `dispatch.FUNCTION_STATEMENTS` other than imports; `Collector`'s base."""

    global_names: set[str]
    suspect: bool

    def block(self, body: Iterable[ast.stmt], flow: Flow) -> None:
        """Each statement of a body, through the table for where the body runs."""
        raise NotImplementedError

    def skip(self, node: ast.stmt, flow: Flow) -> None:
        """A statement that holds no facts where it stands."""

    def loop_exit(self, node: ast.Break | ast.Continue, flow: Flow) -> None:
        """`break` and `continue` outside a loop body do not compile."""
        if not flow.can_break:
            self.suspect = True

    def global_statement(self, node: ast.Global, flow: Flow) -> None:
        """`global x` in a function: x is bound whenever that function runs, if ever."""
        self.global_names.update(node.names)

    def nonlocal_statement(self, node: ast.Nonlocal, flow: Flow) -> None:
        """`nonlocal x` with no enclosing binding of x does not compile; let the compiler say."""
        self.suspect = True

    def nested_definition(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, flow: Flow
    ) -> None:
        """A def or class in a function: its body, where `break` no longer reaches a loop."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.suspect |= has_duplicate_parameters(node.args)
        self.block(node.body, flow.but(can_break=False) if flow.can_break else flow)

    def nested_loop(self, node: ast.For | ast.AsyncFor | ast.While, flow: Flow) -> None:
        """A loop in a function: `break` belongs in its body, not in its `else`."""
        self.block(node.body, flow if flow.can_break else flow.but(can_break=True))
        if node.orelse:
            self.block(node.orelse, flow)

    def nested_branches(self, node: ast.If | ast.With | ast.AsyncWith, flow: Flow) -> None:
        """`if` and `with` in a function: only the imports in their bodies matter (the most
        frequent compound statements, so read without `nested_blocks`' look-ups)."""
        self.block(node.body, flow)
        if type(node) is ast.If and node.orelse:
            self.block(node.orelse, flow)

    def nested_blocks(self, node: ast.stmt, flow: Flow) -> None:
        """A compound statement in a function: only the imports in its bodies matter."""
        for name in ("body", "orelse", "finalbody"):
            self.block(getattr(node, name, ()), flow)
        handlers = getattr(node, "handlers", ())
        # A bare `except:` before the last handler does not compile.
        self.suspect |= any(h.type is None for h in handlers[:-1])
        for handler in handlers:
            self.block(handler.body, flow)
        for case in getattr(node, "cases", ()):
            self.block(case.body, flow)
