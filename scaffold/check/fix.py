"""`scaffold check --fix`: rewrite the spans of fixable findings, verify, write atomically."""

from __future__ import annotations

import ast
import difflib
import io
import itertools
import os
import re
import sys
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffold.check.discover import SourceFile, discover
from scaffold.check.imports.graph import build_graph
from scaffold.check.incremental.pool import read_facts
from scaffold.check.incremental.run import check_tree, run_check
from scaffold.check.model import CheckReport, Diagnostic, Where
from scaffold.check.pipeline import CheckOptions
from scaffold.check.project import Project
from scaffold.check.rules import FixKind
from scaffold.edit import (
    SourceEditError,
    SourceOffsets,
    TextEdit,
    add_to_all,
    apply_edits,
    ruf022_key,
)
from scaffold.errors import UsageError
from scaffold.files import write_atomically

__all__ = ["FileFix", "FixResult", "fix_codes", "plan_fixes", "run_fixes", "unified_diff"]

_LINE_LENGTH = 88
# A fix can reveal another (an added name makes a sorted __all__ unsorted); a few rounds
# settle every case the fixers know, and the limit keeps a fixer bug from looping forever.
_ROUNDS = 4


def fix_codes(*, unsafe: bool) -> frozenset[str]:
    """The codes `--fix` rewrites: the safe fixes, plus the unsafe ones when asked."""
    from scaffold.check.rules import RULES

    kinds = {FixKind.SAFE, FixKind.UNSAFE} if unsafe else {FixKind.SAFE}
    return frozenset(rule.code for rule in RULES if rule.fix in kinds)


@dataclass
class FileFix:
    """One file's content before and after fixing, and how many findings the edit fixes."""

    path: Path
    before: str
    after: str
    fixed: int = 0
    encoding: str = "utf-8"
    newline: str = "\n"

    def encoded(self) -> bytes:
        """The new content in the file's own encoding and newline style."""
        return self.after.replace("\n", self.newline).encode(self.encoding)


@dataclass
class FixResult:
    """What `--fix` did (or, with `--diff`, would do) and the report of a check after it."""

    files: list[FileFix] = field(default_factory=list)
    report: CheckReport | None = None
    fixed_count: int | None = None  # measured by checking again, when the fixes were written

    @property
    def fixed(self) -> int:
        """Number of findings fixed (with `--diff`: that the fixes address)."""
        if self.fixed_count is not None:
            return self.fixed_count
        return sum(f.fixed for f in self.files)


# --- reading and writing ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    text: str  # newlines normalised to \n
    encoding: str
    newline: str


def _read(path: Path) -> _Source | None:
    """The file's text with `\\n` newlines; None when it cannot be edited faithfully."""
    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if encoding == "utf-8" and text.startswith("\ufeff"):
        return None  # a BOM under a cookie: leave such a file to a human
    crlf = text.count("\r\n")
    if crlf and (crlf != text.count("\n") or crlf != text.count("\r")):
        return None  # mixed newlines: any rewrite would change some of them
    if not crlf and "\r" in text:
        return None  # old Mac newlines
    return _Source(text.replace("\r\n", "\n"), encoding, "\r\n" if crlf else "\n")


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# --- the fixers -------------------------------------------------------------------------------


def _position(diagnostic: Diagnostic) -> tuple[int, int, int, int]:
    return (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column)


def _node_position(node: ast.AST) -> tuple[int, int, int, int]:
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0) + 1,
        getattr(node, "end_lineno", 0) or 0,
        (getattr(node, "end_col_offset", 0) or 0) + 1,
    )


