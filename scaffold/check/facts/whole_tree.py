"""Facts read from the whole file, function bodies included: names read, sys.path changes.

Walking every node of every file costs more than parsing it, so the text is searched first
and the tree is walked only when it can matter.
"""

from __future__ import annotations

import ast
import functools
import re
import unicodedata
from collections.abc import Sequence

from scaffold.check.facts.nodes import dotted_name, span_of, walk_nodes
from scaffold.check.model import Fact, ImportFact, Span

__all__ = ["names_read", "namespace_item", "path_hacks", "writes_own_namespace"]

_PATH_METHODS = frozenset({"insert", "append", "extend"})
# Code that writes its package path or sys.modules: its names cannot be known statically.
# Each pattern starts with a literal so the regex engine can skip ahead quickly; a few extra
# matches only make the checker quieter.
_DYNAMIC = tuple(
    (word, re.compile(rf"{word}{rest}"))
    for word, rest in (
        ("__path__", r"\s*(?:\+?=|\.)"),
        ("modules", r"\s*\[[^\]\n]*\]\s*="),
    )
)
# A function whose body may bind module names when it is called: one of these names
# called. One pattern per name, each starting with its literal (an alternation has none to
# skip ahead on and read every character: 0.08 s over sympy's text against 0.03).
_NAMESPACE_CALLS = frozenset({"globals", "vars", "exec"})
_NAMESPACE_HINTS = {name: re.compile(rf"{name}\s*\(") for name in sorted(_NAMESPACE_CALLS)}
# A sys.path change needs `sys` imported (its word is in the text): most files that say
# `path = ...` or `path[` never import it, and walking their whole tree cost a tenth of
# parsing a large real tree (docs/decisions.md, issue 20).
_SYS_WORD = re.compile(r"\bsys\b")
# What Python allows between a name and the `.` of its attribute, and between the `.` and
# the attribute's name: blanks, line continuations, comments, and before the `.` the
# closing brackets of `(sys).path`. Possessive (a comment runs to the end of its line): a
# line of `#####` must not be split into comments every way there is.
_BEFORE_DOT = r"(?:[\s\\)]|#[^\r\n]*+)*+"
_AFTER_DOT = r"(?:[\s\\]|#[^\r\n]*+)*+"
# `path.insert(`, `path +=`, `path[...] =`, however spaced, bracketed or continued.
_PATH_HINT = re.compile(rf"path{_BEFORE_DOT}(?:\.{_AFTER_DOT}(?:insert|append|extend)\b|\+?=|\[)")
# What follows `S.path` in a change the walk finds: a call of a changing method, an
# assignment (augmented by any operator: the walk takes every one; not `==`) or a subscript
# (`S.path[:0] = ...`; a read `S.path[0]` too, which only costs a needless walk).
_PATH_CHANGE = (
    rf"{_BEFORE_DOT}(?:\.{_AFTER_DOT}(?:insert|append|extend)\b"
    r"|(?:[-+*/%@&|^]|<<|>>|//|\*\*)?=(?!=)|\[)"
)


def writes_own_namespace(tree: ast.Module, text: str, called: set[str]) -> bool:
    """Whether the module may write its `__path__` or `sys.modules`, or calls at import time
    (`called`) a module-level function whose body calls globals(), vars() or exec().

    A mention in a comment, a string or a function nobody calls at import time binds
    nothing; the collector itself notes such calls in code that runs at import time.
    """
    # str's search first: a quarter of a pattern's instructions for a pass over the text.
    if any(word in text and pattern.search(text) for word, pattern in _DYNAMIC):
        return True
    if not called:
        return False
    functions = [
        node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in called
    ]
    # Only then the text: most modules call no function of their own at import time.
    if not functions or not any(
        word in text and hint.search(text) for word, hint in _NAMESPACE_HINTS.items()
    ):
        return False
    for node in functions:
        for inner in walk_nodes(node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id in _NAMESPACE_CALLS
            ):
                return True
    return False


def namespace_item(target: ast.expr) -> str | None:
    """NAME, for an assignment target `globals()["NAME"]`; None for any other target."""
    if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call)):
        return None
    call, key = target.value, target.slice
    if (
        isinstance(call.func, ast.Name)
        and call.func.id == "globals"
        and not call.args
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
    ):
        return key.value
    return None


def names_read(tree: ast.Module) -> set[str]:
    """Every name loaded anywhere, string annotations included."""
    uses: set[str] = set()
    for node in walk_nodes(tree):
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


