"""The facts cache and the parsing pool change how fast a check is, never what it reports."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

import scaffold
import scaffold.check.incremental.run as engine
from scaffold.check import CheckOptions, ModuleFacts, parse_source, run_check
from scaffold.check.discover import SourceFile, discover
from scaffold.check.incremental.pool import plan_workers, read_facts
from scaffold.check.incremental.records import decode_facts, encode_facts
from scaffold.check.incremental.store import CACHE_DIR, FactsCache
from scaffold.check.model import Diagnostic
from scaffold.generate import GenerateRequest, generate
from scaffold.generate.answers import package_answers
from scaffold.templates import builtin_template

from .cache_layout import checksum, join, split
from .check_support import DEFAULT, FIXTURES, CountingParser

REPO = Path(__file__).resolve().parents[2]

Build = Callable[[Mapping[str, str | bytes]], Path]

PROJECT = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "demo/__init__.py": 'from .core import run\n\n__all__ = ["run", "missing"]\n',
    "demo/core.py": "from demo import helpers\n\n\ndef run() -> None:\n    helpers.go()\n",
    "demo/helpers.py": "import sys\n\nsys.path.insert(0, '.')\n\n\ndef go() -> None:\n    pass\n",
    "demo/broken.py": "def (:\n",
}


def _options(path: Path, **changes: object) -> CheckOptions:
    return CheckOptions(paths=(path,), select=DEFAULT, **changes)  # type: ignore[arg-type]


def _report(path: Path, **changes: object) -> tuple[tuple[Diagnostic, ...], int]:
    report = run_check(_options(path, **changes))
    return report.diagnostics, report.files


def _cache_files(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("check-*.bin"))


def _read_with_cache(root: Path, parser: CountingParser) -> dict[str, ModuleFacts]:
    tree = discover(root)
    cache = FactsCache.open(tree)
    facts = read_facts(tree.files, parser, cache=cache, workers=0)
    cache.save()
    return facts


def test_an_unchanged_file_is_not_parsed_again_and_a_changed_one_is(tree: Build) -> None:
    root = tree(PROJECT)
    first = CountingParser()
    cold = _read_with_cache(root, first)
    assert len(first.parsed) == 4
    warm = CountingParser()
    assert _read_with_cache(root, warm) == cold
    assert warm.parsed == []
    (root / "demo" / "core.py").write_text("def run() -> None:\n    pass\n", encoding="utf-8")
    changed = CountingParser()
    facts = _read_with_cache(root, changed)
    assert changed.parsed == [b"def run() -> None:\n    pass\n"]
    assert facts["demo.core"].imports == ()


def test_a_changed_file_changes_the_report(tree: Build) -> None:
    root = tree(PROJECT)
    before, _ = _report(root)
    assert "EXP001" in {d.code for d in before}
    (root / "demo" / "__init__.py").write_text(
        'from .core import run\n\n__all__ = ["run"]\n', encoding="utf-8"
    )
    after, _ = _report(root)
    assert "EXP001" not in {d.code for d in after}
    assert after == _report(root, use_cache=False)[0]


def test_an_edit_that_keeps_the_facts_keeps_the_report(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(PROJECT)
    before, _ = _report(root)
    core = root / "demo" / "core.py"
    core.write_text(core.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")

    def no_rules(*args: object, **kwargs: object) -> object:
        raise AssertionError("the rules ran again")

    with monkeypatch.context() as patch:
        patch.setattr(engine, "diagnose", no_rules)
        assert _report(root)[0] == before
    # An edit that changes the facts (a new import) runs the rules again.
    core.write_text("from demo import nope\n" + core.read_text(encoding="utf-8"), encoding="utf-8")
    after, _ = _report(root)
    assert after != before
    assert after == _report(root, use_cache=False)[0]


def test_equal_facts_encode_to_equal_bytes_in_every_process() -> None:
    # Frozensets iterate in per-process hash order; the report key needs stable bytes.
    code = (
        "import sys; from scaffold.check.incremental.records import encode_facts;"
        "from scaffold.check.facts import parse_source;"
        "sys.stdout.write(encode_facts(parse_source(b'a = b = c = d = e = 1\\nimport x, y, z\\n'))"
        ".hex())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_the_cache_folder_ignores_itself_for_git(tree: Build) -> None:
    root = tree(PROJECT)
    _report(root)
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert len(_cache_files(root)) == 1


def test_no_cache_writes_no_cache(tree: Build) -> None:
    root = tree(PROJECT)
    _report(root, use_cache=False)
    assert not (root / CACHE_DIR).exists()


def test_the_cache_lives_at_the_project_root(tree: Build) -> None:
    root = tree(PROJECT)
    _report(root / "demo")
    assert len(_cache_files(root)) == 1
    assert not (root / "demo" / CACHE_DIR).exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: b"garbage" * 50,
        lambda blob: blob[: len(blob) // 2],
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 0xFF]),
    ],
    ids=["empty", "garbage", "truncated", "flipped-byte"],
)
def test_a_corrupt_cache_file_is_a_miss(tree: Build, damage: Callable[[bytes], bytes]) -> None:
    root = tree(PROJECT)
    expected = _report(root, use_cache=False)
    _report(root)
    (cache_file,) = _cache_files(root)
    cache_file.write_bytes(damage(cache_file.read_bytes()))
    assert _report(root) == expected
    assert _report(root) == expected


def test_a_bad_entry_behind_a_valid_checksum_is_a_miss(tree: Build) -> None:
    root = tree(PROJECT)
    expected = _report(root, use_cache=False)
    _report(root)
    (cache_file,) = _cache_files(root)
    head, lead, front, back = split(cache_file.read_bytes())
    sample = marshal.loads(lead)[0]
    entries, _ = marshal.loads(back)
    back = marshal.dumps(({key: b"\x00junk" for key in entries}, b"junk"))
    lead = marshal.dumps((sample, (b"key", b"junk"), checksum(back)))
    cache_file.write_bytes(join(head, lead, front, back))
    parser = CountingParser()
    _read_with_cache(root, parser)
    assert len(parser.parsed) == 4
    assert _report(root) == expected


def _garble_the_back(root: Path) -> None:
    (cache_file,) = _cache_files(root)
    head, lead, front, back = split(cache_file.read_bytes())
    cache_file.write_bytes(join(head, lead, front, back[:-1] + bytes([back[-1] ^ 0xFF])))


def test_a_run_where_nothing_changed_reads_no_encoded_facts(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The back part (encoded facts, the rules' results) is the bulk of the file: a run that
    # keeps the stored report does not load it.
    root = tree(PROJECT)
    expected = _report(root)
    (cache_file,) = _cache_files(root)
    back = split(cache_file.read_bytes())[3]
    import scaffold.check.incremental.cache_file as cache_file_module
    import scaffold.check.incremental.pool as pool
    import scaffold.check.incremental.store as store

    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("a file was parsed again")

    loaded: list[int] = []

    class Marshal:
        dumps = staticmethod(marshal.dumps)

        @staticmethod
        def loads(data: bytes) -> object:
            loaded.append(len(data))
            return marshal.loads(data)

    with monkeypatch.context() as patch:
        patch.setattr(pool, "read_source", no_parsing)
        patch.setattr(store, "marshal", Marshal)  # the back part's loads
        patch.setattr(cache_file_module, "marshal", Marshal)  # the lead's and the front's
        assert _report(root) == expected
    assert loaded and len(back) not in loaded


def test_a_damaged_back_part_is_a_miss_once_something_changed(tree: Build) -> None:
    root = tree(PROJECT)
    expected = _report(root)
    _garble_the_back(root)
    assert _report(root) == expected  # nothing changed: the front part is all it needs
    (root / "demo" / "core.py").write_text("import demo.nothing\n", encoding="utf-8")
    expected = _report(root, use_cache=False)
    assert _report(root) == expected
    assert _report(root) == expected


def test_a_new_scaffold_version_invalidates_the_cache(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(PROJECT)
    _read_with_cache(root, CountingParser())
    monkeypatch.setattr(scaffold, "__version__", "99.0.0")
    parser = CountingParser()
    _read_with_cache(root, parser)
    assert len(parser.parsed) == 4


def test_a_config_change_is_seen_by_a_warm_run(tree: Build) -> None:
    root = tree(PROJECT)
    assert "IMP008" not in {d.code for d in _report(root)[0]}  # opt-in
    with (root / "pyproject.toml").open("a", encoding="utf-8") as stream:
        stream.write('\n[tool.scaffold.check]\nextend-select = ["IMP008"]\n')
    assert "IMP008" in {d.code for d in _report(root)[0]}


def test_concurrent_runs_leave_a_valid_cache(tree: Build) -> None:
    files = dict(PROJECT)
    files.update({f"demo/extra{i}.py": f"VALUE = {i}\n" for i in range(30)})
    root = tree(files)
    expected = _report(root, use_cache=False)
    command = [sys.executable, "-m", "scaffold", "check", str(root), "--exit-zero"]
    for _ in range(3):
        runs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL) for _ in range(2)]
        assert [run.wait(timeout=60) for run in runs] == [0, 0]
    assert len(_cache_files(root)) == 1
    assert not list((root / CACHE_DIR).glob(".tmp-*"))
    parser = CountingParser()
    _read_with_cache(root, parser)
    assert parser.parsed == []
    assert _report(root) == expected


def _variants(path: Path) -> list[tuple[tuple[Diagnostic, ...], int]]:
    return [
        _report(path, use_cache=False, workers=0),
        _report(path, use_cache=False, workers=2),
        _report(path, workers=2),  # cold cache, through the pool
        _report(path, workers=0),  # warm cache
    ]


@pytest.mark.parametrize("fixture", ["EXP001", "IMP003", "SYN001", "PKG001"])
def test_cache_and_pool_do_not_change_a_fixture_report(fixture: str, tmp_path: Path) -> None:
    # A copy: in tests/ the fixture's project root is the repository, which gets no cache.
    path = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, path)
    results = _variants(path)
    assert results[0][0], f"{fixture} should have findings"
    assert all(result == results[0] for result in results)


def test_cache_and_pool_do_not_change_a_generated_project_report(tmp_path: Path) -> None:
    project = tmp_path / "gen"
    generate(
        GenerateRequest(
            source=str(builtin_template("package")),
            destination=project,
            data=package_answers("gen", modules=["core", "draw"]),
        )
    )
    # A few findings, so the comparison compares something.
    (next(project.rglob("draw.py"))).write_text(
        "from gen.core import *\nimport sys\n\nsys.path.append('x')\n", encoding="utf-8"
    )
    results = _variants(project)
    assert "IMP001" in {d.code for d in results[0][0]}
    assert all(result == results[0] for result in results)


def test_facts_survive_encoding() -> None:
    source = (FIXTURES / "IMP003").rglob("*.py")
    for path in source:
        facts = parse_source(path.read_bytes(), is_package=path.name == "__init__.py")
        assert decode_facts(encode_facts(facts)) == facts


def test_the_pool_is_skipped_for_small_trees() -> None:
    assert plan_workers(10_000, cores=8) == 0
    assert plan_workers(50_000_000, cores=1) == 0
    assert plan_workers(50_000_000, cores=2) == 2
    assert plan_workers(1_200_000, cores=16) == 2


class ParserThatDiesInWorkers:
    """Kills any process but the one that made it, as an out-of-memory kill would."""

    def __init__(self) -> None:
        self.parent = os.getpid()

    def __call__(self, data: bytes | str, *, is_package: bool = False) -> ModuleFacts:
        if os.getpid() != self.parent:
            os._exit(1)
        return parse_source(data, is_package=is_package)


def test_a_dead_worker_falls_back_to_parsing_here(tree: Build) -> None:
    root = tree(PROJECT)
    files = discover(root).files
    expected = read_facts(files, workers=0)
    assert read_facts(files, ParserThatDiesInWorkers(), workers=2) == expected


def test_the_simulation_in_a_forked_child_reports_and_records_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "bad"
    shutil.copytree(FIXTURES / "IMP003" / "bad", root)
    here = _report(root, use_cache=False)
    monkeypatch.setattr(engine, "_FORK_MIN_FILES", 1)
    forked = _report(root, use_cache=False)
    assert forked == here and any(d.code == "IMP003" for d in forked[0])
    # The runs it recorded came back through the pipe: the next cached run reuses them.
    assert _report(root) == here
    first = next(p for p in sorted(root.rglob("*.py")) if p.name != "__init__.py")
    _edit(first, first.read_text(encoding="utf-8") + "\nimport os\n")
    assert _report(root) == _report(root, use_cache=False)


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux forks")
def test_a_failed_child_gives_none_and_the_caller_works_itself() -> None:
    from scaffold.check.incremental.pool import start_in_fork

    def fails() -> bytes:
        raise RuntimeError("boom")

    assert start_in_fork(lambda: b"result")() == b"result"
    assert start_in_fork(fails)() is None


# --- incremental rules ------------------------------------------------------------------------

LOOP = {
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0"\n',
    "pkg/__init__.py": "",
    # a imports b, which reads a.value at import time: bound only after the import in a.
    "pkg/a.py": "from pkg import b\n\nvalue = 1\n",
    "pkg/b.py": "from pkg import a\n\nCOPY = a.value\n",
    "pkg/uses_a.py": "from pkg.a import value\n\n__all__ = ['value']\n",
    "pkg/alone.py": "import os\n\nHOME = os.sep\n",
    "pkg/uses_alone.py": "from pkg.alone import HOME\n\n__all__ = ['HOME']\n",
}


def _edit(path: Path, text: str) -> None:
    """Write `text` and move the mtime on, so even a same-size edit is seen as a change."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


