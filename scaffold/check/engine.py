"""Run a check: discover, parse each file once, resolve, run the rules, filter, sort."""

from __future__ import annotations

import dataclasses
import enum
import marshal
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.cache import FactsCache, LazyFacts, decode_value, encode_facts, encode_value
from scaffold.check.discover import SourceFile, Tree, discover
from scaffold.check.imports.simulation import Simulation
from scaffold.check.incremental import NOTHING, Reuse, Stored, dump, plan
from scaffold.check.model import CheckReport, Diagnostic, ModuleFacts, Related
from scaffold.check.parse import parse_source
from scaffold.check.pool import (
    ParseJob,
    parse_jobs,
    plan_workers,
    start_in_fork,
    without_cyclic_gc,
)
from scaffold.check.project import Project
from scaffold.check.rules import Analysis, analyse
from scaffold.check.select import Selection, validate_codes
from scaffold.errors import UsageError

__all__ = [
    "CheckOptions",
    "OutputFormat",
    "check_tree",
    "read_facts",
    "run_check",
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
    use_cache: bool = True  # read and write `.scaffold_cache/` (False: --no-cache)
    workers: int | None = None  # parsing processes; None sizes the pool to the work


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


def check_tree(
    tree: Tree, facts: Mapping[str, ModuleFacts], options: CheckOptions
) -> list[Diagnostic]:
    """The engine over facts: run the rules, apply selection, per-file ignores and noqa."""
    return _diagnose(tree, facts, options, NOTHING)[0]


def _diagnose(
    tree: Tree, facts: Mapping[str, ModuleFacts], options: CheckOptions, reuse: Reuse
) -> tuple[list[Diagnostic], Analysis]:
    project = Project.of(tree, facts)
    selection = Selection(tree, options.select, options.ignore)
    enabled = selection.enabled
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
    return selection.diagnostics(analysis.findings, facts), analysis


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
