"""The expression walk of module-level code: attribute reads, walrus bindings, effect calls.

Expressions are walked iteratively (deep nesting must not exhaust the stack); only the
classes of `dispatch.READ_SPECIALLY` are looked at, and below a `dispatch.MAY_SKIP_CHILDREN`
node the reads are conditional.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from scaffold.check.facts.compiles import SUSPECT_EXPRESSIONS, may_not_compile
from scaffold.check.facts.dispatch import MAY_SKIP_CHILDREN
from scaffold.check.facts.flow import Flow
from scaffold.check.facts.function_bodies import FunctionBodies
from scaffold.check.facts.guards import maybe_skipped
from scaffold.check.facts.nodes import span_of
from scaffold.check.model import Access, Event, Fact, RunImport, Where

__all__ = ["Expressions"]

# Calls that are side effects wherever they sit at module level.
_EFFECT_BUILTINS = frozenset({"print", "input", "open", "exit", "quit"})
# Calls through which code running at import time may bind module names no statement shows.
NAMESPACE_CALLS = frozenset({"globals", "vars", "locals", "exec"})
# Fields that never hold an expression the walk reads: names, numbers, and the contexts and
# operators every name, attribute and operation has (a third of all nodes).
_NOT_CHILDREN = frozenset(
    {"ctx", "op", "ops", "id", "attr", "kind", "conversion", "is_async", "arg", "type_comment"}
)
# The classes the walk tells apart most often, bound once (not `ast.`'s look-up per node).
_ATTRIBUTE, _NAME, _CALL, _LOAD = ast.Attribute, ast.Name, ast.Call, ast.Load
# The fields of each class that may hold expressions, in order; filled on first meeting.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that may hold the expressions below it, in order."""
    fields = tuple(f for f in getattr(kind, "_fields", ()) if f not in _NOT_CHILDREN)
    _CHILD_FIELDS[kind] = fields
    return fields


def _children(node: ast.AST) -> list[ast.AST]:
    """`ast.iter_child_nodes` without the nodes that read nothing, and without its two
    generators per node (the walk's most frequent call): each class's fields that may hold
    expressions are looked up once."""
    kind = type(node)
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _child_fields(kind)
    children: list[ast.AST] = []
    for field in fields:
        value = getattr(node, field, None)
        if type(value) is list:
            # Only a dict's keys hold None (`{**rest}`).
            children.extend([v for v in value if v is not None])
        elif value is not None:
            children.append(value)
    return children


