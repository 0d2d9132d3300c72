"""Run a check: discover, parse each file once, resolve, run the rules, filter, sort."""

from __future__ import annotations

import dataclasses
import fnmatch
import marshal
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.cache import FactsCache, LazyFacts, decode_value, encode_facts, encode_value
from scaffold.check.config import CheckConfig
from scaffold.check.facts import parse_source, scan_noqa
from scaffold.check.graph import Simulation
from scaffold.check.incremental import NOTHING, Reuse, Stored, dump, plan
from scaffold.check.model import CheckReport, Diagnostic, Finding, ModuleFacts, Related, Severity
from scaffold.check.pool import (
    ParseJob,
    parse_jobs,
    plan_workers,
    start_in_fork,
    without_cyclic_gc,
)
from scaffold.check.resolve import Project
from scaffold.check.rules import RULES, Analysis, FixKind, analyse, get_rule
from scaffold.check.tree import SourceFile, Tree, discover
from scaffold.errors import UsageError

__all__ = [
    "CheckOptions",
    "check_tree",
    "read_facts",
    "run_check",
    "validate_codes",
]


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how; `select`/`ignore` given here override the pyproject's."""

    paths: tuple[str | Path, ...] = (".",)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    use_cache: bool = True  # read and write `.scaffold_cache/` (False: --no-cache)
    workers: int | None = None  # parsing processes; None sizes the pool to the work


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
    *,
    cache: FactsCache | None = None,
    workers: int | None = None,
    known: Mapping[str, ModuleFacts] | None = None,
) -> dict[str, ModuleFacts]:
    """Facts of every file: from `cache` when its stat is unchanged, else read and parsed once.

    Parsing runs in `workers` processes (None: as many as pay for the amount of source, see
    `plan_workers`; 0: in this process). Files keyed in `known` take their facts from it.
    """
    files = list(files)
    facts: dict[str, ModuleFacts] = dict(known or {})
    with without_cyclic_gc():
        _read_into(facts, files, parse, cache, workers)
    # Workers answer in no set order; the tree's order keeps every later step deterministic.
    return {source.key: facts[source.key] for source in files if source.key in facts}


def _read_into(
    facts: dict[str, ModuleFacts],
    files: Iterable[SourceFile],
    parse: Callable[..., ModuleFacts],
    cache: FactsCache | None,
    workers: int | None,
) -> None:
    jobs: list[ParseJob] = []
    pending: dict[str, tuple[SourceFile, tuple[int, int] | None]] = {}
    for source in files:
        if source.is_extension or source.key in facts:
            continue
        cached = cache.facts(source) if cache is not None else None
        if cached is not None:
            facts[source.key] = cached
            continue
        stat = cache.stat(source) if cache is not None else None
        size = stat[0] if stat is not None else _size(source.path)
        jobs.append(ParseJob(source.key, str(source.path), source.is_package, size))
        pending[source.key] = (source, stat)
    if workers is None:
        workers = plan_workers(sum(job.size for job in jobs))
    for parsed in parse_jobs(jobs, workers, parse):
        source, stat = pending[parsed.key]
        facts[parsed.key] = parsed.decoded()
        if cache is not None and stat is not None and parsed.digest is not None:
            encoded = parsed.encoded or encode_facts(facts[parsed.key])
            cache.store(source, parsed.digest, encoded, stat)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _diagnostic(finding: Finding) -> Diagnostic:
    rule = get_rule(finding.code)
    assert rule is not None, finding.code
    severity = Severity.WARNING if rule.severity is Severity.OFF else rule.severity
    span = finding.span
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=severity,
        message=rule.render(dict(finding.args)),
        path=finding.path,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        fixable=rule.fix is FixKind.SAFE,
        related=finding.related,
        args=finding.args,
    )


def _noqa_codes(code: str) -> tuple[str, ...]:
    rule = get_rule(code)
    return (code, *rule.ruff_codes) if rule is not None else (code,)


def check_tree(
    tree: Tree, facts: Mapping[str, ModuleFacts], options: CheckOptions
) -> list[Diagnostic]:
    """The engine over facts: run the rules, apply selection, per-file ignores and noqa."""
    return _diagnose(tree, facts, options, NOTHING)[0]