@dataclass
class _FileFixer:
    """Edits for one file, computed on its parsed text; each fixer skips what it cannot do."""

    text: str
    tree: ast.Module
    source: SourceFile
    project: Project
    offsets: SourceOffsets = field(init=False)
    edits: list[TextEdit] = field(default_factory=list)
    fixed: int = 0

    def __post_init__(self) -> None:
        self.offsets = SourceOffsets(self.text)

    def nodes_at(self, diagnostic: Diagnostic) -> list[tuple[ast.AST, ast.AST | None]]:
        """Nodes whose span is exactly the diagnostic's, with their parents."""
        want = _position(diagnostic)
        found: list[tuple[ast.AST, ast.AST | None]] = []
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                if _node_position(child) == want:
                    found.append((child, parent))
        return found

    # EXP003 and EXP007 both rewrite one `__all__` literal: they are planned together.
    def literals(self, duplicates: list[Diagnostic], unsorted: list[Diagnostic]) -> None:
        plans: dict[int, tuple[ast.List | ast.Tuple, set[int], bool, int]] = {}
        for diagnostic in duplicates:
            for node, parent in self.nodes_at(diagnostic):
                if isinstance(parent, ast.List | ast.Tuple) and node in parent.elts:
                    literal, drop, sort, count = plans.get(id(parent), (parent, set(), False, 0))
                    drop.add(parent.elts.index(node))
                    plans[id(parent)] = (literal, drop, sort, count + 1)
                    break
        for diagnostic in unsorted:
            for node, _ in self.nodes_at(diagnostic):
                if isinstance(node, ast.List | ast.Tuple):
                    literal, drop, _sort, count = plans.get(id(node), (node, set(), False, 0))
                    plans[id(node)] = (literal, drop, True, count + 1)
                    break
        for literal, drop, sort, count in plans.values():
            edits, sorted_too = self.rewrite_literal(literal, drop, sort)
            if edits is not None:
                self.edits += edits
                self.fixed += count - (1 if sort and not sorted_too else 0)

    def rewrite_literal(
        self, literal: ast.List | ast.Tuple, drop: set[int], sort: bool
    ) -> tuple[list[TextEdit] | None, bool]:
        """Edits that drop items `drop` and sort the rest; also whether it sorts."""
        text, offsets = self.text, self.offsets
        elts = literal.elts
        spans = [(offsets.start(e), offsets.end(e)) for e in elts]
        start, end = offsets.start(literal), offsets.end(literal)
        bracketed = text[start] in "[("
        inner = (start + 1, end - 1) if bracketed else (start, end)
        # The gaps between items hold commas, spaces and comments; sorting moves items
        # across them, so a literal with comments inside is sorted by a human instead.
        gaps = [text[inner[0] : spans[0][0]]] if spans else []
        gaps += [text[a[1] : b[0]] for a, b in itertools.pairwise(spans)]
        gaps += [text[spans[-1][1] : inner[1]]] if spans else []
        edits: list[TextEdit] = []
        keep = [i for i in range(len(elts)) if i not in drop]
        if sort and any("#" in gap for gap in gaps[1:]):
            if not drop:
                return None, False
            sort = False  # still drop the repeats
        if sort:
            texts = [text[a:b] for a, b in spans]
            values = [e.value if isinstance(e, ast.Constant) else "" for e in elts]
            order = sorted(keep, key=lambda i: ruf022_key(str(values[i])))
            for slot, index in zip(keep, order, strict=True):
                if slot != index:
                    edits.append(TextEdit(spans[slot][0], spans[slot][1], texts[index]))
        if drop and not keep:
            return ([*edits, TextEdit(inner[0], inner[1], "")] if bracketed else None), sort
        for index in sorted(drop):
            removal = self.removal(spans, index, keep, inner)
            if removal is None:
                return None, False
            edits.append(removal)
        return edits, sort

    def removal(
        self, spans: list[tuple[int, int]], index: int, keep: list[int], inner: tuple[int, int]
    ) -> TextEdit | None:
        """Delete item `index`: its whole line when it stands alone there, else with a comma."""
        text, offsets = self.text, self.offsets
        a, b = spans[index]
        line_start, line_end = offsets.line_start(a), offsets.line_end(b)
        before, after = text[line_start:a], text[b:line_end]
        if not before.strip() and after.strip() in ("", ",") and line_end < len(text):
            return TextEdit(line_start, line_end + 1, "")
        if index > 0:
            cut = TextEdit(spans[index - 1][1], b, "")
        elif index + 1 < len(spans):
            cut = TextEdit(a, spans[index + 1][0], "")
        else:
            cut = TextEdit(a, inner[1], "")
        removed = text[cut.start : cut.end].replace(text[a:b], "", 1)
        if removed.strip(" \t\n,\\"):
            return None  # a comment would go with it
        return cut

    def sibling_imports(self, diagnostics: list[Diagnostic]) -> None:
        done: set[tuple[int, int, int, int]] = set()
        for diagnostic in diagnostics:
            where = _position(diagnostic)
            if where in done:
                continue
            done.add(where)
            for node, _ in self.nodes_at(diagnostic):
                if isinstance(node, ast.ImportFrom | ast.Import):
                    edit = self.relative_import(node)
                    if edit is not None:
                        self.edits.append(edit)
                        self.fixed += sum(1 for d in diagnostics if _position(d) == where)
                    break

    def is_sibling(self, dotted: str) -> bool:
        source, project = self.source, self.project
        head = dotted.partition(".")[0]
        if head in sys.stdlib_module_names or project.find(head, source.scope) is not None:
            return False
        package = source.module if source.is_package else source.module.rpartition(".")[0]
        sibling = project.find(f"{package}.{head}", source.scope)
        return sibling is not None and sibling.file is not source

    def relative_import(self, node: ast.Import | ast.ImportFrom) -> TextEdit | None:
        start, end = self.offsets.start(node), self.offsets.end(node)
        statement = self.text[start:end]
        if isinstance(node, ast.ImportFrom):
            match = re.match(r"from(?:[ \t]|\\\n)+", statement)
            if (
                node.level
                or match is None
                or not statement[match.end() :].startswith(node.module or "\0")
            ):
                return None
            at = start + match.end()
            return TextEdit(at, at, ".")
        pieces: list[str] = []
        plain: list[str] = []
        for alias in node.names:
            shown = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            if not self.is_sibling(alias.name):
                plain.append(shown)
                continue
            if plain:
                pieces.append(f"import {', '.join(plain)}")
                plain = []
            package, _, name = alias.name.rpartition(".")
            if package and alias.asname is None:
                return None  # `import draw.sub` binds `draw`; no relative form says that
            pieces.append(f"from .{package} import {name if package else shown}")
            if package:
                pieces[-1] += f" as {alias.asname}"
        if plain:
            pieces.append(f"import {', '.join(plain)}")
        line_start = self.offsets.line_start(start)
        indent = self.text[line_start:start]
        joiner = f"\n{indent}" if not indent.strip() else "; "
        return TextEdit(start, end, joiner.join(pieces))

    def missing_all(self, diagnostics: list[Diagnostic]) -> None:
        if not diagnostics or not self.source.is_package:
            return
        names = _public_names(self.project, self.source)
        if not names:
            return
        items = [f'"{n}"' for n in sorted(names, key=ruf022_key)]
        one_line = f"__all__ = [{', '.join(items)}]"
        if len(one_line) > _LINE_LENGTH:
            one_line = "__all__ = [\n" + "".join(f"    {i},\n" for i in items) + "]"
        self.edits.append(self.after_imports(one_line))
        self.fixed += len(diagnostics)

    def after_imports(self, statement: str) -> TextEdit:
        """Insert a statement after the module's top-level imports, a blank line before it."""
        last: ast.stmt | None = None
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom) or (
                isinstance(stmt, ast.Try | ast.If)
                and any(isinstance(s, ast.Import | ast.ImportFrom) for s in stmt.body)
            ):
                last = stmt
        if last is None:
            body = self.tree.body
            docstring = (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            )
            if not docstring:
                return TextEdit(0, 0, f"{statement}\n\n")
            last = body[0]
        at = self.offsets.line_end(self.offsets.end(last))
        if at == len(self.text):
            return TextEdit(at, at, f"\n\n{statement}\n")
        return TextEdit(at, at, f"\n\n{statement}")