class Expressions(FunctionBodies):
    """The expression handlers of the statement walker; `Collector`'s base."""

    events: list[Event]
    effects: list[tuple[Fact, str | None]]
    # Names called by code that runs at import time (a function among them runs then too).
    called: set[str]
    writes_namespace: bool  # import-time code calls globals(), vars(), locals() or exec()
    bindings: set[str]
    surely_bound: set[str]  # bound by a statement that surely ran (no branch, no `try:` body)
    # The imports a module-level function runs first thing when called, by function name.
    function_imports: dict[str, tuple[int, ...]]
    star_ran: bool  # a module-level star import has run: a bare name may come from it
    read_now: set[str]  # names code that runs at import time reads

    def bind(self, names: Iterable[str], flow: Flow, *, assigned: bool = True) -> None:
        """Module-level names become bound here."""
        raise NotImplementedError

    def target_expression(self, target: ast.expr, flow: Flow) -> None:
        """What an assignment target reads: `a.b.c = x` reads `a.b`, `a[i] = x` a and i."""
        if isinstance(target, ast.Attribute):
            self.expression(target.value, flow)
        elif isinstance(target, ast.Subscript):
            self.expression(target.value, flow)
            self.expression(target.slice, flow)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.target_expression(elt, flow)

    def expression(self, root: ast.expr, flow: Flow) -> None:
        """Record attribute reads, walrus bindings and effect calls of code that runs now.

        Only the classes of `dispatch.READ_SPECIALLY` are looked at; every other node is only
        descended into. Below a `dispatch.MAY_SKIP_CHILDREN` node (`a or b`, `x if c else y`,
        comprehension bodies) the reads are conditional.
        """
        if type(root) is ast.Constant:
            return  # docstrings, defaults, literals: nothing to read, nothing that may not compile
        if not flow.runs:
            if flow.where is not Where.FUNCTION:
                self.not_compiled_here(root)
            return
        inner: set[int] = set()
        walrus: list[str] = []
        events = self.events
        # (node, maybe skipped): `b if c else d`, `a or b` and comprehension bodies may not run.
        stack: list[tuple[Any, bool]] = [(root, flow.maybe)]  # told apart by `kind` below
        while stack:
            node, maybe = stack.pop()
            # The class decides (parsed trees hold no subclasses of ast's); a constant, the
            # most frequent node of literal tables, reads nothing and holds nothing.
            kind = type(node)
            if kind is ast.Constant:
                continue
            if kind in SUSPECT_EXPRESSIONS:
                self.suspect |= may_not_compile(node)
                if isinstance(node, ast.Lambda):
                    stack.extend((d, maybe) for d in node.args.defaults)
                    stack.extend((d, maybe) for d in node.args.kw_defaults if d is not None)
                    continue
            if kind is _ATTRIBUTE:
                if id(node) not in inner:
                    self.attribute_read(node, inner, maybe, flow)
            elif kind is _NAME:
                if type(node.ctx) is _LOAD:
                    self.read_now.add(node.id)
                    if self.star_ran and flow.module_level and self.may_be_starred(node.id):
                        events.append(Access(node.id, (), span_of(node), maybe, flow.guarded))
                continue  # a name holds no expression
            elif kind is ast.NamedExpr:
                if type(node.target) is _NAME:
                    walrus.append(node.target.id)
            elif kind is _CALL and type(node.func) is _NAME:
                self.name_called(node, node.func.id, maybe)
            children = _children(node)
            if kind in MAY_SKIP_CHILDREN:
                stack.extend((c, maybe or maybe_skipped(node, c)) for c in reversed(children))
            else:
                # Pairs made in C: a generator here ran once per child of every node.
                stack.extend(zip(reversed(children), repeat(maybe)))
        if walrus:
            self.bind(walrus, flow)

    def attribute_read(self, node: ast.Attribute, inner: set[int], maybe: bool, flow: Flow) -> None:
        """`a.b.c` read: one access of `a` with its attributes (the inner nodes are noted in
        `inner` so the walk does not count `a.b` again)."""
        attrs: list[str] = []
        base: ast.expr = node
        while type(base) is ast.Attribute:
            inner.add(id(base))
            attrs.append(base.attr)
            base = base.value
        if type(base) is ast.Name and type(node.ctx) is ast.Load:
            self.events.append(
                Access(base.id, tuple(reversed(attrs)), span_of(node), maybe, flow.guarded)
            )

    def name_called(self, node: ast.Call, called: str, maybe: bool) -> None:
        """`f(...)` at import time: f runs now, and so do the imports a module-level f runs."""
        self.called.add(called)
        imports = self.function_imports.get(called, ())
        self.events.extend(RunImport(index, maybe) for index in imports)
        if called in _EFFECT_BUILTINS:
            self.effects.append((Fact(span_of(node), "call", called), None))
        elif called in NAMESPACE_CALLS:
            self.writes_namespace = True

    def may_be_starred(self, name: str) -> bool:
        """Whether reading `name` here may find it only through an earlier star import: no
        statement that surely ran bound it (one in a branch or a `try:` body may not have:
        the simulation knows whether it did)."""
        return name not in self.surely_bound and not hasattr(builtins, name)

    def not_compiled_here(self, root: ast.expr) -> None:
        """Module-level code that does not run on import (`if __name__ == "__main__":`) still
        has to compile: look for what may not, outside function bodies."""
        self.suspect |= any(
            type(node) in SUSPECT_EXPRESSIONS and may_not_compile(node) for node in ast.walk(root)
        )
