"""`scaffold check --add-noqa`: a `# noqa: CODE` comment on the line each finding reads it on."""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize
import tomllib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.fix import FileFix, interrupted_after, read_for_edit, write_fix
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.files import NotReplaced
from scaffold.interrupts import interrupts_deferred, stops_interrupt

__all__ = ["NoqaInterrupted", "NoqaResult", "add_noqa", "noqa_comments"]

# A noqa comment that names codes is extended rather than a second one added.
_NOQA = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)", re.I)
_BARE_NOQA = re.compile(r"#\s*noqa(?!\s*:)", re.I)


@dataclass
class NoqaResult:
    """What `--add-noqa` wrote: comments added, and findings no comment can silence."""

    added: int = 0
    files: int = 0
    skipped: int = 0
    written: list[Path] = dataclasses.field(default_factory=list)


class NoqaInterrupted(KeyboardInterrupt):
    """A Ctrl-C (or SIGTERM, SIGHUP) during `--add-noqa`: `summary` names the files that
    got their comments; every other file is as it was (each is replaced whole)."""

    def __init__(self, written: Collection[Path]) -> None:
        super().__init__()
        self.written = tuple(written)

    @property
    def summary(self) -> str:
        """The lines the command prints instead of a bare "Interrupted."."""
        return interrupted_after(
            self.written, "adding noqa comments to", "edited", "no noqa comment was added"
        )


def _comment_lines(text: str) -> set[int] | None:
    """Lines that end outside any string and without a backslash, where a comment may go
    (the tokenizer ends them with NEWLINE or NL); None when the text does not tokenize."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return {t.start[0] for t in tokens if t.type in (tokenize.NEWLINE, tokenize.NL)}
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def _with_codes(line: str, codes: Collection[str]) -> str:
    """`line` with a noqa comment naming `codes` (an existing one is extended)."""
    if _BARE_NOQA.search(line):
        return line  # a bare noqa already silences every code
    match = _NOQA.search(line)
    if match is not None:
        named = {c.strip().upper() for c in match.group("codes").split(",")}
        merged = ", ".join(sorted(named | set(codes)))
        return line[: match.start()] + f"# noqa: {merged}" + line[match.end() :]
    return f"{line.rstrip()}  # noqa: {', '.join(sorted(codes))}"


def _same_meaning(before: str, after: str, is_toml: bool) -> bool:
    try:
        if is_toml:
            return tomllib.loads(before) == tomllib.loads(after)
        return ast.dump(ast.parse(before)) == ast.dump(ast.parse(after))
    except (SyntaxError, ValueError, RecursionError, MemoryError, tomllib.TOMLDecodeError):
        return False


def noqa_comments(
    text: str, wanted: Mapping[int, Collection[str]], *, is_toml: bool = False
) -> tuple[str, set[int]]:
    """`text` with each line of `wanted` carrying a noqa comment for its codes, and the lines
    that could not take one. The result means what `text` meant (same AST, or same TOML)."""
    lines = text.split("\n")
    allowed = None if is_toml else _comment_lines(text)
    refused: set[int] = set()
    for number in sorted(wanted):
        if not 0 < number <= len(lines) or (allowed is not None and number not in allowed):
            refused.add(number)
            continue
        edited = _with_codes(lines[number - 1], wanted[number])
        if is_toml or allowed is None:
            # No tokenizer to say where comments may go: try the line, keep it if it holds.
            trial = [*lines[: number - 1], edited, *lines[number:]]
            if not _same_meaning("\n".join(lines), "\n".join(trial), is_toml):
                refused.add(number)
                continue
        lines[number - 1] = edited
    after = "\n".join(lines)
    if after != text and not _same_meaning(text, after, is_toml):
        return text, set(wanted)
    return after, refused


def _target_lines(
    text: str, found: list[Diagnostic], is_toml: bool
) -> tuple[dict[int, set[str]], int]:
    """The line each finding's noqa goes on: its first line where a comment can go, else
    its last (a noqa on either silences it); and how many findings have neither."""
    allowed = None if is_toml else _comment_lines(text)
    wanted: dict[int, set[str]] = {}
    skipped = 0
    for d in found:
        candidates = [d.line] if d.end_line == d.line else [d.line, d.end_line]
        usable = [n for n in candidates if allowed is None or n in allowed]
        if not usable:
            skipped += 1
            continue
        wanted.setdefault(usable[0], set()).add(d.code)
    return wanted, skipped


# A noqa on one import of a cycle silences that import only, and the cycle is reported at
# its next import; the group is silent when every import of its loop has one. The loop's
# imports are the finding's related locations.
_EVERY_IMPORT = frozenset({"IMP002"})
_UNUSED_NOQA = "SUP001"


def _with_loop_imports(found: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
    """The findings, and for a cycle one more at each import of its loop."""
    for d in found:
        yield d
        if d.code in _EVERY_IMPORT:
            for r in d.related:
                yield dataclasses.replace(d, path=r.path, line=r.line, end_line=r.line, related=())


def add_noqa(report: CheckReport) -> NoqaResult:
    """Write a noqa comment for every finding of `report` into its file, atomically and
    only when the file means the same afterwards; folder findings and files that do not
    parse (SYN001, SYN002) are counted as skipped."""
    result = NoqaResult()
    by_file: dict[str, list[Diagnostic]] = {}
    for d in _with_loop_imports(report.diagnostics):
        if d.code == _UNUSED_NOQA:
            continue  # a noqa comment that silences nothing is removed (`--fix`), not silenced
        if d.code.startswith("SYN") or not d.path.endswith((".py", ".pyi", ".toml")):
            result.skipped += 1
            continue
        by_file.setdefault(d.path, []).append(d)
    try:
        with stops_interrupt():  # a SIGTERM between two files: named as a Ctrl-C's are
            for rel, found in sorted(by_file.items()):
                _add_to_file(Path(report.root, rel), rel, found, result)
    except KeyboardInterrupt:
        raise NoqaInterrupted(result.written) from None
    return result


def _add_to_file(path: Path, rel: str, found: list[Diagnostic], result: NoqaResult) -> None:
    source = read_for_edit(path)
    if source is None:
        result.skipped += len(found)
        return
    is_toml = rel.endswith(".toml")
    wanted, skipped = _target_lines(source.text, found, is_toml)
    after, refused = noqa_comments(source.text, wanted, is_toml=is_toml)
    result.skipped += skipped + sum(1 for d in found if d.line in refused)
    added = len(wanted) - len(refused)
    if after == source.text:
        return
    plan = FileFix(path, source.text, after, added, source.encoding, source.newline, source.data)
    with interrupts_deferred() as interrupts:
        # The write and the line recording it run whole: an interrupted run names exactly
        # the files it edited.
        try:
            write_fix(plan)
        except NotReplaced:
            # Left as it was: edited meanwhile, or hard-linked (a failed write is an error).
            result.skipped += added
        else:
            result.added += added
            result.files += 1
            result.written.append(path)
    if interrupts.arrived:
        raise KeyboardInterrupt
