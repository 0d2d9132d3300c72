"""What the `__all__` statements of a module say: its names, their sources, what is unreadable."""

from __future__ import annotations

import ast

from scaffold.check.facts.nodes import dotted_name, span_of
from scaffold.check.model import AllEntry, AllLiteral, Fact, ImportFact, Span

__all__ = ["AllValue"]

# The list methods that change `__all__` in place and are read like its assignments.
_ALL_METHODS = frozenset({"extend", "append", "remove"})


def _is_all_reference(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "__all__"


class AllValue:
    """The `__all__` of one module, read statement by statement as module-level code runs."""

    def __init__(self, module_imports: list[ImportFact]) -> None:
        # The collector's own list: `from m import __all__ as x` is looked up as it grows.
        self.module_imports = module_imports
        self.defined = False
        self.complete = True
        self.entries: list[AllEntry] = []
        self.literals: list[AllLiteral] = []
        self.sources: list[tuple[str, Span]] = []
        # `__all__ = core_all + [...]` after `from .core import __all__ as core_all`.
        self.imports: list[tuple[int, Span]] = []
        self.problems: list[Fact] = []

    def problem(self, node: ast.AST, kind: str, name: str = "") -> None:
        """Record a statement that changes `__all__` in a way that cannot be read."""
        self.problems.append(Fact(span_of(node), kind, name))
        self.complete = False

    def computed(self) -> None:
        """`__all__` is bound by unpacking a call's result: it exists, its names are unknown."""
        self.defined = True
        self.complete = False

    def assign(self, value: ast.expr, *, conditional: bool, augmented: bool) -> None:
        """`__all__ = value` (or `+= value` when augmented)."""
        if not augmented:
            if not conditional:
                # A plain reassignment replaces what came before it.
                self.entries.clear()
                self.sources.clear()
                self.imports.clear()
            self.defined = True
        self.read(value, conditional)

    def read(self, value: ast.expr, conditional: bool) -> None:
        """Add the names of an expression that feeds `__all__`."""
        if isinstance(value, (ast.List, ast.Tuple)):
            names: list[str] = []
            for elt in value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    names.append(elt.value)
                    self.entries.append(AllEntry(elt.value, span_of(elt), conditional))
                else:
                    self.problem(elt, "element")
            self.literals.append(AllLiteral(tuple(names), span_of(value)))
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            self.read(value.left, conditional)
            self.read(value.right, conditional)
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
            self.read(inner, conditional)
        elif isinstance(value, ast.Name) and (index := self.imported_all(value.id)) is not None:
            self.imports.append((index, span_of(value)))
        elif isinstance(value, ast.Attribute) and value.attr == "__all__":
            source = dotted_name(value.value)
            if source is None:
                self.problem(value, "expression")
            else:
                self.sources.append((source, span_of(value)))
        else:
            self.problem(value, "value")

    def imported_all(self, local: str) -> int | None:
        """The import that bound `local` as another module's `__all__`, if one did."""
        for index in range(len(self.module_imports) - 1, -1, -1):
            imp = self.module_imports[index]
            if imp.is_from and any(n.name == "__all__" and n.asname == local for n in imp.names):
                return index
        return None

    def method(self, call: ast.Call, method: str, *, conditional: bool) -> bool:
        """`__all__.method(...)`; False when `method` is not one that changes `__all__`."""
        if method not in _ALL_METHODS:
            return False
        if len(call.args) != 1 or call.keywords:
            self.problem(call, "arguments", method)
            return True
        arg = call.args[0]
        if method == "extend":
            self.read(arg, conditional)
        elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if method == "append":
                self.entries.append(AllEntry(arg.value, span_of(arg), conditional))
            else:
                self.entries[:] = [e for e in self.entries if e.name != arg.value]
        else:
            self.problem(arg, "argument", method)
        return True
