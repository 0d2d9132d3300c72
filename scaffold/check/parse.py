"""One source file in, one picklable ModuleFacts record out; no AST survives the call."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scaffold.check.model import (
    FILE_SPAN,
    Access,
    AllEntry,
    AllLiteral,
    Bind,
    Event,
    ImportedName,
    ImportFact,
    ModuleFacts,
    RunImport,
    SourceError,
    Span,
    Where,
)

__all__ = ["decode_source", "parse_source", "scan_noqa"]

# Calls that are side effects wherever they sit at module level.
_EFFECT_BUILTINS = frozenset({"print", "input", "open", "exit", "quit"})
_COMPOUND = frozenset(
    {
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.If,
        ast.For,
        ast.AsyncFor,
        ast.While,
        ast.With,
        ast.AsyncWith,
        ast.Try,
        ast.TryStar,
        ast.Match,
    }
)
_PATH_METHODS = frozenset({"insert", "append", "extend"})
_ALL_METHODS = frozenset({"extend", "append", "remove"})
# Code that writes its own namespace or package path: its names cannot be known statically.
# Each pattern starts with a literal so the regex engine can skip ahead quickly; a few extra
# matches (`myglobals(`) only make the checker quieter.
_DYNAMIC = tuple(
    re.compile(pattern)
    for pattern in (
        r"globals\s*\(",
        r"vars\s*\(",
        r"exec\s*\(",
        r"__path__\s*(?:\+?=|\.)",
        r"modules\s*\[[^\]\n]*\]\s*=",
    )
)
_PATH_HINT = re.compile(r"path\s*(?:\.\s*(?:insert|append|extend)\b|\+?=|\[)")
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)


def _span(node: ast.AST) -> Span:
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    end_line = getattr(node, "end_lineno", None) or line
    end_col = getattr(node, "end_col_offset", None)
    return Span(line, col + 1, end_line, (col if end_col is None else end_col) + 1)


def scan_noqa(text: str) -> tuple[tuple[int, frozenset[str] | None], ...]:
    """Each line with a `# noqa` comment and the codes it names (None: every code)."""
    result: list[tuple[int, frozenset[str] | None]] = []
    if "noqa" not in text.lower():
        return ()
    for number, line in enumerate(text.splitlines(), start=1):
        if "noqa" not in line.lower():
            continue
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        names = None if codes is None else frozenset(c.strip().upper() for c in codes.split(","))
        result.append((number, names))
    return tuple(result)


def decode_source(data: bytes) -> str:
    """Decode like the interpreter does (BOM, coding cookie); raise ValueError if it can't."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ValueError(str(exc)) from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValueError(f"cannot decode as {encoding}: {exc}") from exc
    return text.removeprefix("\ufeff")


def parse_source(data: bytes | str, *, is_package: bool = False) -> ModuleFacts:
    """Parse one file's content into facts; never raises for bad input.

    `is_package` (an `__init__`) adds the names the module reads, which only the package
    rules need and which cost a walk over every node.
    """
    if isinstance(data, bytes):
        try:
            text = decode_source(data)
        except ValueError as exc:
            return ModuleFacts(error=SourceError("SYN002", str(exc), FILE_SPAN))
    else:
        text = data
    noqa = scan_noqa(text)
    try:
        with warnings.catch_warnings():
            # `x is 1` and friends make the compiler warn on stderr; the user ran a checker.
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = exc.offset or 1
        msg = exc.msg or "invalid syntax"
        return ModuleFacts(error=SourceError("SYN001", msg, Span(line, col, line, col)), noqa=noqa)
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return ModuleFacts(error=SourceError("SYN001", _why(exc), FILE_SPAN), noqa=noqa)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _Collector().collect(tree, text, noqa, is_package=is_package)
    except (RecursionError, MemoryError) as exc:
        return ModuleFacts(error=SourceError("SYN001", _why(exc), FILE_SPAN), noqa=noqa)


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "the file is too deeply nested to analyse"
    if isinstance(exc, MemoryError):
        return "the file is too large or too deeply nested to parse"
    return str(exc) or type(exc).__name__


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _maybe_skipped(parent: ast.AST, child: ast.AST) -> bool:
    """Whether evaluating `parent` may skip `child` (short-circuits, comprehension bodies)."""
    if isinstance(parent, ast.IfExp):
        return child is not parent.test
    if isinstance(parent, ast.BoolOp):
        return child is not parent.values[0]
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return child is not parent.generators[0]
    if isinstance(parent, ast.comprehension):
        return child is not parent.iter
    return False