def _public_names(project: Project, source: SourceFile) -> list[str] | None:
    """What `from pkg import *` binds today without `__all__`: public names and submodules."""
    names: set[str] = set()
    facts = project.facts.get(source.key)
    if facts is None or facts.error is not None or facts.dynamic or facts.has_getattr:
        return None
    names |= facts.bindings
    for imp in facts.imports:
        if imp.is_star and imp.binds and imp.where is Where.MODULE:
            brought = project.star_names(source, imp)
            if brought is None:
                return None
            names |= brought
    # Every submodule imported while the package initialises becomes one of its attributes;
    # one imported only on some platform or inside `try` may not be, and naming it in
    # __all__ would make `from pkg import *` import it, so only unconditional imports count.
    graph = build_graph(project)
    seen = {source.key}
    stack = [source.key]
    prefix = f"{source.module}."
    children: set[str] = set()
    while stack:
        key = stack.pop()
        key_facts = project.facts.get(key)
        optional = {
            imp.span
            for imp in (key_facts.imports if key_facts else ())
            if imp.conditional or imp.guarded
        }
        for edge in graph.get(key, []):
            if edge.target in seen or edge.span in optional:
                continue
            seen.add(edge.target)
            stack.append(edge.target)
            target = project.files.get(edge.target)
            if target is not None and target.module.startswith(prefix) and not target.scope:
                children.add(target.module[len(prefix) :].partition(".")[0])
    submodules = {
        name for name in names if project.find(f"{prefix}{name}", source.scope) is not None
    }
    names = (names - submodules) | children
    return sorted(n for n in names if not n.startswith("_"))


# --- planning and applying ----------------------------------------------------------------------


