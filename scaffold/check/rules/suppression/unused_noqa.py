"""SUP001 unused-noqa: a `# noqa` comment, or a code in one, that silenced nothing.

Whether a comment was used is known only once every other rule's findings have met the
noqa comments, so the rule has no check of its own: selection (scaffold.check.select)
records which directives silenced a finding and asks `unused_directives` for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence

from scaffold.check.model import Diagnostic, Finding, NoqaDirective, Severity, Span
from scaffold.check.rules.unit import FixContext, FixKind, PeerCode, Rule, RuleDocs
from scaffold.edit import TextEdit

__all__ = ["RULE", "SELF_CODES", "unused_directives"]

# A directive naming the rule itself (or ruff's code for it) is left alone, as in ruff: the
# user said this comment is meant to stay.
SELF_CODES = frozenset({"SUP001", "RUF100"})

_DIRECTIVE = re.compile(r"#\s*noqa(?::\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)?", re.I)


def unused_directives(
    path: str,
    directives: Sequence[NoqaDirective],
    used: Collection[tuple[int, str | None]],
    judged: Callable[[str], str | None],
) -> Iterator[Finding]:
    """A finding for each directive of a file with codes that silenced nothing.

    `used` holds (directive index, code) for each code that silenced a finding, and
    (index, None) for a directive that silenced any; `judged(code)` says what a code that
    silenced nothing is: "unused" (its rule ran here), "unknown" (no scaffold rule has it),
    or None (another tool's code, or a rule that did not run: it is not ours to judge).
    """
    for index, directive in enumerate(directives):
        span = Span(directive.line, directive.column + 1, directive.line, directive.end_column + 1)
        if directive.codes is None:
            if (index, None) not in used:
                yield RULE.finding(path, span, kind="blanket", detail="", keep="")
            continue
        if SELF_CODES.intersection(directive.codes):
            continue
        keep: list[str] = []
        found: dict[str, list[str]] = {"unused": [], "duplicated": [], "unknown": []}
        for code in directive.codes:
            verdict = None if (index, code) in used else judged(code)
            if code in keep or code in found["unused"] or code in found["unknown"]:
                found["duplicated"].append(code)
            elif verdict is None:
                keep.append(code)
            else:
                found[verdict].append(code)
        detail = "; ".join(f"{kind}: {', '.join(codes)}" for kind, codes in found.items() if codes)
        if detail:
            yield RULE.finding(path, span, kind="codes", detail=detail, keep=", ".join(keep))


def fix_unused_noqa(context: FixContext, diagnostics: Sequence[Diagnostic]) -> None:
    """Drop the unused codes of each directive, or the whole directive when none is left."""
    text, offsets = context.text, context.offsets
    for diagnostic in diagnostics:
        start = offsets.at(diagnostic.line, diagnostic.column - 1)
        end = offsets.at(diagnostic.end_line, diagnostic.end_column - 1)
        if _DIRECTIVE.fullmatch(text, start, end) is None:
            continue  # the file changed since it was checked
        keep = str(diagnostic.arg("keep") or "")
        if keep:
            context.edits.append(TextEdit(start, end, f"# noqa: {keep}"))
        else:
            context.edits.append(_deletion(text, start, end, offsets.line_start(start)))
        context.fixed += 1


def _deletion(text: str, start: int, end: int, line_start: int) -> TextEdit:
    """The edit that removes a directive: with the spaces before it; a comment after it
    (`# noqa # type: ignore`) stays; the rest of the line after a directive is its
    description (`# noqa: SUP001 because ...`) and goes with it, as in ruff; a line that
    held nothing else goes whole."""
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    rest = text[end:line_end]
    before = text[line_start:start]
    cut = line_start + len(before.rstrip())
    if rest.strip().startswith("#"):
        after = end + len(rest) - len(rest.lstrip())
        return TextEdit(start if before.strip() else line_start, after, "")
    if before.strip():
        return TextEdit(cut, line_end, "")
    return TextEdit(line_start, min(line_end + 1, len(text)), "")


RULE = Rule(
    code="SUP001",
    name="unused-noqa",
    severity=Severity.OFF,
    message={
        "codes": "unused `noqa` directive ({detail})",
        "blanket": "unused blanket `noqa` directive",
    },
    docs=RuleDocs(
        what="Opt-in (select `SUP001`). Finds `# noqa` comments that silenced no finding in"
        " this run: a code whose rule ran on the file and reported nothing there (`unused`),"
        " a code repeated in one comment (`duplicated`), a code with a scaffold family's"
        " letters that no rule has (`unknown`), and a bare `# noqa` on a line with no"
        " finding.",
        why="A noqa comment that silences nothing is noise, and it will silently hide the"
        " next real problem on its line.",
        example="import os  # noqa: IMP009\nimport sys  # noqa\n\nprint(os.sep)  # noqa: IMP009,"
        " IMP009, E501",
        use_instead="import os\nimport sys\n\nprint(os.sep)  # noqa: IMP009, E501",
        exemptions="Codes of rules that did not run for the file are never unused: rules not"
        " selected or ignored by the configuration (a `--select EXP001` run leaves"
        " `# noqa: IMP002` alone; ruff reports such codes as `non-enabled`), RUN001 (its"
        " findings come from `--import`), other tools' codes (`E501`) and the rules' ruff"
        " codes (`F401`: ruff may need them). A comment that names SUP001 or RUF100 is left"
        " alone, and so are file-level `# scaffold: noqa` comments. A code silenced by the"
        " configuration's `per-file-ignores` is reported, as in ruff: the comment is"
        " redundant. A bare `# noqa` is judged by scaffold's findings only; where another"
        " linter relies on one, name its codes instead (`# noqa: E501`).",
        fix_safety="Removing a code or a comment that silenced nothing changes no finding of"
        " this run. The text after a directive on its line (`# noqa: X because ...`) is its"
        " description and goes with it; a separate comment (`# noqa: X  # pylint: ...`)"
        " stays.",
    ),
    fix=FixKind.SAFE,
    fixer=fix_unused_noqa,
    ruff_codes=("RUF100",),
    peer_codes=(
        PeerCode("flake8-noqa", "NQA101", "bare noqa with no violations"),
        PeerCode("flake8-noqa", "NQA102", "noqa with no matching violations"),
        PeerCode("flake8-noqa", "NQA103", "noqa with unmatched codes"),
    ),
)