class Calls:
    """Wraps a function of scaffold.check.rules and records what it was called for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        import scaffold.check.analysis as rules

        self.calls: list[object] = []
        original = getattr(rules, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            self.calls.append(args[1] if len(args) > 1 else None)
            return original(*args, **kwargs)

        monkeypatch.setattr(rules, name, wrapper)


def _rechecked(calls: Calls) -> set[str]:
    return {source.rel for source in calls.calls if isinstance(source, SourceFile)}


def test_an_edit_reruns_only_the_files_that_read_the_edited_one(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(LOOP)
    _report(root)
    per_file = Calls(monkeypatch, "check_file")
    simulation = Calls(monkeypatch, "simulate_failures")
    _edit(root / "pkg/a.py", "from pkg import b\n\nvalue = 1\nextra = 2\n")
    incremental = _report(root)
    # Only a itself: uses_a imports `value` from it, which is still there when asked again
    # (b only imports the module a, which needs no look at a's names).
    assert _rechecked(per_file) == {"pkg/a.py"}
    # Nobody asks for `extra`: the import-time simulation's result still holds.
    assert simulation.calls == []
    assert incremental == _report(root, use_cache=False)


def test_lines_that_only_move_recheck_no_other_file(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(LOOP)
    _report(root)
    per_file = Calls(monkeypatch, "check_file")
    # A longer docstring: every later line of a.py moves, its names stay as they were.
    _edit(root / "pkg/a.py", '"""A.\n\nLonger.\n"""\n\nfrom pkg import b\n\nvalue = 1\n')
    incremental = _report(root)
    assert _rechecked(per_file) == {"pkg/a.py"}
    assert incremental == _report(root, use_cache=False)


def _simulated_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names the import-time simulation imports from now on, one per run."""
    import scaffold.check.imports.simulation as graph

    ran: list[str] = []
    original = graph._Simulator.run

    def run(self: graph._Simulator, name: str, scope: str, state: object) -> object:
        ran.append(name)
        return original(self, name, scope, state)  # type: ignore[arg-type]

    monkeypatch.setattr(graph._Simulator, "run", run)
    return ran


