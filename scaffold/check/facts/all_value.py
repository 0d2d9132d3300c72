"""What the `__all__` statements of a module say: its names, their sources, what is unreadable."""

from __future__ import annotations

import ast

from scaffold.check.facts.nodes import dotted_name, span_of
from scaffold.check.model import AllEntry, AllLiteral, Fact, ImportFact, Span

__all__ = ["AllValue"]

# The list methods that change `__all__` in place and are read like its assignments.
_ALL_METHODS = frozenset({"extend", "append", "remove"})
# Calls that copy an iterable of names into a new list or tuple.
_COPIES = {"list": "list", "tuple": "tuple", "sorted": "list"}


def _names_in(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


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
        self.kind: str | None = None  # "list" or "tuple", once assigned one

    def problem(self, node: ast.AST, kind: str, name: str = "") -> None:
        """Record a statement that changes `__all__` in a way that cannot be read."""
        self.problems.append(Fact(span_of(node), kind, name))
        self.complete = False

    def computed(self) -> None:
        """`__all__` is bound by unpacking a call's result: it exists, its names are unknown."""
        self.defined = True
        self.complete = False

    def unpack(self, target: ast.expr, value: ast.expr, *, conditional: bool) -> None:
        """`(__all__,) = ("foo",)`: the element paired with `__all__` is its value (a string
        here, which `import *` reads letter by letter). Paired with nothing readable,
        `__getattr__, __dir__, __all__ = lazy.attach_stub(...)`: a lazy loader computes
        `__all__`; it exists but its content is unknown."""
        while (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(value, (ast.Tuple, ast.List))
            and len(target.elts) == len(value.elts)
            and not any(isinstance(e, ast.Starred) for e in [*target.elts, *value.elts])
        ):
            pairs = [(t, v) for t, v in zip(target.elts, value.elts, strict=True)]
            for inner, element in pairs:
                if isinstance(inner, ast.Name) and inner.id == "__all__":
                    self.assign(element, conditional=conditional, augmented=False)
                    return
            inside = [(t, v) for t, v in pairs if "__all__" in _names_in(t)]
            if not inside:
                break
            target, value = inside[0]
        self.computed()

    def assign(self, value: ast.expr, *, conditional: bool, augmented: bool) -> None:
        """`__all__ = value` (or `+= value` when augmented)."""
        # `__all__ = __all__ + [...]` extends what is there, as `+=` does.
        extends = augmented or any(
            isinstance(n, ast.Name) and n.id == "__all__" for n in ast.walk(value)
        )
        if augmented and not self.bound():
            self.problem(value, "unbound")  # `__all__ += [...]` first: NameError
        if not extends and not conditional:
            # A plain reassignment replaces what came before it.
            self.entries.clear()
            self.sources.clear()
            self.imports.clear()
        before = self.kind
        kind = self.read(value, conditional)
        if augmented and before == "tuple" and kind == "list":
            self.problem(value, "mixed")  # `tuple += list`: TypeError
        if not extends:
            self.defined = True
        if kind is not None and not augmented:
            self.kind = kind

    def bound(self) -> bool:
        """Whether `__all__` exists here: assigned before, or imported from another module."""
        return self.defined or any(
            n.name == "__all__" and n.asname in (None, "__all__")
            for imp in self.module_imports
            for n in imp.names
        )

    def read(self, value: ast.expr, conditional: bool) -> str | None:
        """Add the names of an expression that feeds `__all__`; the type it evaluates to
        ("list", "tuple"), None when unknown."""
        if isinstance(value, (ast.List, ast.Tuple)):
            names: list[str] = []
            for elt in value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    names.append(elt.value)
                    self.entries.append(AllEntry(elt.value, span_of(elt), conditional))
                else:
                    self.problem(elt, "element")
            self.literals.append(AllLiteral(tuple(names), span_of(value)))
            return "list" if isinstance(value, ast.List) else "tuple"
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            left = self.read(value.left, conditional)
            right = self.read(value.right, conditional)
            if left is not None and right is not None and left != right:
                self.problem(value, "mixed")  # `["a"] + ("b",)`: TypeError
            return left or right
        if isinstance(value, ast.Call) and not value.keywords:
            func = value.func
            if isinstance(func, ast.Name) and func.id in _COPIES and len(value.args) == 1:
                # `list([...])`, `tuple(x.__all__)`, `sorted([...])`: the same names.
                self.read(value.args[0], conditional)
                return _COPIES[func.id]
            if isinstance(func, ast.Attribute) and func.attr == "copy" and not value.args:
                return self.read(func.value, conditional)  # `other.__all__.copy()`
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.problem(value, "string")  # `import *` would read it letter by letter
            return None
        if isinstance(value, ast.Name) and value.id == "__all__":
            if not self.bound():
                self.problem(value, "unbound")
            return self.kind  # `__all__ = __all__ + [...]`: what is there stays
        if isinstance(value, ast.Name) and (index := self.imported_all(value.id)) is not None:
            self.imports.append((index, span_of(value)))
        elif isinstance(value, ast.Attribute) and value.attr == "__all__":
            source = dotted_name(value.value)
            if source is None:
                self.problem(value, "expression")
            else:
                self.sources.append((source, span_of(value)))
        else:
            self.problem(value, "value")
        return None

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
