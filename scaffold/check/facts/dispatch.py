"""How the fact collector treats each AST node class: tables of handlers and of what it skips.

Statements are dispatched on their class: each table maps a class to the name of the
`Collector` method that handles it, and each has the set of classes it ignores on purpose.
Expressions are walked generically except the few classes listed here. A test walks every
node class of the running Python and fails on any class these tables do not account for,
so new syntax (as `type X = ...` was in 3.12) is never skipped unnoticed; at run time an
unknown statement only has its expressions read.
"""

from __future__ import annotations

import ast

__all__ = [
    "BINDING_PATTERNS",
    "FUNCTION_STATEMENTS",
    "IGNORED_AT_IMPORT_TIME",
    "IGNORED_IN_FUNCTIONS",
    "IMPORT_TIME_STATEMENTS",
    "MAY_SKIP_CHILDREN",
    "READ_SPECIALLY",
    "UNKNOWN_STATEMENT",
]


def _newer_classes(*names: str) -> tuple[type[ast.stmt], ...]:
    """Statement classes of newer Pythons, by name; those the running one lacks are left out."""
    found = (getattr(ast, name, None) for name in names)
    return tuple(kind for kind in found if isinstance(kind, type) and issubclass(kind, ast.stmt))


# Code that runs at import time: module level and class bodies, `if TYPE_CHECKING:` and
# `if __name__ == "__main__":` bodies included (the flow says which).
IMPORT_TIME_STATEMENTS: dict[type[ast.stmt], str] = {
    ast.FunctionDef: "function_def",
    ast.AsyncFunctionDef: "function_def",
    ast.ClassDef: "class_def",
    ast.Assign: "assign",
    ast.AnnAssign: "annotated_assign",
    ast.AugAssign: "augmented_assign",
    ast.Import: "import_names",
    ast.ImportFrom: "import_from",
    ast.If: "if_statement",
    ast.Try: "try_statement",
    ast.TryStar: "try_statement",
    ast.For: "for_loop",
    ast.AsyncFor: "for_loop",
    ast.While: "while_loop",
    ast.With: "with_statement",
    ast.AsyncWith: "with_statement",
    ast.Match: "match_statement",
    ast.Expr: "expression_statement",
    ast.Delete: "delete",
    # `global` changes nothing at module level; in a class body it sends the body's later
    # bindings of the name to the module.
    ast.Global: "class_global",
    # `type X = ...` (3.12+) binds X; its value is evaluated lazily.
    **dict.fromkeys(_newer_classes("TypeAlias"), "type_alias"),
    # They bind no module name: only reads.
    ast.Raise: "read_expressions",
    ast.Assert: "read_expressions",
    # Compile errors outside a function, which `ast.parse` accepts (compiles.py).
    ast.Return: "outside_function",
    ast.Nonlocal: "outside_function",
    ast.Break: "loop_exit",
    ast.Continue: "loop_exit",
}
IGNORED_AT_IMPORT_TIME = frozenset(
    {
        # No expression and no name: nothing to read or bind.
        ast.Pass,
    }
)

# A function body runs only when the function is called: its imports are facts (the import
# rules look at them) and so are the names it declares `global`; nothing else is.
FUNCTION_STATEMENTS: dict[type[ast.stmt], str] = {
    ast.Import: "import_names",
    ast.ImportFrom: "import_from",
    ast.Global: "global_statement",
    # What may not compile (compiles.py): `break` outside a loop, `nonlocal` with no binding.
    ast.Break: "loop_exit",
    ast.Continue: "loop_exit",
    ast.Nonlocal: "nonlocal_statement",
    # Compound statements: their bodies may hold imports.
    **dict.fromkeys((ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef), "nested_definition"),
    **dict.fromkeys((ast.For, ast.AsyncFor, ast.While), "nested_loop"),
    **dict.fromkeys((ast.If, ast.With, ast.AsyncWith), "nested_branches"),
    **dict.fromkeys((ast.Try, ast.TryStar, ast.Match), "nested_blocks"),
}
IGNORED_IN_FUNCTIONS = frozenset(
    {
        # Simple statements: they hold no import and bind no module name when they run.
        ast.Assign,
        ast.AnnAssign,
        ast.AugAssign,
        ast.Expr,
        ast.Delete,
        ast.Raise,
        ast.Assert,
        ast.Return,
        ast.Pass,
        *_newer_classes("TypeAlias"),
    }
)
# A statement class newer than the tables: read its expressions, bind nothing, never crash.
UNKNOWN_STATEMENT = "read_expressions"

# The expression classes `Collector.expression` looks at: an attribute chain on a name is a
# read (a bare name too, after a star import), a walrus binds, a call of an effect builtin
# is a side effect (of a module-level function: its imports run), a lambda's body does
# not run (only its defaults). Every other class is only descended into (ast.iter_child_nodes).
READ_SPECIALLY = frozenset({ast.Attribute, ast.Call, ast.Lambda, ast.NamedExpr, ast.Name})
# Expressions that may not evaluate some of their children: reads there are conditional.
MAY_SKIP_CHILDREN = frozenset(
    {
        ast.IfExp,
        ast.BoolOp,
        ast.ListComp,
        ast.SetComp,
        ast.GeneratorExp,
        ast.DictComp,
        ast.comprehension,
    }
)
# The match patterns that bind a name (`case x`, `case [*rest]`, `case {**rest}`); the
# others only nest patterns or compare values, and `match_statement` walks into them all.
BINDING_PATTERNS = frozenset({ast.MatchAs, ast.MatchStar, ast.MatchMapping})
