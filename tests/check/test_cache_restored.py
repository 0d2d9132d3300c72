"""A cache whose files' stats all changed: restored at another path, stale, or in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.incremental import contents
from scaffold.check.incremental.contents import content_digest, file_digest, file_digests
from scaffold.check.incremental.pool import read_facts
from scaffold.check.incremental.store import FactsCache
from scaffold.check.model import Diagnostic

from .check_support import DEFAULT, CountingParser, write_tree

Report = tuple[tuple[Diagnostic, ...], int]
MODULES = 300  # above hash_files' sample threshold (4 x 64 files whose stat changed)


def _project(root: Path, value: str = "0") -> Path:
    files = {"pyproject.toml": '[project]\nname = "many"\nversion = "0"\n'}
    files["many/__init__.py"] = '__all__ = ["missing"]\n'
    for index in range(MODULES):
        files[f"many/mod{index}.py"] = f"import os\nimport many.mod{(index + 1) % MODULES}\n"
        files[f"many/mod{index}.py"] += f"VALUE = {value}\n"
    return write_tree(root, files)


def _report(path: Path, **changes: object) -> Report:
    options = CheckOptions(paths=(path,), select=DEFAULT, workers=0, **changes)  # type: ignore[arg-type]
    report = run_check(options)
    return report.diagnostics, report.files


def _move(source: Path, target: Path) -> Path:
    """A copy at another path, as a restore makes it: new inodes, new ctimes."""
    shutil.copytree(source, target, symlinks=True)
    shutil.rmtree(source)
    return target


def _opens_during(root: Path, work: object) -> dict[str, int]:
    """How many times each `.py` file under `root` is opened while `work()` runs (the
    interpreter's own `open` audit event: builtins.open and os.open alike)."""
    counts: dict[str, int] = {}
    prefix = str(root)

    def hook(event: str, args: tuple[object, ...]) -> None:
        path = args[0] if counting and event == "open" else None
        if isinstance(path, str) and path.startswith(prefix) and path.endswith(".py"):
            counts[path] = counts.get(path, 0) + 1

    counting = True
    sys.addaudithook(hook)  # cannot be removed: it stops counting below
    try:
        work()  # type: ignore[operator]
    finally:
        counting = False
    return counts


def test_the_content_hash_is_one_function_on_every_machine() -> None:
    # A cache shared between machines needs the same key for the same bytes everywhere:
    # SHA-256 cut to 16 bytes, pinned so that a change of function is a deliberate one.
    assert content_digest(b"scaffold").hex() == "db8a7260fb63f93965994066da8a7053"


def test_file_digests_in_threads_agree_with_one_at_a_time(tmp_path: Path) -> None:
    paths: list[tuple[str, int | None]] = []
    for index in range(200):
        path = tmp_path / f"f{index}.py"
        path.write_bytes(b"x = %d\n" % index * (index % 7))
        paths.append((str(path), 10 if index % 11 == 0 else None))
    paths.append((str(tmp_path / "missing.py"), None))
    os.mkfifo(tmp_path / "fifo.py")
    paths.append((str(tmp_path / "fifo.py"), None))  # no writer: a blocking open would hang
    assert file_digests(paths) == [file_digest(path, limit) for path, limit in paths]
    found = file_digests(paths)
    assert found[-1] is None and found[-2] is None  # the FIFO, the missing file
    assert found[11] is None  # 28 bytes, above its limit of 10
    assert found[0] == content_digest(b"")  # empty, within its limit
    assert found[1] == content_digest(b"x = 1\n")


def test_a_fifo_put_in_place_of_an_indexed_file_does_not_hang(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", {"pkg/__init__.py": "", "pkg/a.py": "A = 1\n"})
    _report(root)
    target = root / "pkg" / "a.py"
    # Discovery lists regular files only: the FIFO replaces the file after it, as a run
    # racing with an editor's save could see; the cache must read it without blocking.
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from scaffold.check.discover import discover\n"
        "from scaffold.check.incremental.store import FactsCache\n"
        "root = Path(sys.argv[1]); tree = discover(root)\n"
        "cache = FactsCache.open(tree)\n"
        "target = root / 'pkg' / 'a.py'; target.unlink(); os.mkfifo(target)\n"
        "print(cache.report_key(tree, ()), [cache.has_facts(s) for s in tree.files])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("None ")
    assert target.is_fifo()


def test_a_restored_cache_reads_each_file_once_and_parses_none(tmp_path: Path) -> None:
    first = _project(tmp_path / "a" / "project")
    _report(first)
    moved = _move(tmp_path / "a", tmp_path / "b") / "project"
    expected = _report(moved, use_cache=False)
    parser = CountingParser()

    def read() -> None:
        tree = discover(moved)
        cache = FactsCache.open(tree)
        assert cache.report_key(tree, ()) is not None
        read_facts(tree.files, parser, cache=cache, workers=0)

    opens = _opens_during(moved, read)
    assert parser.parsed == []
    assert sorted(set(opens.values())) == [1]
    assert len(opens) == MODULES + 1
    assert _report(moved) == expected


@pytest.mark.parametrize("changed", ["all", "half"])
def test_a_stale_cache_reports_what_no_cache_reports(tmp_path: Path, changed: str) -> None:
    first = _project(tmp_path / "a" / "project")
    before = _report(first)
    moved = _move(tmp_path / "a", tmp_path / "b") / "project"
    for index in range(MODULES):
        if changed == "all" or index % 2:
            path = moved / "many" / f"mod{index}.py"
            path.write_text(path.read_text(encoding="utf-8") + "import many.gone\n")
    expected = _report(moved, use_cache=False)
    assert expected != before
    assert _report(moved) == expected
    assert _report(moved) == expected


def test_a_stale_cache_is_not_read_twice_before_the_parse(tmp_path: Path) -> None:
    # Last session: the parent read and hashed every changed file, then parsed it (reading
    # it again). Now a sample proves the cache stale and the rest is read once, to parse.
    root = _project(tmp_path / "project")
    _report(root)
    for index in range(MODULES):
        path = root / "many" / f"mod{index}.py"
        path.write_text(path.read_text(encoding="utf-8") + "STALE = 1\n")
    expected = _report(root, use_cache=False)
    opens = _opens_during(root, lambda: _report(root))
    sample = -(-MODULES // (MODULES // contents.STALE_SAMPLE))
    assert sum(opens.values()) <= MODULES + 1 + sample
    assert _report(root) == expected


def test_a_few_changed_files_among_many_are_hashed_not_parsed(tmp_path: Path) -> None:
    # The sample passes when files are as cached: each is hashed, not parsed.
    first = _project(tmp_path / "a" / "project")
    _report(first)
    moved = _move(tmp_path / "a", tmp_path / "b") / "project"
    edited = moved / "many" / "mod7.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "STALE = 1\n")
    tree = discover(moved)
    cache = FactsCache.open(tree)
    assert cache.report_key(tree, ()) is None  # mod7's facts are unknown
    parser = CountingParser()
    read_facts(tree.files, parser, cache=cache, workers=0)
    assert parser.parsed == [edited.read_bytes()]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scaffold", "check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_ci_restores_the_cache_into_a_fresh_clone_at_the_same_path(tmp_path: Path) -> None:
    # GitHub Actions checks out at the same path every run: a fresh clone (new inodes,
    # mtimes of the checkout) with the cache restored, one file changed in content but not
    # in size (a kept printout and stored report must not be shown for it).
    root = _project(tmp_path / "work" / "repo")
    first = _cli(root, "many", "--output-format", "full")
    cache = tmp_path / "restored-cache"
    shutil.copytree(root / ".scaffold_cache", cache)
    shutil.rmtree(root)
    root = _project(tmp_path / "work" / "repo", value="1")  # same sizes, other content
    shutil.copytree(cache, root / ".scaffold_cache")
    init = root / "many" / "__init__.py"
    init.write_text('__all__ = ["nowhere"]\n', encoding="utf-8")
    fresh = _cli(root, "many", "--output-format", "full", "--no-cache")
    assert fresh.stdout != first.stdout
    for _ in range(2):  # the restored run, then the warm run after it
        again = _cli(root, "many", "--output-format", "full")
        assert (again.returncode, again.stdout, again.stderr) == (
            fresh.returncode,
            fresh.stdout,
            fresh.stderr,
        )


@pytest.mark.parametrize(("name", "value"), [("platform", "win32"), ("implementation", "another")])
def test_a_cache_of_another_machine_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # The facts read `if sys.platform` tests as the Python that parsed them would: a cache
    # restored from a runner of another system is parsed afresh, never trusted.
    root = write_tree(tmp_path / "project", {"pkg/__init__.py": "", "pkg/a.py": "A = 1\n"})
    _report(root)
    tree = discover(root)
    assert FactsCache.open(tree).has_facts(tree.files[0])
    if name == "platform":
        monkeypatch.setattr(sys, "platform", value)
    else:
        monkeypatch.setattr(sys, "implementation", types.SimpleNamespace(name=value))
    assert not FactsCache.open(tree).has_facts(tree.files[0])