def path_hacks(tree: ast.Module, text: str, imports: Sequence[ImportFact]) -> list[Fact]:
    """Each change of sys.path (`sys.path.insert(...)`, `site.addsitedir(...)`), in order.

    `imports` are every import statement of the module, function bodies' included (the
    collector's): a change needs `sys` or `site` imported, the walk finds the imports it
    needs among them.
    """
    imported_as, other = _path_imports(imports)
    if not imported_as and not other:
        return []  # nothing imports sys or site: nothing can change sys.path
    if not other and _spelled_as_parsed(text, imported_as):
        if not _says_path(text, imported_as):
            return []
    # The hint first: a pattern that starts with a literal skips ahead, `\bsys\b` does not.
    elif "addsitedir" not in text and not (_PATH_HINT.search(text) and _SYS_WORD.search(text)):
        return []
    sys_names: set[str] = set()
    path_names: set[str] = set()
    site_names: set[str] = set()
    addsitedir_names: set[str] = set()
    candidates: list[tuple[str, Span, str]] = []  # dotted, span, kind
    for node in walk_nodes(tree):
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
            name = dotted_name(node.func)
            if name is not None:
                candidates.append((name, span_of(node), "call"))
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript):
                    target = target.value
                name = dotted_name(target)
                if name is not None:
                    candidates.append((name, span_of(node), "assign"))
    hacks: list[Fact] = []
    paths = {f"{s}.path" for s in sys_names} | path_names
    for name, span, kind in candidates:
        head, _, method = name.rpartition(".")
        if kind == "assign" and name in paths:
            hacks.append(Fact(span, "assign", name))
        elif kind == "call" and (
            (head in paths and method in _PATH_METHODS)
            or name in addsitedir_names
            or (head in site_names and method == "addsitedir")
        ):
            hacks.append(Fact(span, "call", name))
    hacks.sort(key=lambda hack: (hack.span.line, hack.span.column))
    return hacks


def _path_imports(imports: Sequence[ImportFact]) -> tuple[set[str], bool]:
    """The names `sys` is imported as, and whether `path` is imported from sys or site (or
    addsitedir from site) at all. The rarer second kind is not narrowed further."""
    sys_names: set[str] = set()
    other = False
    for imp in imports:
        for alias in imp.names:
            if not imp.is_from:
                if alias.name == "sys":
                    sys_names.add(alias.asname or "sys")
                other |= alias.name == "site"
            elif imp.level == 0 and imp.module in ("sys", "site"):
                other |= (imp.module, alias.name) in {("sys", "path"), ("site", "addsitedir")}
    return sys_names, other


def _says_path(text: str, sys_names: set[str]) -> bool:
    """Whether a text whose names are spelled as parsed (`_spelled_as_parsed`) changes
    `S.path` for a name S that sys is imported as: says `S.path` followed by a call of one
    of its changing methods, an assignment (any augmented one too) or a subscript.

    `sys` imported as S changes sys.path only through `S.path`, and that attribute is in
    the text, give or take what may stand around its `.`. Most files that import sys never
    change sys.path, and walking the whole tree of each cost as much as parsing it; many
    read it (`list(sys.path)`, `sys.path == ...`) without changing it (docs/decisions.md, issue
    20). No `\\b` before S: a pattern that starts with a literal skips ahead (`mysys.path`
    only costs a walk).
    """
    return any(
        re.search(rf"{re.escape(name)}{_BEFORE_DOT}\.{_AFTER_DOT}path{_PATH_CHANGE}", text)
        for name in sys_names
    )


def _spelled_as_parsed(text: str, sys_names: set[str]) -> bool:
    """Whether the names sys is imported as, and `path`, appear in the text as the parser
    reads them: the names are ASCII and the text holds no character outside ASCII that NFKC
    (which the parser applies to names) turns into an ASCII letter, digit or underscore,
    as a fullwidth s becomes `s`.

    A name NFKC makes all-ASCII is spelled with characters that each decompose into ASCII
    letters only, and each such character's own NFKC form is those letters: so a text
    none of whose characters does that spells every all-ASCII name literally.
    """
    if not all(name.isascii() for name in sys_names):
        return False  # `import sys as é` may be spelled `e` + a combining accent
    return text.isascii() or not any(
        _becomes_ascii_name_part(char) for char in set(text) if not char.isascii()
    )


@functools.cache
def _becomes_ascii_name_part(char: str) -> bool:
    return any(
        part.isascii() and (part.isalnum() or part == "_")
        for part in unicodedata.normalize("NFKC", char)
    )
