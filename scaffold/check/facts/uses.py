"""How a module uses the names its module-level imports bind: what moving an import costs.

An import whose names code running at import time reads (a base class, a decorator, a
default value, a module-level call, a function called at import time, `__all__`) cannot
simply move; one whose names only functions read can move into them; one whose names
appear only in annotations can move under `if TYPE_CHECKING:`. Reads at import time come
from the collector's walk of the code that runs then; the other uses are counted in the
text, so a name also met in a comment or a docstring counts as read by a function: the
cautious answer.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from scaffold.check.facts.all_value import AllValue
from scaffold.check.facts.nodes import walk_nodes
from scaffold.check.model import ImportFact, Where

__all__ = [
    "ANNOTATIONS",
    "FUNCTIONS",
    "IMPORT_TIME",
    "UNUSED",
    "USES",
    "Walked",
    "import_uses",
    "names_in",
    "read_by_calls",
    "signature_names",
    "walked_uses",
]

# From the dearest to move to the cheapest.
IMPORT_TIME = "import-time"  # code that runs at import time reads one of the names
FUNCTIONS = "functions"  # only functions (or a comment or a docstring) name them
ANNOTATIONS = "annotations"  # they appear only in annotations
UNUSED = "unused"  # nothing names them again
USES = (IMPORT_TIME, FUNCTIONS, ANNOTATIONS, UNUSED)
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def names_in(annotation: ast.expr | None, into: Counter[str]) -> None:
    """Count the names an annotation mentions, those of string annotations too."""
    if annotation is None:
        return
    if type(annotation) is ast.Name:  # the most frequent annotation, not worth a walk
        into[annotation.id] += 1
        return
    for node in walk_nodes(annotation):
        if type(node) is ast.Name:
            into[node.id] += 1
        elif type(node) is ast.Constant and isinstance(node.value, str):
            into.update(_IDENTIFIER.findall(node.value))


class Walked(Protocol):
    """What the collector's walk gathered that the uses are judged from."""

    imports: list[ImportFact]
    read_now: set[str]
    called: set[str]
    annotated: Counter[str]
    all_value: AllValue


def walked_uses(walked: Walked, tree: ast.Module, text: str, is_package: bool) -> tuple[str, ...]:
    """How the module uses what each import binds, once the collector's walk is done."""
    read_now = walked.read_now | read_by_calls(tree, walked.called)
    return import_uses(
        walked.imports,
        text,
        read_now,
        walked.annotated,
        [entry.name for entry in walked.all_value.entries],
        is_package,
    )


def signature_names(node: ast.FunctionDef | ast.AsyncFunctionDef, into: Counter[str]) -> None:
    """Count the names a function's parameter and return annotations mention."""
    arguments = node.args
    every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
    for argument in (*every, arguments.vararg, arguments.kwarg):
        # Most parameters have no annotation: no call for them.
        if argument is not None and argument.annotation is not None:
            names_in(argument.annotation, into)
    if node.returns is not None:
        names_in(node.returns, into)


def read_by_calls(tree: ast.Module, called: set[str]) -> set[str]:
    """The names read by the module-level functions code calls at import time: those run
    then too (a function another calls is not followed: the text counts its reads)."""
    read: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in called:
            read.update(
                inner.id
                for inner in walk_nodes(node)
                if type(inner) is ast.Name and type(inner.ctx) is ast.Load
            )
    return read


def import_uses(
    imports: Sequence[ImportFact],
    text: str,
    read_now: set[str],
    annotated: Counter[str],
    exported: Iterable[str],
    is_package: bool,
) -> tuple[str, ...]:
    """For each import (index-aligned), how its bound names are used, the dearest use of
    any of them; "" for an import that binds no module name (in a function, under
    TYPE_CHECKING, `*`, `__future__`)."""
    bound = [_bound(imp) for imp in imports]
    needed = read_now | set(exported)
    named = _named_outside_imports(text, imports, annotated)
    uses: list[str] = []
    for names in bound:
        if not names:
            uses.append("")
        elif any(name in needed or kept for name, kept in names):
            uses.append(IMPORT_TIME)  # the dearest: the other names need no search
        else:
            dearest = min(
                USES.index(_use(name, kept, needed, named, annotated, is_package))
                for name, kept in names
            )
            uses.append(USES[dearest])
    return tuple(uses)


def _bound(imp: ImportFact) -> list[tuple[str, bool]]:
    """The module names an import binds, each with whether it is re-exported (`as` itself)."""
    if imp.where is not Where.MODULE or not imp.binds or imp.is_star:
        return []
    if imp.is_from and imp.module == "__future__":
        return []
    return [
        (
            alias.asname or (alias.name if imp.is_from else alias.name.partition(".")[0]),
            alias.asname == alias.name,
        )
        for alias in imp.names
    ]


def _named_outside_imports(
    text: str, imports: Sequence[ImportFact], annotated: Counter[str]
) -> Callable[[str], bool]:
    """Whether a name appears in the text outside import statements more often than in
    annotations, counted as a substring: a longer word holding it (`Base` in `BaseClass`)
    counts too, which only errs towards the dearer use, and none at all is exact.

    Each name's occurrences are found with `str.find` (C) and the search stops at the first
    one past what the imports and annotations account for: a name code uses is met within a
    few lines of its import, and counting every occurrence of every imported name through
    the whole text cost a tenth of parsing sympy (docs/decisions.md, issue 20). A word
    pattern over the whole text cost as much.
    """
    # The words of the import statements themselves, apart, so none joins its neighbour.
    said = " ".join(
        " ".join(
            [*imp.module.split("."), *(w for n in imp.names for w in _words(n.name, n.asname))]
        )
        for imp in imports
    )

    # A name imported twice is searched once (a dict: `functools.cache` would cost a
    # wrapper per file, of which a large tree has thousands that import one name).
    answers: dict[str, bool] = {}

    def named(name: str) -> bool:
        answer = answers.get(name)
        if answer is None:
            answer = answers[name] = _found_more_often(text, name, said, annotated)
        return answer

    return named


def _found_more_often(text: str, name: str, said: str, annotated: Counter[str]) -> bool:
    """Whether `name` occurs in `text` more often than in `said` and the annotations."""
    start = 0
    for _ in range(said.count(name) + annotated.get(name, 0) + 1):
        start = text.find(name, start)
        if start < 0:
            return False
        start += len(name)  # as str.count: occurrences do not overlap
    return True


def _words(name: str, asname: str | None) -> list[str]:
    return [*name.split("."), asname] if asname else name.split(".")


def _use(
    name: str,
    reexported: bool,
    needed: set[str],
    named: Callable[[str], bool],
    annotated: Counter[str],
    is_package: bool,
) -> str:
    if name in needed or reexported:
        return IMPORT_TIME
    if named(name):
        return FUNCTIONS
    if annotated.get(name, 0):
        return ANNOTATIONS
    # A package's import nothing names is its API: what `from package import name` finds.
    return IMPORT_TIME if is_package else UNUSED
