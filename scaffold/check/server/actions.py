"""What the editor offers on a diagnostic: each rule's fix (safe or unsafe), a `# noqa`
comment, every safe fix of a file at once (`source.fixAll.scaffold`); and the rule's docs
on hover."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types as lsp

from scaffold.check.discover import SourceFile
from scaffold.check.facts import scan_noqa
from scaffold.check.fix import fix_text
from scaffold.check.model import Diagnostic
from scaffold.check.project import Project
from scaffold.check.rules import FixKind, get_rule
from scaffold.check.server.convert import Units, lines_of, text_edit

__all__ = [
    "FIX_ALL",
    "FileView",
    "code_actions",
    "fix_all",
    "hover_codes",
    "noqa_line",
    "rule_markdown",
]

FIX_ALL = "source.fixAll.scaffold"  # a kind of our own: the enum lists only the standard ones
_NOQA_CODES = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)", re.I)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.I)


@dataclass(frozen=True, slots=True)
class FileView:
    """One file as the last analysis saw it: its text, its tree entry and its project (None
    for a file the rules read but cannot fix, such as a pyproject.toml)."""

    uri: str
    text: str
    source: SourceFile | None
    project: Project | None


def _fixed(view: FileView, found: Sequence[Diagnostic], units: Units) -> lsp.TextEdit | None:
    """The edit that applies the fixes of `found`, in the file's own newlines."""
    if view.source is None or view.project is None:
        return None
    newline = "\r\n" if "\r\n" in view.text else "\n"
    text = view.text.replace("\r\n", "\n")
    if "\r" in text:
        return None  # old Mac or mixed newlines: any rewrite would change some of them
    result = fix_text(text, view.source, view.project, found)
    if result is None:
        return None
    return text_edit(view.text, result[0].replace("\n", newline), units)


def noqa_line(text: str, line: int, code: str) -> str | None:
    """`text` with `code` added to the `# noqa` comment of 1-based `line` (a new comment if
    there is none); None when the comment would not be one (the line ends inside a string)."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    current = lines[line - 1]
    end = "\r" if current.endswith("\r") else ""
    body = current[: len(current) - len(end)]
    match = _NOQA_CODES.search(body)
    if match is not None:
        codes = [c.strip().upper() for c in match.group("codes").split(",")]
        if code in codes:
            return None
        body = body[: match.end("codes")] + f", {code}" + body[match.end("codes") :]
    else:
        body = f"{body.rstrip()}  # noqa: {code}"
    lines[line - 1] = body + end
    after = "\n".join(lines)
    # The tokenizer decides what is a comment: a line that ends inside a string is no place.
    for number, found in scan_noqa(after.replace("\r\n", "\n")):
        if number == line and found is not None and code in found:
            return after
    return None


def code_actions(
    view: FileView,
    found: Sequence[tuple[Diagnostic, lsp.Diagnostic]],
    units: Units,
    only: Sequence[str] | None,
) -> list[lsp.CodeAction]:
    """The actions for the diagnostics under the cursor, and the file's fix-all."""
    wanted = _kinds(only)
    actions: list[lsp.CodeAction] = []
    for diagnostic, shown in found:
        rule = get_rule(diagnostic.code)
        if rule is None:
            continue
        if lsp.CodeActionKind.QuickFix in wanted and rule.fix is not FixKind.NONE:
            edit = _fixed(view, [diagnostic], units)
            if edit is not None:
                unsafe = rule.fix is FixKind.UNSAFE
                title = f"Fix {diagnostic.code} ({rule.name})"
                actions.append(
                    _action(
                        f"{title}: unsafe, changes behaviour" if unsafe else title,
                        lsp.CodeActionKind.QuickFix,
                        view.uri,
                        [edit],
                        [shown],
                        preferred=not unsafe,
                    )
                )
        if lsp.CodeActionKind.QuickFix in wanted:
            after = noqa_line(view.text, diagnostic.line, diagnostic.code)
            if after is not None:
                edit = text_edit(view.text, after, units)
                title = f"Add `# noqa: {diagnostic.code}` to this line"
                actions.append(
                    _action(title, lsp.CodeActionKind.QuickFix, view.uri, [edit], [shown])
                )
    return actions


def fix_all(view: FileView, diagnostics: Sequence[Diagnostic], units: Units) -> lsp.CodeAction:
    """Every safe fix of the file as one source action (no edit when there is none)."""
    safe = [d for d in diagnostics if d.fixable]
    edit = _fixed(view, safe, units) if safe else None
    return _action(
        "Fix all safe scaffold findings", FIX_ALL, view.uri, [edit] if edit else [], None
    )


def _kinds(only: Sequence[str] | None) -> set[str]:
    """The kinds asked for: `only` names kinds or their parents (`source` covers fixAll)."""
    every = {lsp.CodeActionKind.QuickFix.value, FIX_ALL}
    if not only:
        return every
    return {kind for kind in every if any(kind == o or kind.startswith(f"{o}.") for o in only)}


def _action(
    title: str,
    kind: lsp.CodeActionKind | str,
    uri: str,
    edits: list[lsp.TextEdit],
    diagnostics: list[lsp.Diagnostic] | None,
    *,
    preferred: bool | None = None,
) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title,
        kind=kind,
        diagnostics=diagnostics,
        is_preferred=preferred,
        edit=lsp.WorkspaceEdit(changes={uri: edits}),
    )


def hover_codes(text: str, line: int, character: int) -> list[str]:
    """The rule code of a `# noqa:` comment under 0-based (line, code point) position."""
    lines = lines_of(text)
    if not 0 <= line < len(lines):
        return []
    match = _NOQA_CODES.search(lines[line])
    if match is None:
        return []
    for code in _CODE.finditer(match.group("codes")):
        start = match.start("codes") + code.start()
        if start <= character <= start + len(code.group()):
            return [code.group().upper()]
    return []


def rule_markdown(code: str) -> str | None:
    """The docs of `scaffold rule CODE`, as Markdown for a hover."""
    rule = get_rule(code)
    if rule is None:
        return None
    return f"**{rule.code}** `{rule.name}`\n\n```text\n{rule.explain()}```"
