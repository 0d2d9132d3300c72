"""Which findings a run reports: select, ignore, per-file ignores and noqa comments; and
each reported Finding made a Diagnostic."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.config import CheckConfig
from scaffold.check.discover import Tree
from scaffold.check.facts import scan_noqa
from scaffold.check.model import Diagnostic, Finding, ModuleFacts, Severity, Span
from scaffold.check.rules import RULES, FixKind, get_rule
from scaffold.check.rules.suppression.unused_noqa import RULE as UNUSED_NOQA
from scaffold.check.rules.suppression.unused_noqa import unused_directives
from scaffold.errors import UsageError

if TYPE_CHECKING:
    import pathspec

__all__ = ["Selection", "unknown_noqa_codes", "validate_codes"]


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
        # A rule that is off by default runs only when named by its exact code or by ALL
        # (ruff's ALL is every rule).
        on = (
            code in select
            or "ALL" in select
            or (default_on and any(code.startswith(s) for s in select))
        )
    return on and not any(code.startswith(i) for i in ignore)


@dataclass(frozen=True)
class _ConfigSelection:
    """The codes one configuration (one pyproject.toml) reports, and where."""

    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    # Each pattern with gitignore semantics, as `exclude` and .gitignore files are read.
    per_file: tuple[tuple[pathspec.GitIgnoreSpec, tuple[str, ...]], ...]
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
        for spec, codes in self.per_file:
            if spec.match_file(rel) and any(code.startswith(c) or c == "ALL" for c in codes):
                return False
        return True


def _config_selection(
    config: CheckConfig,
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
    extend_select: tuple[str, ...] = (),
) -> _ConfigSelection:
    """As ruff: a command-line `select` replaces the configuration's; `extend-select` (the
    configuration's, then the command line's) adds to it; every ignore adds up."""
    where = str(config.pyproject or "the configuration")
    if select is None and config.select is not None:
        select = validate_codes(config.select, where)
    extra = (*validate_codes(config.extend_select, where), *extend_select)
    if extra:
        base = (
            select
            if select is not None
            else tuple(r.code for r in RULES if r.severity is not Severity.OFF)
        )
        select = (*base, *extra)
    ignores = (
        *validate_codes(config.ignore, where),
        *validate_codes(config.extend_ignore, where),
        *(ignore or ()),
    )
    per_file: tuple[tuple[pathspec.GitIgnoreSpec, tuple[str, ...]], ...] = ()
    if config.per_file_ignores:
        # Imported with the first pattern: pathspec costs a run without any ~10 ms.
        import pathspec

        per_file = tuple(
            (pathspec.GitIgnoreSpec.from_lines([p]), validate_codes(c, where))
            for p, c in config.per_file_ignores
        )
    return _ConfigSelection(select, ignores, per_file, config.directory)


class Selection:
    """What one tree reports: each configuration's selection, and which rules must run."""

    def __init__(
        self,
        tree: Tree,
        select: tuple[str, ...] | None,
        ignore: tuple[str, ...] | None,
        extend_select: tuple[str, ...] = (),
    ) -> None:
        """`select`/`ignore`/`extend_select` are the validated command-line codes (`select`
        None: the configuration's)."""
        self.tree = tree
        choose = (select, ignore, extend_select)
        self._by_config = {id(c): _config_selection(c, *choose) for c in tree.configs}
        for source in tree.files:
            if id(source.config) not in self._by_config:
                self._by_config[id(source.config)] = _config_selection(source.config, *choose)
        #: Every rule some configuration reports; the others need not run.
        self.enabled = frozenset(
            rule.code
            for rule in RULES
            if any(_enabled(rule.code, s.select, s.ignore) for s in self._by_config.values())
        )
        self._reports_unused_noqa = UNUSED_NOQA.code in self.enabled

    def diagnostics(
        self, findings: Iterable[Finding], facts: Mapping[str, ModuleFacts]
    ) -> list[Diagnostic]:
        """The findings this tree reports, as diagnostics: selected, not ignored, no noqa."""
        tree = self.tree
        # Where each finding's file is, and whose noqa comments apply (facts are looked up only
        # for files with findings: a run that reuses most results decodes few facts).
        # A file's path as a string (its Path only for a file with findings).
        by_rel: dict[str, tuple[Path | str, CheckConfig, str | None, bool]] = {}
        for source in tree.files:
            by_rel[source.rel] = (source.file, source.config, source.key, source.selected)
        for folder in tree.folders:
            by_rel.setdefault(folder.rel, (folder.directory, folder.config, None, folder.selected))
        noqa_cache: dict[str, ModuleFacts] = {}
        for config in tree.configs:
            if config.pyproject is not None and config.directory.is_relative_to(tree.base):
                rel = tree.rel(config.pyproject)
                noqa_cache[rel] = ModuleFacts(noqa=scan_noqa(config.text))
                by_rel[rel] = (config.pyproject, config, None, True)
        # With named files, a finding elsewhere that points into one (the import in a.py of
        # the cycle b.py closes) is theirs too.
        named = {rel for rel, entry in by_rel.items() if entry[3]}
        result: list[Diagnostic] = []
        # Which noqa directives silenced what, by file: for the unused-noqa rule.
        used: dict[str, set[tuple[int, str | None]]] = {}
        for finding in findings:
            entry = by_rel.get(finding.path)
            if entry is None:
                continue
            path, config, key, selected = entry
            if not selected and not any(r.path in named for r in finding.related):
                continue
            if not self._by_config[id(config)].allows(finding.code, Path(path)):
                continue
            file_facts = facts.get(key) if key is not None else noqa_cache.get(finding.path)
            if file_facts is None or not _suppressed(finding, file_facts):
                result.append(_diagnostic(finding))
            elif self._reports_unused_noqa:
                used.setdefault(finding.path, set()).update(_silencers(finding, file_facts))
            if self._reports_unused_noqa and finding.code in _SILENCED_PER_IMPORT:
                _mark_related(finding, by_rel, facts, used)
        if self._reports_unused_noqa:
            result.extend(_diagnostic(f) for f in self._unused_noqa(facts, used))
        return result

    def _unused_noqa(
        self, facts: Mapping[str, ModuleFacts], used: Mapping[str, set[tuple[int, str | None]]]
    ) -> list[Finding]:
        """SUP001's findings: each reported file's noqa directives that silenced nothing.

        Every such file's facts are looked up (the rule is opt-in: without it, a run decodes
        only the facts of files with findings)."""
        found: list[Finding] = []
        for source in self.tree.files:
            selection = self._by_config[id(source.config)]
            if not source.selected or not selection.allows(UNUSED_NOQA.code, source.path):
                continue
            file_facts = facts.get(source.key)
            if file_facts is None or not file_facts.noqa_directives:
                continue
            judged = partial(_verdict, selection)
            directives = file_facts.noqa_directives
            found.extend(
                unused_directives(source.rel, directives, used.get(source.rel, ()), judged)
            )
        return found


