"""Run a check: discover, parse each file once, resolve, run the rules, filter, sort."""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import gc
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.config import CheckConfig
from scaffold.check.diagnostics import CheckReport, Diagnostic, Related, Severity
from scaffold.check.parse import ModuleFacts, SourceError, parse_source, scan_noqa
from scaffold.check.parse import Span as _Span
from scaffold.check.resolve import Project
from scaffold.check.rules import RULES, Finding, FixKind, get_rule, run_rules
from scaffold.check.tree import SourceFile, Tree, discover
from scaffold.errors import UsageError

__all__ = [
    "CheckOptions",
    "OutputFormat",
    "check_tree",
    "read_facts",
    "run_check",
    "validate_codes",
]


class OutputFormat(enum.StrEnum):
    """The four renderings of a report."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how; `select`/`ignore` given here override the pyproject's."""

    paths: tuple[str | Path, ...] = (".",)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    output_format: OutputFormat = OutputFormat.TEXT
    exit_zero: bool = False
    statistics: bool = False


def validate_codes(codes: Iterable[str], where: str) -> tuple[str, ...]:
    """Upper-case rule codes or prefixes; an unknown one is a UsageError naming it."""
    result: list[str] = []
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        if code != "ALL" and not any(rule.code.startswith(code) for rule in RULES):
            raise UsageError(f"unknown rule code or prefix {raw.strip()!r} in {where}")
        result.append(code)
    return tuple(result)


def _enabled(code: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> bool:
    rule = get_rule(code)
    default_on = rule is not None and rule.severity is not Severity.OFF
    if select is None:
        on = default_on
    else:
        # A rule that is off by default runs only when named by its exact code.
        on = code in select or (
            default_on and any(s == "ALL" or code.startswith(s) for s in select)
        )
    return on and not any(code.startswith(i) for i in ignore)


@dataclass(frozen=True)
class _Selection:
    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    per_file: tuple[tuple[str, tuple[str, ...]], ...]
    directory: Path

    def allows(self, code: str, path: Path | None) -> bool:
        if not _enabled(code, self.select, self.ignore):
            return False
        if path is None or not self.per_file:
            return True
        try:
            rel = path.relative_to(self.directory).as_posix()
        except ValueError:
            return True
        for pattern, codes in self.per_file:
            matches = fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(path.name, pattern)
            if matches and any(code.startswith(c) or c == "ALL" for c in codes):
                return False
        return True


def _selection(config: CheckConfig, options: CheckOptions) -> _Selection:
    where = str(config.pyproject or "the configuration")
    select = options.select
    if select is None and config.select is not None:
        select = validate_codes(config.select, where)
    if config.extend_select:
        extra = validate_codes(config.extend_select, where)
        base = (
            select
            if select is not None
            else tuple(r.code for r in RULES if r.severity is not Severity.OFF)
        )
        select = (*base, *extra)
    ignore = options.ignore if options.ignore is not None else validate_codes(config.ignore, where)
    per_file = tuple((p, validate_codes(c, where)) for p, c in config.per_file_ignores)
    return _Selection(select, ignore, per_file, config.directory)


def read_facts(
    files: Iterable[SourceFile],
    parse: Callable[..., ModuleFacts] = parse_source,
) -> dict[str, ModuleFacts]:
    """Read and parse every file once (the seam for a facts cache or parallel parsing)."""
    facts: dict[str, ModuleFacts] = {}
    # ASTs are acyclic and die by reference counting; the cyclic collector only rescans the
    # growing heap over and over (4x slower parsing on sympy), so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _read_into(facts, files, parse)
    finally:
        if collecting:
            gc.enable()
    return facts


def _read_into(
    facts: dict[str, ModuleFacts],
    files: Iterable[SourceFile],
    parse: Callable[..., ModuleFacts],
) -> None:
    for source in files:
        if source.is_extension:
            continue
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            facts[source.key] = ModuleFacts(
                error=SourceError("SYN002", f"cannot read file: {exc.strerror or exc}", _FILE)
            )
            continue
        facts[source.key] = parse(data, is_package=source.is_package)


_FILE = _Span(1, 1, 1, 1)


def _diagnostic(finding: Finding) -> Diagnostic:
    rule = get_rule(finding.code)
    assert rule is not None, finding.code
    severity = Severity.WARNING if rule.severity is Severity.OFF else rule.severity
    span = finding.span
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=severity,
        message=finding.message,
        path=finding.path,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        fixable=rule.fix is FixKind.SAFE,
        related=finding.related,
    )


def _noqa_codes(code: str) -> tuple[str, ...]:
    rule = get_rule(code)
    return (code, *rule.ruff_codes) if rule is not None else (code,)


