"""A cached check after edits must report exactly what a check from scratch reports.

The cache may reuse whatever it likes between runs (facts, the last report, and later
per-file findings and the IMP003 import simulation); these tests edit a tree step by step,
run the cached check after every step and compare it with a `--no-cache` run of the same
tree. Files changed by an edit get an explicit, never repeated mtime, so the stat index
always notices the change and a failure here is about what the cache reuses, not timing.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from scaffold.check import CheckOptions, CheckReport, run_check
from scaffold.check.incremental.store import CACHE_DIR

# Every rule, including the ones that are off by default.
SELECT = ("ALL", "EXP007")
PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n'
PACKAGES = ("p", "q")
STEMS = ("a", "b", "c", "d")
NAMES = ("N0", "N1", "N2", "_h")
NOQA = ("IMP002", "IMP003", "IMP004", "IMP006", "EXP001", "IMP001", "F401", "F403", "")
# The codes the random trees are built to produce; the sanity test checks they do.
INTERESTING = frozenset({"IMP002", "IMP003", "IMP004", "IMP006", "EXP001"})
BROKEN = "def broken(:\n"

# Never-repeated mtimes an hour in the past: far enough to be trusted (not "racy") by the
# cache, and distinct for every write, so even a same-size edit changes the stat.
_MTIMES = itertools.count(time.time_ns() - 3_600_000_000_000, 1_000_000)


T = TypeVar("T")


class Draw(Protocol):
    """`draw` of a composite strategy or `st.data()`: edits are drawn by either."""

    def __call__(self, strategy: st.SearchStrategy[T], /) -> T: ...


def _check(root: Path, use_cache: bool) -> CheckReport:
    return run_check(CheckOptions(paths=(root,), select=SELECT, use_cache=use_cache))


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    stamp = next(_MTIMES)
    os.utime(path, ns=(stamp, stamp))


def _show(report: CheckReport) -> list[str]:
    return [
        f"{d.code} {d.path}:{d.line}:{d.column}-{d.end_line}:{d.end_column} {d.message}"
        f" {[(r.path, r.line, r.column, r.message) for r in d.related]}"
        for d in report.diagnostics
    ]


@dataclass
class Project:
    """A tree of modules, each a list of statements (a statement may span lines)."""

    modules: dict[str, list[str]]
    broken: set[str] = field(default_factory=set)

    def render(self) -> dict[str, str]:
        files = {"pyproject.toml": PYPROJECT}
        for rel, statements in self.modules.items():
            body = "".join(s + "\n" for s in statements)
            files[rel] = body + BROKEN if rel in self.broken else body
        return files

    def packages(self) -> list[str]:
        return sorted({rel.split("/")[0] for rel in self.modules})


def _rel(package: str, stem: str) -> str:
    return f"{package}/{stem}.py"


def _sync(root: Path, before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Make the files under `root` go from `before` to `after`, touching only changes."""
    for rel in before.keys() - after.keys():
        (root / rel).unlink()
    for rel, content in after.items():
        if before.get(rel) != content:
            _write(root / rel, content)


@st.composite
def statement(draw: st.DrawFn, package: str, packages: list[str]) -> str:
    """One module-level statement of `package`, mostly imports between first-party modules."""
    other = draw(st.sampled_from(packages))
    stem = draw(st.sampled_from(STEMS))
    name = draw(st.sampled_from(NAMES))
    k = draw(st.integers(0, 9))
    choices = [
        f"from {other}.{stem} import {name}",
        f"from .{stem} import {name}",
        f"import {other}.{stem}",
        f"from . import {stem}",
        f"from {other} import {stem}",
        f"from {other} import {name}",
        f"from {stem} import {name}",
        f"import {stem}",
        f"from {other}.{stem} import *",
        f"from .{stem} import *",
        f"__all__ = {draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))!r}",
        f"from . import {stem}\n__all__ += {stem}.__all__",
        f"import {other}.{stem}\nV{k} = {other}.{stem}.{name}",
        f"from {other} import {stem}\nW{k} = {stem}.{name}",
        f"from {package} import {stem}\nW{k} = {stem}.{name}",
        f"{name} = {k}",
        f"def {name}():\n    return {k}",
        f"class {name}:\n    pass",
    ]
    return draw(st.sampled_from(choices))