def _runs_after(root: Path, ran: list[str], path: str, text: str) -> list[str]:
    """Edit one file, check with the cache (the same report as without it), and return
    the simulation runs that ran."""
    ran.clear()
    _edit(root / path, text)
    incremental = _report(root)
    runs = sorted(ran)
    assert incremental == _report(root, use_cache=False)
    return runs


def test_a_new_import_reruns_only_the_simulation_runs_that_read_the_file(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(LOOP)
    _report(root)
    ran = _simulated_runs(monkeypatch)
    # Each module is imported in a fresh interpreter: only pkg.alone's own run and
    # pkg.uses_alone's (which imports it) read alone.py; the rest are reused, and the
    # package they start from is imported again to rebuild its state.
    new_import = "import os\nimport os.path\n\nHOME = os.sep\n"
    assert _runs_after(root, ran, "pkg/alone.py", new_import) == [
        "pkg",
        "pkg.alone",
        "pkg.uses_alone",
    ]


def test_a_name_nobody_asked_for_before_keeps_the_module_runs(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(LOOP)
    _report(root)
    ran = _simulated_runs(monkeypatch)
    # `HOMEX` was never asked about: the stored package digests do not cover it, so every
    # package runs again (to record digests that do), but no other module's run does.
    asks = "from pkg.alone import HOME, HOMEX\n\n__all__ = ['HOME']\n"
    assert _runs_after(root, ran, "pkg/uses_alone.py", asks) == ["pkg", "pkg.uses_alone"]
    # The digests stored now cover HOMEX: binding it is seen by the unchanged importer.
    binds = "import os\n\nHOME = os.sep\nHOMEX = 1\n"
    assert _runs_after(root, ran, "pkg/alone.py", binds) == [
        "pkg",
        "pkg.alone",
        "pkg.uses_alone",
    ]


def test_reused_import_time_findings_follow_moved_lines(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(LOOP)
    before = [d for d in _report(root)[0] if d.code == "IMP003"]
    assert [(d.path, d.line) for d in before] == [("pkg/b.py", 3)]
    assert [(r.path, r.line) for r in before[0].related] == [("pkg/a.py", 1)]
    simulation = Calls(monkeypatch, "simulate_failures")
    _edit(root / "pkg/a.py", '"""Doc."""\n\n# moved\n\nfrom pkg import b\n\nvalue = 1\n')
    _edit(root / "pkg/b.py", "# moved\n\nfrom pkg import a\n\n\nCOPY = a.value\n")
    incremental = _report(root)
    assert simulation.calls == []
    after = [d for d in incremental[0] if d.code == "IMP003"]
    assert [(d.path, d.line) for d in after] == [("pkg/b.py", 6)]
    assert [(r.path, r.line) for r in after[0].related] == [("pkg/a.py", 5)]
    assert incremental == _report(root, use_cache=False)


def test_binding_the_name_in_time_clears_the_import_time_finding(tree: Build) -> None:
    root = tree(LOOP)
    assert "IMP003" in {d.code for d in _report(root)[0]}
    _edit(root / "pkg/a.py", "value = 1\n\nfrom pkg import b\n")
    report = _report(root)
    assert report == _report(root, use_cache=False)
    assert "IMP003" not in {d.code for d in report[0]}


def test_a_removed_name_is_reported_in_the_unchanged_file_that_imports_it(tree: Build) -> None:
    root = tree(LOOP)
    assert _report(root) == _report(root, use_cache=False)
    _edit(root / "pkg/alone.py", "import os\n\nHOMEDIR = os.sep\n")
    report = _report(root)
    assert report == _report(root, use_cache=False)
    assert ("IMP006", "pkg/uses_alone.py") in {(d.code, d.path) for d in report[0]}


def test_a_report_reads_the_same_with_the_codec_of_model_alone(tree: Build) -> None:
    # A run that keeps its stored report decodes it without building the whole CODEC: the
    # records of model carry the same tags in both.
    from scaffold.check import model
    from scaffold.check.incremental import records
    from scaffold.check.incremental.codec import LazyCodec, records_of

    diagnostics = run_check(_options(tree(PROJECT))).diagnostics
    assert diagnostics
    encoded = marshal.loads(marshal.dumps(records.CODEC.encode(diagnostics)))  # type: ignore[arg-type]
    alone = LazyCodec(lambda: records_of(model))
    assert alone.decode(encoded) == diagnostics
    assert alone.encode(diagnostics) == records.CODEC.encode(diagnostics)