def check_tree(
    tree: Tree, facts: Mapping[str, ModuleFacts], options: CheckOptions
) -> list[Diagnostic]:
    """The engine over facts: run the rules, apply selection, per-file ignores and noqa."""
    project = Project(
        tree.files, facts, (f.module for f in tree.folders if f.module and f.parent_is_package)
    )
    selections = {id(c): _selection(c, options) for c in tree.configs}
    for source in tree.files:
        if id(source.config) not in selections:
            selections[id(source.config)] = _selection(source.config, options)
    enabled = frozenset(
        rule.code
        for rule in RULES
        if any(_enabled(rule.code, s.select, s.ignore) for s in selections.values())
    )
    by_rel: dict[str, tuple[Path, CheckConfig, ModuleFacts | None, bool]] = {}
    for source in tree.files:
        by_rel[source.rel] = (source.path, source.config, facts.get(source.key), source.selected)
    for folder in tree.folders:
        by_rel.setdefault(folder.rel, (folder.path, folder.config, None, folder.selected))
    noqa_cache: dict[str, ModuleFacts] = {}
    for config in tree.configs:
        if config.pyproject is not None and config.directory.is_relative_to(tree.base):
            rel = tree.rel(config.pyproject)
            try:
                text = config.pyproject.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            noqa_cache[rel] = ModuleFacts(noqa=scan_noqa(text))
            by_rel[rel] = (config.pyproject, config, noqa_cache[rel], True)
    result: list[Diagnostic] = []
    # Star-import chains and import chains are followed recursively; real trees stay far
    # below this, and anything deeper becomes a note (rules.run_rules), not a crash.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        findings = list(run_rules(tree, project, enabled))
    finally:
        sys.setrecursionlimit(limit)
    for finding in findings:
        entry = by_rel.get(finding.path)
        if entry is None:
            continue
        path, config, file_facts, selected = entry
        if not selected:
            continue
        if not selections[id(config)].allows(finding.code, path):
            continue
        span = finding.span
        first = finding.statement_line or span.line
        if file_facts is not None and any(
            file_facts.suppressed(code, span.line, span.end_line)
            or file_facts.suppressed(code, first, first)
            for code in _noqa_codes(finding.code)
        ):
            continue
        result.append(_diagnostic(finding))
    return result


def _rebase(diagnostic: Diagnostic, prefix: str) -> Diagnostic:
    if not prefix:
        return diagnostic
    related = tuple(
        Related(_join(prefix, r.path), r.line, r.column, r.message) for r in diagnostic.related
    )
    return Diagnostic(
        code=diagnostic.code,
        name=diagnostic.name,
        severity=diagnostic.severity,
        message=diagnostic.message,
        path=_join(prefix, diagnostic.path),
        line=diagnostic.line,
        column=diagnostic.column,
        end_line=diagnostic.end_line,
        end_column=diagnostic.end_column,
        fixable=diagnostic.fixable,
        related=related,
    )


def _join(prefix: str, path: str) -> str:
    return os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")


def run_check(options: CheckOptions) -> CheckReport:
    """Check every path of `options` and return the sorted findings."""
    options = dataclasses.replace(
        options,
        select=None if options.select is None else validate_codes(options.select, "select"),
        ignore=None if options.ignore is None else validate_codes(options.ignore, "ignore"),
    )
    paths = [Path(os.path.abspath(p)) for p in options.paths] or [Path(os.path.abspath("."))]
    for path in paths:
        if not path.exists():
            raise UsageError(f"path does not exist: {path}")
    bases = [p if p.is_dir() else p.parent for p in paths]
    common = Path(os.path.commonpath([str(b) for b in bases]))
    diagnostics: dict[tuple[object, ...], Diagnostic] = {}
    notes: list[str] = []
    files: set[Path] = set()
    for path, base in zip(paths, bases, strict=True):
        tree = discover(path)
        facts = read_facts(tree.files)
        files.update(
            f.path for f in tree.files if f.selected and not f.is_stub and not f.is_extension
        )
        prefix = os.path.relpath(base, common) if base != common else ""
        prefix = "" if prefix == "." else prefix
        for diagnostic in check_tree(tree, facts, options):
            rebased = _rebase(diagnostic, prefix)
            diagnostics.setdefault((*rebased.sort_key(), rebased.end_line), rebased)
        notes.extend(tree.notes)
    ordered = tuple(sorted(diagnostics.values(), key=Diagnostic.sort_key))
    return CheckReport(
        diagnostics=ordered,
        files=len(files),
        root=str(common),
        notes=tuple(dict.fromkeys(notes)),
    )