@st.composite
def module_body(draw: st.DrawFn, package: str, packages: list[str]) -> list[str]:
    body = draw(st.lists(statement(package, packages), min_size=1, max_size=5))
    # Most names get bound somewhere, often after the imports that loop back for them.
    defined = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    return body + [f"{name} = {index}" for index, name in enumerate(defined)]


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """3 to 8 modules in p (always) and q (sometimes), importing each other at random."""
    packages = list(PACKAGES) if draw(st.booleans()) else [PACKAGES[0]]
    modules: dict[str, list[str]] = {}
    for package in packages:
        least = 1 if len(packages) > 1 else 2
        stems = draw(st.lists(st.sampled_from(STEMS), min_size=least, max_size=3, unique=True))
        for stem in ["__init__", *sorted(stems)]:
            modules[_rel(package, stem)] = draw(module_body(package, packages))
    return Project(modules)


def _pick_module(draw: Draw, project: Project) -> str:
    return draw(st.sampled_from(sorted(project.modules)))


def _statement_at(body: list[str], line: int) -> tuple[int, int] | None:
    """(statement index, line within it) of 1-based `line` of a rendered module."""
    first = 1
    for index, statement in enumerate(body):
        count = statement.count("\n") + 1
        if first <= line < first + count:
            return index, line - first
        first += count
    return None


def _noqa_on_finding(draw: Draw, project: Project, report: CheckReport) -> str | None:
    """`# noqa: CODE` (or a bare one, or another code) on the line of a current finding."""
    options = [d for d in report.diagnostics if d.path in project.modules]
    if not options:
        return None
    finding = draw(st.sampled_from(options))
    where = _statement_at(project.modules[finding.path], finding.line)
    if where is None:
        return None
    index, offset = where
    code = draw(st.sampled_from([finding.code, finding.code, "", "EXP004"]))
    comment = f"# noqa: {code}" if code else "# noqa"
    lines = project.modules[finding.path][index].split("\n")
    lines[offset] += f"  {comment}"
    project.modules[finding.path][index] = "\n".join(lines)
    return f"{finding.path}: {comment} on line {finding.line} ({finding.code})"


def _satisfy_import(draw: Draw, project: Project) -> str | None:
    """Bind, in the module it names, a name some `from x.y import name` asks for."""
    wanted: list[tuple[str, str]] = []
    for importer, body in sorted(project.modules.items()):
        for statement in body:
            for m in re.finditer(r"^from (\w*)(\.?)(\w*) import (N\d|_h)", statement, re.M):
                package = m[1] or importer.split("/")[0]
                wanted.append((_rel(package, m[3] if m[2] else "__init__"), m[4]))
    wanted = [(rel, name) for rel, name in wanted if rel in project.modules]
    if not wanted:
        return None
    rel, name = draw(st.sampled_from(wanted))
    body = project.modules[rel]
    body.insert(draw(st.sampled_from([0, len(body)])), f"{name} = 0")
    return f"{rel}: bind {name}"


EDITS = (
    "append",
    "satisfy",
    "insert",
    "add-import",
    "remove",
    "all",
    "rename",
    "noqa",
    "noqa-finding",
    "syntax",
    "new-module",
    "delete-module",
)


