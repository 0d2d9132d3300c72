"""Compile-time errors `ast.parse` lets through: the hints the walk notes, the compiler's word.

`ast.parse` accepts `return` at module level, `break` outside a loop, `import *` in a
function, a late `from __future__` import and more; `compile()` (and so `import`) rejects
them. The statement walk notes the syntax that may be such an error (`Collector.suspect`),
and only then is the parsed tree compiled, so the message and position are the compiler's
own on every Python version, and a clean file never pays for a second pass.
"""

from __future__ import annotations
import __future__

import ast
import warnings

from scaffold.check.model import FILE_SPAN, SourceError, Span

__all__ = [
    "SUSPECT_EXPRESSIONS",
    "compile_error",
    "has_duplicate_parameters",
    "is_bad_future",
    "leading_futures",
    "may_not_compile",
    "syntax_error",
]

_FEATURES = frozenset(__future__.all_feature_names)

# Expressions that may not compile where `Collector.expression` meets them, outside any
# function body (module level, class bodies; it does not enter a lambda's): `yield` and
# `await` never do there, an `async for` comprehension or a lambda only sometimes.
SUSPECT_EXPRESSIONS = frozenset(
    {ast.Yield, ast.YieldFrom, ast.Await, ast.comprehension, ast.Lambda}
)


def may_not_compile(node: ast.AST) -> bool:
    """`yield`/`await`, an `async for` comprehension, a lambda naming a parameter twice."""
    if isinstance(node, ast.comprehension):
        return bool(node.is_async)
    if isinstance(node, ast.Lambda):
        return has_duplicate_parameters(node.args)
    return True


def leading_futures(tree: ast.Module) -> set[int]:
    """The ids of the `from __future__` imports at the top (after a docstring, if any)."""
    found: set[int] = set()
    for index, stmt in enumerate(tree.body):
        if (
            index == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            continue
        if not (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
            break
        found.add(id(stmt))
    return found


def is_bad_future(node: ast.ImportFrom, leading: set[int]) -> bool:
    """Whether a `from __future__` import may not compile: late, `*`, or an unknown feature.

    Relative ones (`from .__future__ import x`) count too: Python 3.11 treats them as
    future statements, 3.13 does not; the compiler decides.
    """
    return id(node) not in leading or any(a.name not in _FEATURES for a in node.names)


def has_duplicate_parameters(args: ast.arguments) -> bool:
    """Whether a signature names one parameter twice (`def f(a, a)`)."""
    plain = args.args
    if args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg:
        names = [a.arg for a in (*plain, *args.posonlyargs, *args.kwonlyargs)]
        names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    elif len(plain) < 2:
        return False  # most signatures (`self`, one argument): no list, no set
    else:
        names = [a.arg for a in plain]
    return len(set(names)) != len(names)


def syntax_error(exc: SyntaxError) -> SourceError:
    """The parser's or the compiler's SyntaxError as facts: its message, where it starts.

    Facts count columns in UTF-8 bytes, as `ast` does. The compiler of a parsed tree does
    too (and gives no `text`); the parser counts code points on the line it gives as `text`.
    """
    line = exc.lineno or 1
    col = exc.offset or 1
    if exc.text is not None and not exc.text.isascii():
        col = len(exc.text[: col - 1].encode("utf-8", "surrogatepass")) + 1
    return SourceError("syntax", exc.msg or "invalid syntax", Span(line, col, line, col))


def compile_error(tree: ast.Module) -> SourceError | None:
    """What compiling the parsed module raises, as the compiler words it; None if it compiles.

    `dont_inherit` keeps this module's own `from __future__` flags out of the compilation.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(tree, "<module>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return syntax_error(exc)
    except RecursionError:
        return SourceError("nesting", "", FILE_SPAN)
    except MemoryError:
        return SourceError("size", "", FILE_SPAN)
    return None