def _diagnose(
    tree: Tree, facts: Mapping[str, ModuleFacts], options: CheckOptions, reuse: Reuse
) -> tuple[list[Diagnostic], Analysis]:
    project = Project.of(tree, facts)
    selections = {id(c): _selection(c, options) for c in tree.configs}
    for source in tree.files:
        if id(source.config) not in selections:
            selections[id(source.config)] = _selection(source.config, options)
    enabled = frozenset(
        rule.code
        for rule in RULES
        if any(_enabled(rule.code, s.select, s.ignore) for s in selections.values())
    )
    # Where each finding's file is, and whose noqa comments apply (facts are looked up only
    # for files with findings: a run that reuses most results decodes few facts).
    by_rel: dict[str, tuple[Path, CheckConfig, str | None, bool]] = {}
    for source in tree.files:
        by_rel[source.rel] = (source.path, source.config, source.key, source.selected)
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
            by_rel[rel] = (config.pyproject, config, None, True)
    result: list[Diagnostic] = []
    # Star-import chains and import chains are followed recursively; real trees stay far
    # below this, and anything deeper becomes a note (rules.analyse), not a crash.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        # A whole simulation of a large tree runs in a forked child meanwhile.
        whole = not reuse.import_time.runs and len(tree.files) >= _FORK_MIN_FILES
        analysis = analyse(
            tree,
            project,
            enabled,
            known=reuse.files,
            changed=reuse.seen,
            import_time=reuse.import_time,
            background=_in_fork if whole else None,
        )
    finally:
        sys.setrecursionlimit(limit)
    for finding in analysis.findings:
        entry = by_rel.get(finding.path)
        if entry is None:
            continue
        path, config, key, selected = entry
        if not selected:
            continue
        if not selections[id(config)].allows(finding.code, path):
            continue
        file_facts = facts.get(key) if key is not None else noqa_cache.get(finding.path)
        span = finding.span
        first = finding.statement_line or span.line
        if file_facts is not None and any(
            file_facts.suppressed(code, span.line, span.end_line)
            or file_facts.suppressed(code, first, first)
            for code in _noqa_codes(finding.code)
        ):
            continue
        result.append(_diagnostic(finding))
    return result, analysis


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
        args=diagnostic.args,
    )


def _join(prefix: str, path: str) -> str:
    return os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")


def _check_cached(tree: Tree, options: CheckOptions) -> list[Diagnostic]:
    """check_tree over cached facts and the last run's still valid results (incremental)."""
    if not options.use_cache:
        return check_tree(tree, read_facts(tree.files, workers=options.workers), options)
    cache = FactsCache.open(tree)
    # Only what changes findings is part of the key, not the output format.
    inputs = (options.select, options.ignore)
    report = cache.report(cache.report_key(tree, inputs))
    if report is None:
        # Parse what changed first: when its facts come out as before, so does the report,
        # and no cached facts need decoding.
        missing = [s for s in tree.files if not s.is_extension and cache.encoded(s) is None]
        fresh = read_facts(missing, cache=cache, workers=options.workers)
        key = cache.report_key(tree, inputs)
        report = cache.report(key)
        if report is None:
            facts = LazyFacts(cache, tree.files, fresh, _parse_one)
            structure = cache.structure_key(tree, inputs)
            digests = {source.key: cache.facts_digest(source) for source in tree.files}
            sources = {source.key: source for source in tree.files}
            stored = Stored.load(cache.analysis, structure)
            reuse = plan(stored, digests, facts, lambda k: cache.previous_encoded(sources[k]))
            report, analysis = _diagnose(tree, facts, options, reuse)
            cache.store_report(key, report)
            cache.store_analysis(dump(structure, digests, analysis, reuse))
    cache.save()
    return report


# Forking and reading back the result cost ~10 ms; simulating 500 modules takes ~50 ms.
_FORK_MIN_FILES = 500


def _in_fork(simulate: Callable[[], Simulation]) -> Callable[[], Simulation]:
    """Start `simulate` in a forked child; the result, or `simulate()` here if that fails."""
    join = start_in_fork(lambda: marshal.dumps(encode_value(simulate())))  # type: ignore[arg-type]

    def result() -> Simulation:
        data = join()
        if data is not None:
            try:
                simulation = decode_value(marshal.loads(data))
            except (EOFError, LookupError, TypeError, ValueError):
                simulation = None
            if isinstance(simulation, Simulation):
                return simulation
        return simulate()

    return result


def _parse_one(source: SourceFile) -> ModuleFacts:
    return read_facts([source], workers=0)[source.key]


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
        files.update(
            f.path for f in tree.files if f.selected and not f.is_stub and not f.is_extension
        )
        prefix = os.path.relpath(base, common) if base != common else ""
        prefix = "" if prefix == "." else prefix
        with without_cyclic_gc():
            checked = _check_cached(tree, options)
        for diagnostic in checked:
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