def _suppressed(finding: Finding, facts: ModuleFacts) -> bool:
    """Whether a noqa comment on the finding's lines (or its statement's first) names it."""
    span = finding.span
    first = finding.statement_line or span.line
    return any(
        facts.suppressed(code, span.line, span.end_line) or facts.suppressed(code, first, first)
        for code in _noqa_codes(finding.code)
    )


def _silencers(finding: Finding, facts: ModuleFacts) -> set[tuple[int, str | None]]:
    """(directive index, code) for each noqa directive of the file that silences the
    finding, and (index, None): any directive covering one of its lines that names its code
    (or one of its ruff codes), or names none. Every one of them counts as used, not only
    the first, so that removing an unused one never uncovers a finding."""
    span = finding.span
    lines = {span.line, span.end_line, finding.statement_line or span.line}
    codes = _noqa_codes(finding.code)
    found: set[tuple[int, str | None]] = set()
    for index, directive in enumerate(facts.noqa_directives):
        if not any(directive.line <= line <= directive.end_line for line in lines):
            continue
        if directive.codes is None:
            found.add((index, None))
            continue
        named = [code for code in codes if code in directive.codes]
        if named:
            found.add((index, None))
            found.update((index, code) for code in named)
    return found


# Rules that read noqa comments themselves: a noqa on one import of a cycle moves IMP002 to
# the loop's next import, so the comment is used though no finding was silenced on its line.
_SILENCED_PER_IMPORT = frozenset({"IMP002"})


