"""The `# noqa` comments of a file: which lines silence which codes."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator

from scaffold.check.model import NoqaDirective
from scaffold.edit import source_lines, splits_at_newlines_only

__all__ = ["noqa_directives", "refine_noqa", "scan_noqa"]

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)
# `# scaffold: noqa: CODE` anywhere silences CODE in the whole file (`# scaffold: noqa`
# alone, every code), as ruff's file-level directive; it is recorded as line 0.
_FILE_NOQA = re.compile(
    r"#\s*scaffold:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I
)
# Where either pattern can match: a "#", blanks, perhaps `scaffold:`, then "noqa" in any
# case (only the ASCII letters' cases: no other character matches n, o, q or a under re.I).
# Tried at a "#" of the whole text, where it may cross a line end: it only picks the
# lines the two patterns then read.
_NOQA_START = re.compile(r"#\s*(?:scaffold:\s*)?noqa", re.I)

Noqa = tuple[tuple[int, frozenset[str] | None], ...]


def scan_noqa(text: str) -> Noqa:
    """Each line with a `# noqa` comment and the codes it names (None: every code); line 0
    for a file-level `# scaffold: noqa`.

    A first reading of the lines, which may still count a `# noqa` inside a string; once the
    file has parsed, `refine_noqa` keeps the real comments only.
    """
    first = _first_noqa_comment(text)
    if first < 0:
        return ()
    result: list[tuple[int, frozenset[str] | None]] = []
    for number, line in _lines_saying_noqa(text, first):
        whole_file = _FILE_NOQA.search(line)
        match = whole_file or _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        names = None if codes is None else frozenset(c.strip().upper() for c in codes.split(","))
        result.append((0 if whole_file else number, names))
    return tuple(result)


def _first_noqa_comment(text: str, start: int = 0) -> int:
    """Where the first "#" at or after `start` that `_NOQA_START` matches at is; -1 if none.

    Each "#" is found with `str.find` (one C pass that skips to it), and the pattern is
    tried there only: most files say "#" a few dozen times, and lower-casing the whole text
    to look for "noqa" cost twice a pattern's pass and eight `str.find` passes
    (docs/decisions.md, issue 20, session 13).
    """
    found = text.find("#", start)
    while found >= 0 and _NOQA_START.match(text, found) is None:
        found = text.find("#", found + 1)
    return found


def _lines_saying_noqa(text: str, first: int) -> Iterable[tuple[int, str]]:
    """Each line of `text` that may hold a noqa comment (every line either pattern matches
    in is among them), with its number; `first` is the first such comment's "#".

    A file whose lines end at "\n" only (nearly every file) is not cut into lines: only the
    lines of the "#"s `_NOQA_START` matches at are read, each numbered by counting the
    newlines before it (docs/decisions.md, issue 20).
    """
    if not splits_at_newlines_only(text):
        numbered = enumerate(source_lines(text), start=1)
        return [(number, line) for number, line in numbered if "noqa" in line.lower()]
    return _noqa_lines_between_newlines(text, first)


def _noqa_lines_between_newlines(text: str, found: int) -> Iterator[tuple[int, str]]:
    number, counted = 1, 0
    while found >= 0:
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        number += text.count("\n", counted, start)
        counted = start
        yield number, text[start:end]
        found = _first_noqa_comment(text, end)


def refine_noqa(tree: ast.Module, text: str, noqa: Noqa) -> Noqa:
    """The noqa comments the tokenizer finds (none inside a string), each covering the whole
    simple statement whose first line it is on (as a multi-line `__all__ = [  # noqa: X`)."""
    return noqa_directives(tree, text, noqa)[0]


def noqa_directives(
    tree: ast.Module, text: str, noqa: Noqa
) -> tuple[Noqa, tuple[NoqaDirective, ...]]:
    """`refine_noqa`'s lines, and each real noqa comment as written (for the unused-noqa
    rule: where it is, which lines it covers, its codes in order).

    Only the innermost statement around each candidate line is tokenized, so a file pays
    for its few noqa lines, not for a second reading of all of it.
    """
    if not noqa:
        return noqa, ()
    lines = source_lines(text)
    result: list[tuple[int, frozenset[str] | None]] = []
    directives: list[NoqaDirective] = []
    for number, codes in noqa:
        statement = _innermost(tree.body, number) if number > 0 else None
        if statement is None:
            result.append((number, codes))  # a comment line between statements
            if number > 0:
                directives.extend(_directive(lines[number - 1], 0, number, number))
            continue
        end = statement.end_lineno or statement.lineno
        compound = _body_start(statement)
        if compound is not None:
            end = compound - 1  # the header of a compound statement
        found, comment = _comment_on(lines[statement.lineno - 1 : end], number - statement.lineno)
        if not found:
            continue  # the noqa text is inside a string
        if comment is not None:  # the codes are the comment's, not a string's before it
            codes = _codes_of(_NOQA.search(comment[1]))
        covers = end if compound is None and number == statement.lineno else number
        start = comment[0] if comment is not None else 0
        directives.extend(_directive(lines[number - 1], start, number, covers))
        result.append((number, codes))
        if compound is None and number == statement.lineno:
            result.extend((line, codes) for line in range(number + 1, end + 1))
    return tuple(result), tuple(directives)


def _directive(line: str, start: int, number: int, covers: int) -> list[NoqaDirective]:
    """The noqa directive at or after code point `start` of `line` (its comment's start)."""
    match = _NOQA.search(line, start)
    if match is None:
        return []
    codes = match.group("codes")
    written = None if codes is None else tuple(c.strip().upper() for c in codes.split(","))
    column = len(line[: match.start()].encode("utf-8"))
    end_column = column + len(match.group().encode("utf-8"))
    return [NoqaDirective(number, column, end_column, covers, written)]


def _innermost(body: list[ast.stmt], line: int) -> ast.stmt | None:
    """The deepest statement whose lines hold `line` (decorators left out)."""
    for statement in body:
        if statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            inner = _innermost(_children(statement), line)
            return statement if inner is None else inner
        if statement.lineno > line:
            break
    return None


def _children(statement: ast.stmt) -> list[ast.stmt]:
    """The statements nested in a compound statement, in order (handlers' and cases' too)."""
    children: list[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        children.extend(getattr(statement, field, None) or [])
    for handler in getattr(statement, "handlers", None) or []:
        children.extend(handler.body)
    for case in getattr(statement, "cases", None) or []:
        children.extend(case.body)
    children.sort(key=lambda child: child.lineno)
    return children


def _body_start(statement: ast.stmt) -> int | None:
    """The first line of a compound statement's body; None for a simple statement."""
    children = _children(statement)
    if not children:
        return None
    first = children[0]
    decorators: list[ast.expr] = getattr(first, "decorator_list", [])
    return min([first.lineno, *(d.lineno for d in decorators)])


def _comment_on(segment: list[str], index: int) -> tuple[bool, tuple[int, str] | None]:
    """Whether the tokenizer finds a noqa comment on line `index` of a statement's lines, and
    that comment's column (code points) and text (None when the lines do not tokenize: what
    they say is kept)."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO("\n".join(segment) + "\n").readline)
        for token in tokens:
            if (
                token.type == tokenize.COMMENT
                and token.start[0] - 1 == index
                and _NOQA.search(token.string) is not None
            ):
                return True, (token.start[1], token.string)
        return False, None
    except (tokenize.TokenError, SyntaxError):
        return True, None  # not a whole statement after all: keep what the lines say


def _codes_of(match: re.Match[str] | None) -> frozenset[str] | None:
    codes = match.group("codes") if match is not None else None
    return None if codes is None else frozenset(c.strip().upper() for c in codes.split(","))