def _is_all_reference(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "__all__"


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Constant) and test.value is False:
        return True
    name = _dotted(test)
    return name is not None and name.rpartition(".")[2] == "TYPE_CHECKING"


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    consts = {s.value for s in sides if isinstance(s, ast.Constant)}
    return names == {"__name__"} and consts == {"__main__"}


@dataclass(slots=True)
class _Flow:
    """The context a statement runs in."""

    where: Where
    module_level: bool  # binds module names (not a class body, not a function)
    conditional: bool
    guarded: bool
    in_loop: bool = False

    @property
    def runs(self) -> bool:
        return self.where is Where.MODULE

    def but(self, **changes: object) -> _Flow:
        flow = _Flow(self.where, self.module_level, self.conditional, self.guarded, self.in_loop)
        for key, value in changes.items():
            setattr(flow, key, value)
        return flow


class _Collector:
    """Walk statements once, tracking where each runs; expressions are walked iteratively."""

    def __init__(self) -> None:
        self.imports: list[ImportFact] = []
        self.events: list[Event] = []
        self.bindings: set[str] = set()
        self.typing_bindings: set[str] = set()
        self.assigned: set[str] = set()
        self.declared: set[str] = set()
        self.global_names: set[str] = set()
        self.has_getattr = False
        self.dynamic = False
        self.defines_all = False
        self.all_complete = True
        self.all_entries: list[AllEntry] = []
        self.all_literals: list[AllLiteral] = []
        self.all_sources: list[tuple[str, Span]] = []
        self.all_imports: list[tuple[int, Span]] = []
        self.all_problems: list[tuple[Span, str]] = []
        self.effects: list[tuple[Span, str, str | None]] = []  # span, message, receiver root

    def collect(
        self,
        tree: ast.Module,
        text: str,
        noqa: tuple[tuple[int, frozenset[str] | None], ...],
        *,
        is_package: bool,
    ) -> ModuleFacts:
        self.block(tree.body, _Flow(Where.MODULE, True, False, False))
        uses, path_hacks = self.scan_whole(tree, text, is_package)
        import_bound = {
            (n.asname or n.name.partition(".")[0])
            for imp in self.imports
            if imp.binds and not imp.is_star
            for n in imp.names
        }
        events = tuple(
            e for e in self.events if not isinstance(e, Access) or e.name in import_bound
        )
        hacks = {s for s, _ in path_hacks}
        effects: list[tuple[Span, str]] = []
        seen: set[Span] = set()
        for span, message, receiver in self.effects:
            if span in hacks or span in seen:
                continue
            if receiver is not None and receiver in self.assigned and receiver not in import_bound:
                continue  # a method of an object this module built: configuration, not an effect
            seen.add(span)
            effects.append((span, message))
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
            dynamic=self.dynamic,
            defines_all=self.defines_all,
            all_complete=self.all_complete,
            all_entries=tuple(self.all_entries),
            all_literals=tuple(self.all_literals),
            all_sources=tuple(self.all_sources),
            all_imports=tuple(self.all_imports),
            all_problems=tuple(self.all_problems),
            side_effects=tuple(effects),
            path_hacks=tuple(path_hacks),
            noqa=noqa,
        )

    # --- statements -------------------------------------------------------------------------

    def block(self, body: Iterable[ast.stmt], flow: _Flow) -> None:
        for stmt in body:
            self.statement(stmt, flow)

    def bind(self, names: Iterable[str], flow: _Flow, *, assigned: bool = True) -> None:
        names = tuple(names)
        if not names or not flow.module_level:
            return
        if flow.where is Where.TYPE_CHECKING:
            self.typing_bindings.update(names)
            return
        if flow.where is not Where.MODULE:
            return
        self.bindings.update(names)
        if assigned:
            self.assigned.update(names)
        if "__getattr__" in names:
            self.has_getattr = True
        self.events.append(Bind(names))

    def statement(self, node: ast.stmt, flow: _Flow) -> None:
        if flow.where is Where.FUNCTION:
            self.function_statement(node, flow)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if flow.runs:
                for expr in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                    if expr is not None:
                        self.expression(expr, flow)
            self.block(node.body, _Flow(Where.FUNCTION, False, True, True))
            self.bind([node.name], flow)
        elif isinstance(node, ast.ClassDef):
            if flow.runs:
                for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
                    self.expression(expr, flow)
            inner = flow.but(module_level=False)
            self.block(node.body, inner)
            self.bind([node.name], flow)
        elif isinstance(node, ast.Assign):
            self.expression(node.value, flow)
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "__all__" and flow.module_level:
                    if flow.runs:
                        self.all_assign(node.value, flow, augmented=False)
                else:
                    self.target_expression(target, flow)
                    if flow.module_level and "__all__" in _target_names(target):
                        # `__getattr__, __dir__, __all__ = lazy.attach_stub(...)`: a lazy
                        # loader computes __all__; it exists but its content is unknown.
                        self.defines_all = True
                        self.all_complete = False
                self.bind(_target_names(target), flow)
        elif isinstance(node, ast.AnnAssign):
            if node.value is None:
                if flow.module_level and flow.where is Where.MODULE:
                    self.declared.update(_target_names(node.target))
            else:
                self.expression(node.value, flow)
                if (
                    isinstance(node.target, ast.Name)
                    and node.target.id == "__all__"
                    and flow.module_level
                    and flow.runs
                ):
                    self.all_assign(node.value, flow, augmented=False)
                self.bind(_target_names(node.target), flow)
        elif isinstance(node, ast.AugAssign):
            self.expression(node.value, flow)
            if isinstance(node.target, ast.Name) and node.target.id == "__all__":
                if flow.module_level and flow.runs:
                    if isinstance(node.op, ast.Add):
                        self.all_assign(node.value, flow, augmented=True)
                    else:
                        self.all_problem(node, "__all__ is changed with an unsupported operator")
            else:
                self.target_expression(node.target, flow)
            self.bind(_target_names(node.target), flow)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                self.add_import(node, False, alias.name, 0, [alias], flow)
        elif isinstance(node, ast.ImportFrom):
            self.add_import(node, True, node.module or "", node.level, node.names, flow)
        elif isinstance(node, ast.If):
            if _is_type_checking(node.test):
                self.block(node.body, flow.but(where=Where.TYPE_CHECKING))
                self.block(node.orelse, flow.but(conditional=True))
            elif _is_main_guard(node.test):
                self.block(node.body, flow.but(where=Where.MAIN))
                self.block(node.orelse, flow.but(conditional=True))
            else:
                self.expression(node.test, flow)
                self.block(node.body, flow.but(conditional=True))
                self.block(node.orelse, flow.but(conditional=True))
        elif isinstance(node, (ast.Try, ast.TryStar)):
            self.block(node.body, flow.but(guarded=flow.guarded or bool(node.handlers)))
            for handler in node.handlers:
                self.block(handler.body, flow.but(conditional=True))
            self.block(node.orelse, flow.but(conditional=True))
            self.block(node.finalbody, flow)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.expression(node.iter, flow)
            self.bind(_target_names(node.target), flow)
            inner = flow.but(conditional=True, in_loop=True)
            self.block(node.body, inner)
            self.block(node.orelse, inner)
        elif isinstance(node, ast.While):
            self.expression(node.test, flow)
            if flow.runs and flow.module_level and not flow.in_loop:
                self.effects.append(
                    (_span(node), "a module-level `while` loop runs at import", None)
                )
            inner = flow.but(conditional=True, in_loop=True)
            self.block(node.body, inner)
            self.block(node.orelse, inner)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expression(item.context_expr, flow)
                if item.optional_vars is not None:
                    self.bind(_target_names(item.optional_vars), flow)
            self.block(node.body, flow)
        elif isinstance(node, ast.Match):
            self.expression(node.subject, flow)
            for case in node.cases:
                names = [
                    n.name
                    for n in ast.walk(case.pattern)
                    if isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name
                ]
                names += [
                    n.rest
                    for n in ast.walk(case.pattern)
                    if isinstance(n, ast.MatchMapping) and n.rest
                ]
                self.bind(names, flow)
                self.block(case.body, flow.but(conditional=True))
        elif isinstance(node, ast.Expr):
            self.expression(node.value, flow)
            self.expression_statement(node, flow)
        elif isinstance(node, (ast.Raise, ast.Assert, ast.Return, ast.Delete)):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expression(child, flow)

    def function_statement(self, node: ast.stmt, flow: _Flow) -> None:
        """Inside a function only imports matter; most statements are skipped unlooked-at."""
        kind = type(node)
        if kind is ast.Global and isinstance(node, ast.Global):
            self.global_names.update(node.names)
            return
        if kind is ast.Import or kind is ast.ImportFrom:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.add_import(node, False, alias.name, 0, [alias], flow)
            elif isinstance(node, ast.ImportFrom):
                self.add_import(node, True, node.module or "", node.level, node.names, flow)
            return
        if kind not in _COMPOUND:
            return
        for name in ("body", "orelse", "finalbody"):
            self.block(getattr(node, name, ()), flow)
        for handler in getattr(node, "handlers", ()):
            self.block(handler.body, flow)
        for case in getattr(node, "cases", ()):
            self.block(case.body, flow)

    def expression_statement(self, node: ast.Expr, flow: _Flow) -> None:
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
        ):
            self.all_method(call, func.attr, flow)
            if func.attr in _ALL_METHODS:
                return
        if not (flow.runs and flow.module_level and not flow.in_loop):
            return
        name = _dotted(func)
        receiver = name.partition(".")[0] if name is not None and "." in name else None
        shown = f"`{name}(...)`" if name is not None else "a call"
        self.effects.append((_span(node), f"{shown} runs at import time", receiver))

    def add_import(
        self,
        node: ast.Import | ast.ImportFrom,
        is_from: bool,
        module: str,
        level: int,
        aliases: list[ast.alias],
        flow: _Flow,
    ) -> None:
        names = tuple(ImportedName(a.name, a.asname, _span(a)) for a in aliases)
        fact = ImportFact(
            is_from=is_from,
            module=module,
            level=level,
            names=names,
            span=_span(node),
            where=flow.where,
            conditional=flow.conditional,
            guarded=flow.guarded,
            binds=flow.module_level,
        )
        index = len(self.imports)
        self.imports.append(fact)
        if flow.runs:
            self.events.append(RunImport(index))
        if fact.is_star:
            if flow.module_level and flow.where is Where.MODULE:
                pass  # expanded by the resolver, which knows the target's names
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

    # --- __all__ ----------------------------------------------------------------------------

    def all_problem(self, node: ast.AST, message: str) -> None:
        self.all_problems.append((_span(node), message))
        self.all_complete = False

    def all_assign(self, value: ast.expr, flow: _Flow, *, augmented: bool) -> None:
        if not augmented:
            if not flow.conditional and flow.where is Where.MODULE:
                # A plain reassignment replaces what came before it.
                self.all_entries.clear()
                self.all_sources.clear()
                self.all_imports.clear()
            self.defines_all = True
        self.all_value(value, flow)

    def all_value(self, value: ast.expr, flow: _Flow) -> None:
        if isinstance(value, (ast.List, ast.Tuple)):
            names: list[str] = []
            for elt in value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    names.append(elt.value)
                    self.all_entries.append(AllEntry(elt.value, _span(elt), flow.conditional))
                else:
                    self.all_problem(elt, "__all__ must contain only string literals")
            self.all_literals.append(AllLiteral(tuple(names), _span(value)))
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            self.all_value(value.left, flow)
            self.all_value(value.right, flow)
        elif (
            isinstance(value, ast.Call)
            and not value.keywords
            and (
                (
                    isinstance(value.func, ast.Attribute)
                    and value.func.attr == "copy"
                    and not value.args
                    and _is_all_reference(value.func.value)
                )
                or (
                    isinstance(value.func, ast.Name)
                    and value.func.id in ("list", "tuple")
                    and len(value.args) == 1
                    and _is_all_reference(value.args[0])
                )
            )
        ):
            # `other.__all__.copy()` / `list(other.__all__)`: the same names as `other.__all__`.
            inner = value.func.value if isinstance(value.func, ast.Attribute) else value.args[0]
            self.all_value(inner, flow)
        elif isinstance(value, ast.Name) and (index := self.imported_all(value.id)) is not None:
            self.all_imports.append((index, _span(value)))
        elif isinstance(value, ast.Attribute) and value.attr == "__all__":
            source = _dotted(value.value)
            if source is None:
                self.all_problem(value, "__all__ is built from an expression scaffold cannot read")
            else:
                self.all_sources.append((source, _span(value)))
        else:
            self.all_problem(
                value, "__all__ must be a list or tuple of string literals (or another __all__)"
            )

    def imported_all(self, local: str) -> int | None:
        """The import that bound `local` as another module's `__all__`, if one did."""
        for index in range(len(self.imports) - 1, -1, -1):
            imp = self.imports[index]
            if imp.is_from and any(n.name == "__all__" and n.asname == local for n in imp.names):
                return index
        return None

    def all_method(self, call: ast.Call, method: str, flow: _Flow) -> None:
        if method not in _ALL_METHODS:
            return
        if len(call.args) != 1 or call.keywords:
            self.all_problem(call, f"__all__.{method}() takes one argument")
            return
        arg = call.args[0]
        if method == "extend":
            self.all_value(arg, flow)
        elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if method == "append":
                self.all_entries.append(AllEntry(arg.value, _span(arg), flow.conditional))
            else:
                self.all_entries[:] = [e for e in self.all_entries if e.name != arg.value]
        else:
            self.all_problem(arg, f"__all__.{method}() must be given a string literal")

    # --- expressions ------------------------------------------------------------------------

    def target_expression(self, target: ast.expr, flow: _Flow) -> None:
        # `a.b.c = x` reads `a.b` first; subscripts read their value and index.
        if isinstance(target, ast.Attribute):
            self.expression(target.value, flow)
        elif isinstance(target, ast.Subscript):
            self.expression(target.value, flow)
            self.expression(target.slice, flow)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.target_expression(elt, flow)

    def expression(self, root: ast.expr, flow: _Flow) -> None:
        """Record attribute reads, walrus bindings and effect calls of code that runs now."""
        if not flow.runs:
            return
        inner: set[int] = set()
        walrus: list[str] = []
        # (node, maybe skipped): `b if c else d`, `a or b` and comprehension bodies may not run.
        stack: list[tuple[ast.AST, bool]] = [(root, flow.conditional)]
        while stack:
            node, maybe = stack.pop()
            if isinstance(node, ast.Lambda):
                stack.extend((d, maybe) for d in node.args.defaults)
                stack.extend((d, maybe) for d in node.args.kw_defaults if d is not None)
                continue
            if isinstance(node, ast.Attribute) and id(node) not in inner:
                attrs: list[str] = []
                base: ast.expr = node
                while isinstance(base, ast.Attribute):
                    inner.add(id(base))
                    attrs.append(base.attr)
                    base = base.value
                if isinstance(base, ast.Name) and isinstance(node.ctx, ast.Load):
                    self.events.append(
                        Access(base.id, tuple(reversed(attrs)), _span(node), maybe, flow.guarded)
                    )
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                walrus.append(node.target.id)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _EFFECT_BUILTINS
            ):
                self.effects.append(
                    (_span(node), f"`{node.func.id}(...)` runs at import time", None)
                )
            stack.extend(
                (child, maybe or _maybe_skipped(node, child))
                for child in reversed(list(ast.iter_child_nodes(node)))
            )
        if walrus:
            self.bind(walrus, flow)

    def names_read(self, tree: ast.Module) -> set[str]:
        """Every name loaded anywhere, string annotations included."""
        uses: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                uses.add(node.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Cheap enough for package files: a string may be a forward reference.
                if node.value.isidentifier():
                    uses.add(node.value)
                elif len(node.value) < 200:
                    try:
                        expr = ast.parse(node.value, mode="eval")
                    except (SyntaxError, ValueError, RecursionError, MemoryError):
                        continue
                    uses.update(n.id for n in ast.walk(expr) if isinstance(n, ast.Name))
        return uses

    def scan_whole(
        self, tree: ast.Module, text: str, is_package: bool
    ) -> tuple[set[str], list[tuple[Span, str]]]:
        """Names read and sys.path changes anywhere, function bodies included.

        Walking every node of every file costs more than parsing it, so the text is searched
        first and the tree is walked only when it can matter: for the names a package reads,
        or when the text mentions a change of sys.path.
        """
        if any(pattern.search(text) for pattern in _DYNAMIC):
            self.dynamic = True
        uses = self.names_read(tree) if is_package else set()
        if "addsitedir" not in text and not _PATH_HINT.search(text):
            return uses, []
        sys_names: set[str] = set()
        path_names: set[str] = set()
        site_names: set[str] = set()
        addsitedir_names: set[str] = set()
        candidates: list[tuple[str, Span, str]] = []  # dotted, span, kind
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "sys":
                        sys_names.add(alias.asname or "sys")
                    elif alias.name == "site":
                        site_names.add(alias.asname or "site")
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                for alias in node.names:
                    if node.module == "sys" and alias.name == "path":
                        path_names.add(alias.asname or "path")
                    elif node.module == "site" and alias.name == "addsitedir":
                        addsitedir_names.add(alias.asname or "addsitedir")
            elif isinstance(node, ast.Call):
                name = _dotted(node.func)
                if name is not None:
                    candidates.append((name, _span(node), "call"))
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript):
                        target = target.value
                    name = _dotted(target)
                    if name is not None:
                        candidates.append((name, _span(node), "assign"))
        hacks: list[tuple[Span, str]] = []
        paths = {f"{s}.path" for s in sys_names} | path_names
        for name, span, kind in candidates:
            head, _, method = name.rpartition(".")
            if kind == "assign" and name in paths:
                hacks.append((span, f"`{name}` is changed"))
            elif kind == "call" and (
                (head in paths and method in _PATH_METHODS)
                or name in addsitedir_names
                or (head in site_names and method == "addsitedir")
            ):
                hacks.append((span, f"`{name}(...)` changes sys.path"))
        hacks.sort(key=lambda item: (item[0].line, item[0].column))
        return uses, hacks