def edit(draw: Draw, project: Project, report: CheckReport) -> str:
    """Change `project` in place with one random edit; returns a description of it.

    `report` is the project's current report, so some edits can aim at its findings.
    """
    rel = _pick_module(draw, project)
    body = project.modules[rel]
    package = rel.split("/")[0]
    kind = draw(st.sampled_from(EDITS))
    if kind == "append":
        name = draw(st.sampled_from(NAMES))
        body.append(f"{name} = {len(body)}")
        return f"{rel}: append {name}"
    if kind == "satisfy":
        done = _satisfy_import(draw, project)
        if done is not None:
            return done
    if kind in ("insert", "add-import"):
        if kind == "insert":
            new = draw(st.sampled_from(["import os", "\n", f"def f{len(body)}():\n    pass"]))
        else:
            new = draw(statement(package, project.packages()))
        where = draw(st.sampled_from([0, len(body) // 2, len(body)]))
        body.insert(where, new)
        return f"{rel}: insert {new!r} at {where}"
    if kind == "remove" and body:
        index = draw(st.integers(0, len(body) - 1))
        removed = body.pop(index)
        return f"{rel}: remove {removed!r}"
    if kind == "all":
        name = draw(st.sampled_from(NAMES))
        for index, line in enumerate(body):
            if line.startswith("__all__ = "):
                names: list[str] = ast.literal_eval(line.removeprefix("__all__ = "))
                if name in names:
                    names.remove(name)
                else:
                    names.append(name)
                body[index] = f"__all__ = {names!r}"
                return f"{rel}: __all__ toggles {name}"
        body.append(f"__all__ = [{name!r}]")
        return f"{rel}: new __all__ with {name}"
    if kind == "rename":
        bound = [i for i, s in enumerate(body) if re.search(r"\b(N\d|_h)\b", s)]
        if bound:
            index = draw(st.sampled_from(bound))
            old = draw(st.sampled_from(re.findall(r"\b(N\d|_h)\b", body[index])))
            new_name = draw(st.sampled_from([n for n in NAMES if n != old]))
            body[index] = re.sub(rf"\b{old}\b", new_name, body[index])
            return f"{rel}: rename {old} to {new_name} in statement {index}"
    if kind == "noqa" and body:
        index = draw(st.integers(0, len(body) - 1))
        code = draw(st.sampled_from(NOQA))
        first, *rest = body[index].split("\n")
        comment = f"# noqa: {code}" if code else "# noqa"
        body[index] = "\n".join([f"{first}  {comment}", *rest])
        return f"{rel}: {comment} on statement {index}"
    if kind == "noqa-finding":
        done = _noqa_on_finding(draw, project, report)
        if done is not None:
            return done
    if kind == "syntax":
        project.broken ^= {rel}
        return f"{rel}: {'broken' if rel in project.broken else 'repaired'}"
    if kind == "new-module":
        packages = project.packages()
        target = _rel(draw(st.sampled_from(packages)), draw(st.sampled_from(STEMS)))
        if target not in project.modules:
            new_package = target.split("/")[0]
            project.modules[target] = draw(module_body(new_package, packages))
            return f"{target}: created"
    if kind == "delete-module" and len(project.modules) > 1:
        del project.modules[rel]
        project.broken.discard(rel)
        return f"{rel}: deleted"
    body.append(f"N0 = {len(body)}")
    return f"{rel}: append N0 (fallback for {kind})"


def _assert_same(root: Path, history: list[str]) -> CheckReport:
    """The cached report (first run and a repeat) equals the uncached one; returns it."""
    fresh = _check(root, use_cache=False)
    cached = _check(root, use_cache=True)
    assert _show(cached) == _show(fresh), history
    assert cached == fresh, history
    assert _check(root, use_cache=True) == fresh, history
    return fresh


class _TempTree:
    """A fresh folder per hypothesis example (pytest's tmp_path is one per test)."""

    def __enter__(self) -> Path:
        self.root = Path(tempfile.mkdtemp(prefix="scaffold-incr-"))
        return self.root

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(projects(), st.data())
def test_cached_check_after_edits_equals_a_fresh_check(
    project: Project, data: st.DataObject
) -> None:
    with _TempTree() as root:
        files = project.render()
        _sync(root, {}, files)
        history = [f"start: {files}"]
        report = _assert_same(root, history)
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            history.append(edit(data.draw, project, report))
            after = project.render()
            _sync(root, files, after)
            files = after
            history.append(f"now: {files}")
            report = _assert_same(root, history)
        # A cold cache (rebuilt from nothing) agrees too.
        shutil.rmtree(root / CACHE_DIR)
        assert _check(root, use_cache=True) == _check(root, use_cache=False), history


def _codes(project: Project) -> set[str]:
    with _TempTree() as root:
        _sync(root, {}, project.render())
        return {d.code for d in _check(root, use_cache=False).diagnostics}


def test_random_trees_produce_the_interesting_findings() -> None:
    seen: Counter[str] = Counter()
    rich: list[bool] = []

    @seed(20240601)
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(projects())
    def sample(project: Project) -> None:
        codes = _codes(project)
        seen.update(codes)
        rich.append(bool(codes & INTERESTING))

    sample()
    assert seen.keys() >= INTERESTING, seen
    # Most trees are worth editing: they have at least one finding an edit could flip.
    assert sum(rich) >= len(rich) // 2, (sum(rich), len(rich), seen)


# Deterministic scenarios: an edit in one file changes findings in another, unchanged one.


def _steps(root: Path, states: list[dict[str, str]]) -> Iterator[CheckReport]:
    """Write each state in turn (files missing from a later state are deleted); yield the
    report after each, checked to be the same cached, repeated and from scratch."""
    files: dict[str, str] = {}
    for index, state in enumerate(states):
        state = {"pyproject.toml": PYPROJECT, **state}
        _sync(root, files, state)
        files = state
        yield _assert_same(root, [f"step {index}: {state}"])


def _where(report: CheckReport, code: str) -> list[tuple[str, int]]:
    return [(d.path, d.line) for d in report.diagnostics if d.code == code]


def test_binding_a_name_fixes_an_import_of_it_in_another_file(tmp_path: Path) -> None:
    importer = "from p.a import N0\n"
    states = [
        {"p/__init__.py": "", "p/a.py": "X = 1\n", "p/b.py": importer},
        {"p/__init__.py": "", "p/a.py": "X = 1\nN0 = 2\n", "p/b.py": importer},
    ]
    first, second = _steps(tmp_path, states)
    assert _where(first, "IMP006") == [("p/b.py", 1)]
    assert _where(second, "IMP006") == []


def test_unbinding_a_name_breaks_an_unchanged_import_of_it(tmp_path: Path) -> None:
    importer = '"""Uses a."""\n\nfrom p.a import N0, N1\n'
    states = [
        {"p/__init__.py": "", "p/a.py": "N0 = 1\nN1 = 2\n", "p/b.py": importer},
        {"p/__init__.py": "", "p/a.py": "N1 = 2\n", "p/b.py": importer},
        {"p/__init__.py": "", "p/a.py": "N1 = 2\n\n\nN0 = 1\n", "p/b.py": importer},
    ]
    reports = list(_steps(tmp_path, states))
    assert [_where(r, "IMP006") for r in reports] == [[], [("p/b.py", 3)], []]


def test_moving_a_binding_across_an_import_loop_flips_imp003(tmp_path: Path) -> None:
    late = "import p.b\n\nx = 1\n"
    early = "x = 1\nimport p.b\n"
    reader = "from p import a\nY = a.x\n"
    shifted = '"""Reads a."""\n\n' + reader
    states = [
        {"p/__init__.py": "", "p/a.py": late, "p/b.py": reader},
        {"p/__init__.py": "", "p/a.py": early, "p/b.py": reader},
        {"p/__init__.py": "", "p/a.py": early, "p/b.py": shifted},
        {"p/__init__.py": "", "p/a.py": late, "p/b.py": shifted},
        # Only a.py changes: its import moves down two lines. The finding in b.py stays
        # put, but its related location in a.py must follow.
        {"p/__init__.py": "", "p/a.py": '"""A."""\n\n' + late, "p/b.py": shifted},
    ]
    reports = list(_steps(tmp_path, states))
    assert [_where(r, "IMP003") for r in reports] == [
        [("p/b.py", 2)],
        [],
        [],
        [("p/b.py", 4)],
        [("p/b.py", 4)],
    ]
    assert all(_where(r, "IMP002") for r in reports)
    related = [
        [(r.path, r.line) for d in report.diagnostics if d.code == "IMP003" for r in d.related]
        for report in reports[3:]
    ]
    assert related == [[("p/a.py", 1)], [("p/a.py", 3)]]


def test_a_name_added_at_the_end_of_a_star_chain_satisfies_all(tmp_path: Path) -> None:
    top = {"s/__init__.py": "", "s/a.py": 'from s.b import *\n__all__ = ["N"]\n'}
    middle = {"s/b.py": "from s.c import *\n"}
    states = [
        {**top, **middle, "s/c.py": "M = 1\n"},
        {**top, **middle, "s/c.py": "M = 1\nN = 2\n"},
        {**top, **middle, "s/c.py": "M = 1\n_N = 2\n"},
        {**top, "s/b.py": "from s.c import *\nN = 3\n", "s/c.py": "M = 1\n"},
    ]
    reports = list(_steps(tmp_path, states))
    assert [_where(r, "EXP001") for r in reports] == [[("s/a.py", 2)], [], [("s/a.py", 2)], []]