def plan_fixes(options: CheckOptions, codes: frozenset[str]) -> list[FileFix]:
    """One round: check, then compute each file's fixed text (verified to parse)."""
    plans: dict[Path, FileFix] = {}
    for raw in options.paths:
        path = Path(os.path.abspath(raw))
        if not path.exists():
            raise UsageError(f"path does not exist: {path}")
        tree = discover(path)
        facts = read_facts(tree.files)
        project = Project.of(tree, facts)
        by_rel = {f.rel: f for f in tree.files if not f.is_stub}
        found: dict[str, list[Diagnostic]] = {}
        for diagnostic in check_tree(tree, facts, options):
            if diagnostic.code in codes and diagnostic.path in by_rel:
                found.setdefault(diagnostic.path, []).append(diagnostic)
        for rel, diagnostics in sorted(found.items()):
            source = by_rel[rel]
            if source.path in plans:
                continue
            plan = _fix_file(source, project, diagnostics)
            if plan is not None:
                plans[source.path] = plan
    return [plans[p] for p in sorted(plans)]


def _fix_file(source: SourceFile, project: Project, found: list[Diagnostic]) -> FileFix | None:
    read = _read(source.path)
    if read is None:
        return None
    try:
        tree = ast.parse(read.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None

    def of(code: str) -> list[Diagnostic]:
        return [d for d in found if d.code == code]

    fixer = _FileFixer(read.text, tree, source, project)
    fixer.literals(of("EXP003"), of("EXP007"))
    fixer.sibling_imports(of("IMP004"))
    fixer.missing_all(of("EXP005"))
    try:
        after = apply_edits(read.text, fixer.edits)
    except ValueError:
        return None  # overlapping edits: the next round picks up what is left
    fixed = fixer.fixed
    added = [_exported_name(d) for d in of("EXP006")]
    names = [n for n in dict.fromkeys(added) if n]
    if names:
        try:
            after = add_to_all(after, names, line_length=_LINE_LENGTH)
            fixed += len(added)
        except SourceEditError:
            pass
    if after == read.text or not _parses(after):
        return None
    return FileFix(source.path, read.text, after, fixed, read.encoding, read.newline)


def _exported_name(diagnostic: Diagnostic) -> str | None:
    match = re.match(r"'([A-Za-z_][A-Za-z0-9_]*)' is imported", diagnostic.message)
    return match.group(1) if match else None


def run_fixes(options: CheckOptions, *, unsafe: bool = False, write: bool = True) -> FixResult:
    """Fix in rounds until no fixable finding is left, checking again after each round.

    With `write=False` (`--diff`) one round is planned in memory (the next round's check
    would read the files, which are not written) and no report is made.
    """
    codes = fix_codes(unsafe=unsafe)
    result = FixResult()
    originals: dict[Path, FileFix] = {}
    report = run_check(options) if write else None
    initial = report
    written: set[str] | None = None  # files the last round wrote, relative to the report
    for _ in range(_ROUNDS if write else 1):
        if report is not None and not any(
            d.code in codes and (written is None or d.path in written) for d in report.diagnostics
        ):
            break  # what is left was left by a fixer that will decide the same again
        plans = plan_fixes(options, codes)
        for plan in plans:
            if write:
                write_atomically(plan.path, plan.encoded(), plan.path.stat().st_mode & 0o7777)
            first = originals.get(plan.path)
            originals[plan.path] = (
                plan
                if first is None
                else replace(first, after=plan.after, fixed=first.fixed + plan.fixed)
            )
        if not plans or not write:
            break
        report = run_check(options)
        written = {_rel_to(plan.path, report.root) for plan in plans}
    result.files = [originals[p] for p in sorted(originals)]
    result.report = report
    if report is not None and initial is not None:
        # Count what disappeared rather than what the fixers meant to fix: a repeat dropped
        # from `__all__` can also make it sorted, and that fixes its EXP007 too.
        left = Counter(_identity(d) for d in report.diagnostics)
        before = Counter(_identity(d) for d in initial.diagnostics)
        result.fixed_count = sum(max(0, n - left.get(k, 0)) for k, n in before.items())
    return result


def _rel_to(path: Path, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _identity(diagnostic: Diagnostic) -> tuple[str, str, str]:
    # Lines move when a file is fixed; path, code and message say which finding it is.
    return (diagnostic.path, diagnostic.code, diagnostic.message)


def unified_diff(files: Iterable[FileFix], relative_to: Path | None = None) -> str:
    """A unified diff of every fixed file, paths relative to `relative_to`."""
    chunks: list[str] = []
    for fix in files:
        shown = str(fix.path)
        if relative_to is not None:
            shown = os.path.relpath(fix.path, relative_to).replace(os.sep, "/")
        lines: Sequence[str] = list(
            difflib.unified_diff(
                fix.before.splitlines(keepends=True),
                fix.after.splitlines(keepends=True),
                fromfile=f"a/{shown}",
                tofile=f"b/{shown}",
            )
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "".join(chunks)
