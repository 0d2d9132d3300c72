"""The statement walker: one pass over a module's statements, in execution order, into facts.

Each statement goes to the handler its class is mapped to in dispatch.py (one table for
code that runs at import time, one for function bodies); expressions are walked
iteratively by the base class (expressions.py).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from scaffold.check.facts.all_value import AllValue
from scaffold.check.facts.compiles import (
    has_duplicate_parameters,
    is_bad_future,
    leading_futures,
)
from scaffold.check.facts.dispatch import (
    FUNCTION_STATEMENTS,
    IGNORED_AT_IMPORT_TIME,
    IGNORED_IN_FUNCTIONS,
    IMPORT_TIME_STATEMENTS,
    UNKNOWN_STATEMENT,
)
from scaffold.check.facts.expressions import Expressions
from scaffold.check.facts.flow import FUNCTION_BODY, Flow
from scaffold.check.facts.guards import (
    caught,
    decided,
    evaluated_on_import,
    is_catch_warnings,
    is_main_guard,
    is_type_checking,
)
from scaffold.check.facts.nodes import dotted_name, span_of, target_names
from scaffold.check.facts.uses import names_in, signature_names, walked_uses
from scaffold.check.facts.whole_tree import (
    names_read,
    namespace_item,
    path_hacks,
    writes_own_namespace,
)
from scaffold.check.model import (
    Access,
    Bind,
    Event,
    Fact,
    ImportedName,
    ImportFact,
    ModuleFacts,
    RunImport,
    Span,
    TryEnd,
    TryHandler,
    TryStart,
    Unbind,
    Where,
)

__all__ = ["Collector", "Flow"]

_new = tuple.__new__
# The warnings functions whose change `warnings.catch_warnings()` undoes on leaving.
_FILTERS = frozenset({"simplefilter", "filterwarnings", "resetwarnings"})
# Mappings every module of the interpreter shares: writing them at import time is an effect.
_SHARED_MAPPINGS = frozenset({"os.environ", "sys.modules"})


class Collector(Expressions):
    """Walk statements once, tracking where each runs; expressions are walked iteratively."""

    def __init__(self) -> None:
        self.imports: list[ImportFact] = []
        self.events: list[Event] = []
        self.bindings: set[str] = set()
        self.surely_bound: set[str] = set()  # by a statement not in a branch nor `try:` body
        self.typing_bindings: set[str] = set()
        self.assigned: set[str] = set()
        self.declared: set[str] = set()
        self.global_names: set[str] = set()
        self.has_getattr = False
        self.all_value = AllValue(self.imports)
        self.effects: list[tuple[Fact, str | None]] = []  # the effect, its receiver's root
        # Syntax `ast.parse` accepts that may not compile (compiles.py): then compile to know.
        self.suspect = False
        self.leading_futures: set[int] = set()
        self.called: set[str] = set()
        self.writes_namespace = False
        self.function_imports: dict[str, tuple[int, ...]] = {}
        self.star_ran = False
        self.read_now: set[str] = set()
        self.annotated: Counter[str] = Counter()  # names in annotations, how often

    def collect(
        self,
        tree: ast.Module,
        text: str,
        noqa: tuple[tuple[int, frozenset[str] | None], ...],
        *,
        is_package: bool,
    ) -> ModuleFacts:
        """The facts of one parsed module."""
        self.leading_futures = leading_futures(tree)
        self.block(tree.body, Flow(Where.MODULE, True, False, False))
        dynamic = self.writes_namespace or writes_own_namespace(tree, text, self.called)
        uses = names_read(tree) if is_package else set()
        hacks = path_hacks(tree, text, self.imports)
        import_bound = {
            (n.asname or n.name.partition(".")[0])
            for imp in self.imports
            if imp.binds and not imp.is_star
            for n in imp.names
        }
        events = tuple(
            e
            for e in self.events
            if not isinstance(e, Access) or e.name in import_bound or not e.attrs
        )
        hack_spans = {hack.span for hack in hacks}
        effects: list[Fact] = []
        seen: set[Span] = set()
        for effect, receiver in self.effects:
            if effect.span in hack_spans or effect.span in seen:
                continue
            if receiver is not None and receiver in self.assigned and receiver not in import_bound:
                continue  # a method of an object this module built: configuration, not an effect
            seen.add(effect.span)
            effects.append(effect)
        all_value = self.all_value
        return ModuleFacts(
            imports=tuple(self.imports),
            events=events,
            bindings=frozenset(self.bindings),
            typing_bindings=frozenset(self.typing_bindings - self.bindings),
            assigned=frozenset(self.assigned),
            declared=frozenset(self.declared),
            global_names=frozenset(self.global_names - self.bindings),
            uses=frozenset(uses),
            has_getattr=self.has_getattr,
            dynamic=dynamic,
            defines_all=all_value.defined,
            all_complete=all_value.complete,
            all_entries=tuple(all_value.entries),
            all_literals=tuple(all_value.literals),
            all_sources=tuple(all_value.sources),
            all_imports=tuple(all_value.imports),
            all_problems=tuple(all_value.problems),
            side_effects=tuple(effects),
            path_hacks=tuple(hacks),
            noqa=noqa,
            import_uses=walked_uses(self, tree, text, is_package),
        )

    def block(self, body: Iterable[ast.stmt], flow: Flow) -> None:
        """Each statement of a body, through the table for where the body runs."""
        if flow.where is not Where.FUNCTION:
            for stmt in body:
                _IMPORT_TIME_DISPATCH.get(type(stmt), _unknown_statement)(self, stmt, flow)
            return
        # Most statements of a function body hold nothing: not even a call for them.
        for stmt in body:
            if (kind := type(stmt)) not in IGNORED_IN_FUNCTIONS:
                _FUNCTION_DISPATCH.get(kind, _unknown_statement)(self, stmt, flow)

    def bind(self, names: Iterable[str], flow: Flow, *, assigned: bool = True) -> None:
        """Module-level names become bound here (if the flow binds module names at all)."""
        names = tuple(names)
        if not names or not flow.module_level:
            return
        if flow.where is Where.TYPE_CHECKING:
            self.typing_bindings.update(names)
            return
        if flow.where is not Where.MODULE:
            return
        self.bindings.update(names)
        if not flow.conditional and not flow.guarded:
            self.surely_bound.update(names)
        if assigned:
            self.assigned.update(names)
        if "__getattr__" in names:
            self.has_getattr = True
        self.events.append(Bind(names))

    # --- statements that run at import time (module level, class bodies) -------------------

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, flow: Flow) -> None:
        """Decorators and defaults run now; the body runs only when called."""
        if has_duplicate_parameters(node.args):
            self.suspect = True
        signature_names(node, self.annotated)
        if flow.runs:
            for expr in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                if expr is not None:
                    self.expression(expr, flow)
        first = len(self.imports)
        self.block(node.body, FUNCTION_BODY)
        if flow.runs and flow.module_level:
            # Only the imports the body runs first thing, whatever the arguments.
            ours = range(first, len(self.imports))
            body = node.body if ours else ()  # most bodies import nothing: no look at them
            direct = {span_of(s) for s in body if isinstance(s, (ast.Import, ast.ImportFrom))}
            self.function_imports[node.name] = tuple(
                i for i in ours if self.imports[i].span in direct
            )
        self.bind([node.name], flow)

    def class_def(self, node: ast.ClassDef, flow: Flow) -> None:
        """The class body runs now but binds class attributes, not module names."""
        if flow.runs:
            for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
                self.expression(expr, flow)
        inner = flow.but(module_level=False, can_break=False)
        self.block(node.body, inner)
        self.bind([node.name], flow)

    def assign(self, node: ast.Assign, flow: Flow) -> None:
        """`a = b = value`, `__all__ = [...]` included."""
        self.expression(node.value, flow)
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "__all__" and flow.module_level:
                if flow.runs:
                    self.all_value.assign(node.value, conditional=flow.conditional, augmented=False)
            elif (name := namespace_item(target)) is not None:
                self.bind([name], flow)  # `globals()["NAME"] = value` binds NAME, nothing else
            else:
                written = isinstance(target, ast.Subscript) and dotted_name(target.value)
                if written in _SHARED_MAPPINGS and flow.runs and not flow.in_loop:
                    self.effects.append((Fact(span_of(node), "write", written), None))
                self.target_expression(target, flow)
                if flow.module_level and flow.runs and "__all__" in target_names(target):
                    self.all_value.unpack(target, node.value, conditional=flow.conditional)
            self.bind(target_names(target), flow)
            # `*a = x` and `a, *b, *c = x` do not compile.
            self.suspect |= isinstance(target, ast.Starred) or (
                isinstance(target, (ast.Tuple, ast.List))
                and sum(isinstance(e, ast.Starred) for e in target.elts) > 1
            )

    def annotated_assign(self, node: ast.AnnAssign, flow: Flow) -> None:
        """`name: T = value` binds; `name: T` alone only declares (what stubs do)."""
        names_in(node.annotation, self.annotated)
        if node.value is None:
            if flow.module_level and flow.where is Where.MODULE:
                self.declared.update(target_names(node.target))
            return
        self.expression(node.value, flow)
        if (
            isinstance(node.target, ast.Name)
            and node.target.id == "__all__"
            and flow.module_level
            and flow.runs
        ):
            self.all_value.assign(node.value, conditional=flow.conditional, augmented=False)
        self.bind(target_names(node.target), flow)

    def augmented_assign(self, node: ast.AugAssign, flow: Flow) -> None:
        """`name += value`, `__all__ += [...]` included."""
        self.expression(node.value, flow)
        if isinstance(node.target, ast.Name) and node.target.id == "__all__":
            if flow.module_level and flow.runs:
                if isinstance(node.op, ast.Add):
                    self.all_value.assign(node.value, conditional=flow.conditional, augmented=True)
                else:
                    self.all_value.problem(node, "operator")
        else:
            self.target_expression(node.target, flow)
        self.bind(target_names(node.target), flow)

    def if_statement(self, node: ast.If, flow: Flow) -> None:
        """`if TYPE_CHECKING:` and `if __name__ == "__main__":` change where the body runs."""
        if is_type_checking(node.test):
            if flow.runs:  # the test reads `TYPE_CHECKING` (or `typing`) when it runs
                self.read_now.update(n.id for n in ast.walk(node.test) if type(n) is ast.Name)
            self.block(node.body, flow.but(where=Where.TYPE_CHECKING))
            self.block(node.orelse, flow.but(conditional=True, maybe=True))
        elif is_main_guard(node.test):
            # In `a and __name__ == "__main__" and b`, `a` runs on import and `b` does not.
            for operand in evaluated_on_import(node.test):
                self.expression(operand, flow)
            self.block(node.body, flow.but(where=Where.MAIN))
            self.block(node.orelse, flow.but(conditional=True, maybe=True))
        elif (taken := decided(node.test)) is not None:
            # `if sys.version_info >= (3, 8):` runs one branch on this interpreter; the other
            # still binds its names in the facts, but its imports never run here.
            self.expression(node.test, flow)
            live, dead = (node.body, node.orelse) if taken else (node.orelse, node.body)
            self.block(live, flow.but(conditional=True))
            ran = len(self.events)
            self.block(dead, flow.but(conditional=True, maybe=True))
            del self.events[ran:]
        else:
            self.expression(node.test, flow)
            self.block(node.body, flow.but(conditional=True, maybe=True))
            self.block(node.orelse, flow.but(conditional=True, maybe=True))

    def try_statement(self, node: ast.Try | ast.TryStar, flow: Flow) -> None:
        """A body with handlers is guarded; handlers and `else` may not run."""
        # A bare `except:` before the last handler does not compile.
        self.suspect |= any(h.type is None for h in node.handlers[:-1])
        body = flow.but(guarded=flow.guarded or bool(node.handlers))
        if not node.handlers or not flow.runs:
            self.block(node.body, body)
            for handler in node.handlers:
                self.block(handler.body, flow.but(conditional=True, maybe=True))
        else:
            # The simulation follows a handler when it knows what the handler catches.
            kinds = [caught(h.type) for h in node.handlers]
            opaque = isinstance(node, ast.TryStar) or None in kinds
            union = None if opaque else frozenset().union(*(k for k in kinds if k is not None))
            self.events.append(TryStart(union))
            self.block(node.body, body.but(maybe=True) if opaque else body)
            for handler, catches in zip(node.handlers, kinds, strict=True):
                self.events.append(TryHandler(catches))
                self.block(handler.body, flow.but(conditional=True, maybe=flow.maybe or opaque))
            self.events.append(TryEnd())
        self.block(node.orelse, flow.but(conditional=True, maybe=True))
        self.block(node.finalbody, flow)

    def for_loop(self, node: ast.For | ast.AsyncFor, flow: Flow) -> None:
        """The iterable is read once; the body may run any number of times."""
        self.expression(node.iter, flow)
        self.bind(target_names(node.target), flow)
        self.suspect |= isinstance(node, ast.AsyncFor)  # outside an `async def`
        self.block(node.body, flow.but(conditional=True, in_loop=True, can_break=True, maybe=True))
        if node.orelse:
            self.block(node.orelse, flow.but(conditional=True, in_loop=True, maybe=True))

    def while_loop(self, node: ast.While, flow: Flow) -> None:
        """A module-level `while True:` that no `break` ends holds the importer forever."""
        self.expression(node.test, flow)
        endless = (
            isinstance(node.test, ast.Constant)
            and bool(node.test.value)
            and not any(isinstance(n, ast.Break) for b in node.body for n in ast.walk(b))
        )
        if endless and flow.runs and flow.module_level and not flow.in_loop:
            self.effects.append((Fact(span_of(node), "while"), None))
        self.block(node.body, flow.but(conditional=True, in_loop=True, can_break=True, maybe=True))
        if node.orelse:
            self.block(node.orelse, flow.but(conditional=True, in_loop=True, maybe=True))

    def with_statement(self, node: ast.With | ast.AsyncWith, flow: Flow) -> None:
        """Each context expression is read; `as` targets bind."""
        self.suspect |= isinstance(node, ast.AsyncWith)  # outside an `async def`
        for item in node.items:
            self.expression(item.context_expr, flow)
            if item.optional_vars is not None:
                self.bind(target_names(item.optional_vars), flow)
        before = len(self.effects)
        self.block(node.body, flow)
        if any(is_catch_warnings(item.context_expr) for item in node.items):
            # `with warnings.catch_warnings():` restores the filters its body changes.
            kept = [
                e for e in self.effects[before:] if e[0].name.rpartition(".")[2] not in _FILTERS
            ]
            self.effects[before:] = kept

    def match_statement(self, node: ast.Match, flow: Flow) -> None:
        """The subject is read; each case's capture patterns bind, its body may not run."""
        self.expression(node.subject, flow)
        for case in node.cases:
            names = [
                n.name
                for n in ast.walk(case.pattern)
                if isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name
            ]
            names += [
                n.rest for n in ast.walk(case.pattern) if isinstance(n, ast.MatchMapping) and n.rest
            ]
            self.bind(names, flow)
            if case.guard is not None:
                self.expression(case.guard, flow.but(conditional=True, maybe=True))
            self.block(case.body, flow.but(conditional=True, maybe=True))

    def type_alias(self, node: ast.stmt, flow: Flow) -> None:
        """`type X = ...` (3.12+) binds X; its value is evaluated lazily, so nothing is read."""
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            self.bind([name.id], flow)

    def delete(self, node: ast.Delete, flow: Flow) -> None:
        """`del x` unbinds x when it surely runs; `del a.b`, `del a[i]` only read."""
        for target in node.targets:
            self.target_expression(target, flow)
            names = set(target_names(target))
            if names and flow.module_level and flow.where is Where.MODULE and not flow.conditional:
                # `assigned` stays: the calls on an object the module built before deleting
                # it (`tmp = []; tmp.append(1); del tmp`) are still configuration.
                self.bindings -= names
                self.surely_bound -= names
                self.events.append(Unbind(tuple(sorted(names))))

    def class_global(self, node: ast.Global, flow: Flow) -> None:
        """`global x` in a class body sends its later binding of x to the module."""
        if not flow.module_level and flow.where is Where.MODULE:
            self.global_names.update(node.names)

    def expression_statement(self, node: ast.Expr, flow: Flow) -> None:
        """A bare expression: `__all__.extend(...)`, or a call that runs at import time."""
        self.expression(node.value, flow)
        call = node.value
        if not isinstance(call, ast.Call):
            return
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "__all__"
            and flow.module_level
            and flow.runs
            and self.all_value.method(call, func.attr, conditional=flow.conditional)
        ):
            return
        if not (flow.runs and flow.module_level and not flow.in_loop):
            return
        name = dotted_name(func)
        receiver = name.partition(".")[0] if name is not None and "." in name else None
        self.effects.append((Fact(span_of(node), "call", name or ""), receiver))

    def read_expressions(self, node: ast.stmt, flow: Flow) -> None:
        """A statement that binds no module name: only the expressions in it run."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expression(child, flow)

    def outside_function(self, node: ast.stmt, flow: Flow) -> None:
        """`return` or `nonlocal` at import time: a compile error; its expressions are read."""
        self.suspect = True
        self.read_expressions(node, flow)

    # --- statements shared with function bodies ---------------------------------------------

    def import_names(self, node: ast.Import, flow: Flow) -> None:
        """`import a.b, c as d`: one import fact per name."""
        for alias in node.names:
            self.add_import(node, False, alias.name, 0, [alias], flow)

    def import_from(self, node: ast.ImportFrom, flow: Flow) -> None:
        """`from m import a, b`: one import fact."""
        self.add_import(node, True, node.module or "", node.level, node.names, flow)

    def add_import(
        self,
        node: ast.Import | ast.ImportFrom,
        is_from: bool,
        module: str,
        level: int,
        aliases: list[ast.alias],
        flow: Flow,
    ) -> None:
        """Record an import, when it runs, and the names it binds."""
        # By `tuple.__new__` (C), in the fields' order: a named tuple's own `__new__` is a
        # Python function, and keywords cost more again.
        names = tuple([_new(ImportedName, (a.name, a.asname, span_of(a))) for a in aliases])
        state = (flow.where, flow.conditional, flow.guarded, flow.module_level)  # ... binds
        fact = _new(ImportFact, (is_from, module, level, names, span_of(node), *state))
        index = len(self.imports)
        self.imports.append(fact)
        if flow.runs:
            self.events.append(RunImport(index, flow.maybe))
        star = fact.is_star
        self.star_ran |= star and flow.runs and flow.module_level
        if star and not flow.module_level:
            self.suspect = True  # `import *` in a function or class body does not compile
        if isinstance(node, ast.ImportFrom) and module == "__future__":
            self.suspect |= is_bad_future(node, self.leading_futures)
        if star:
            # A module-level star import is expanded by the resolver, which knows the
            # target's names.
            return
        bound = [a.asname or (a.name if is_from else a.name.partition(".")[0]) for a in aliases]
        if is_from and module == "__future__":
            return
        if flow.module_level and flow.where is Where.MODULE:
            self.bindings.update(bound)
            if "__getattr__" in bound:
                self.has_getattr = True
        elif flow.module_level and flow.where is Where.TYPE_CHECKING:
            self.typing_bindings.update(bound)


# A handler takes the collector, a node of the class it is registered for, and the flow.
_Handler = Callable[[Collector, Any, Flow], None]


def _handlers(
    handled: dict[type[ast.stmt], str], ignored: frozenset[type[ast.stmt]]
) -> dict[type[ast.stmt], _Handler]:
    """What `Collector.block` looks up: the handler of each class, ignored classes included."""
    table: dict[type[ast.stmt], _Handler] = dict.fromkeys(ignored, Collector.skip)
    table.update((kind, getattr(Collector, name)) for kind, name in handled.items())
    return table


_IMPORT_TIME_DISPATCH = _handlers(IMPORT_TIME_STATEMENTS, IGNORED_AT_IMPORT_TIME)
_FUNCTION_DISPATCH = _handlers(FUNCTION_STATEMENTS, IGNORED_IN_FUNCTIONS)
_unknown_statement: _Handler = getattr(Collector, UNKNOWN_STATEMENT)