def _mark_related(
    finding: Finding,
    by_rel: Mapping[str, tuple[Path | str, CheckConfig, str | None, bool]],
    facts: Mapping[str, ModuleFacts],
    used: dict[str, set[tuple[int, str | None]]],
) -> None:
    """Count as used the noqa directives on the finding's related lines that name its code
    (every import of the loop a cycle reports)."""
    for related in finding.related:
        entry = by_rel.get(related.path)
        key = entry[2] if entry is not None else None
        file_facts = facts.get(key) if key is not None else None
        if file_facts is None or not file_facts.noqa_directives:
            continue
        span = Span(related.line, related.column, related.line, related.column)
        on_line = Finding(finding.code, related.path, span)
        used.setdefault(related.path, set()).update(_silencers(on_line, file_facts))


def _verdict(selection: _ConfigSelection, code: str) -> str | None:
    """What a noqa code that silenced nothing is to SUP001: "unused" when its rule ran with
    this configuration, "unknown" when it has a scaffold family's letters and no rule or
    ruff code has it, None when it is not scaffold's to judge (another tool's code, a ruff
    code, a rule not selected here, a rule with no static check such as RUN001)."""
    rule = get_rule(code)
    if rule is not None and rule.code == code:
        return (
            "unused" if rule.checks and _enabled(code, selection.select, selection.ignore) else None
        )
    if rule is None and unknown_noqa_codes([(0, frozenset({code}))]):
        return "unknown"
    return None


def _noqa_codes(code: str) -> tuple[str, ...]:
    rule = get_rule(code)
    return (code, *rule.ruff_codes) if rule is not None else (code,)


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


# The letters of scaffold's own codes (EXP, IMP, ...). A noqa code with other letters belongs
# to another tool sharing the comment (E501 beside EXP002) and is none of scaffold's business.
_FAMILY = re.compile(r"[A-Z]+")


def unknown_noqa_codes(
    noqa: Iterable[tuple[int, frozenset[str] | None]],
) -> list[tuple[int, str, str | None]]:
    """(line, code, nearest known code or None) for each code of a noqa comment that has a
    scaffold family's letters but is no scaffold rule's code nor one of their ruff aliases."""
    known, families = _known_codes()
    result: list[tuple[int, str, str | None]] = []
    for line, codes in noqa:
        for code in sorted(codes or ()):
            if code in known or _letters(code) not in families:
                continue
            import difflib  # for an unknown code only: most runs meet none

            own = sorted(rule.code for rule in RULES)
            nearest = difflib.get_close_matches(code, own, n=1, cutoff=0.0)
            result.append((line, code, nearest[0] if nearest else None))
    return result


@cache  # asked once per file of a run: built once (~16 ms of a cold run on sympy otherwise)
def _known_codes() -> tuple[frozenset[str], frozenset[str]]:
    """Every rule's code and ruff alias, and the letters of scaffold's code families."""
    known = {rule.code for rule in RULES} | {alias for rule in RULES for alias in rule.ruff_codes}
    return frozenset(known), frozenset(_letters(rule.code) for rule in RULES)


def _letters(code: str) -> str:
    match = _FAMILY.match(code)
    return match.group() if match else ""
