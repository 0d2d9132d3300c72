"""A warm check reads a reported file only when it is not known to be all ASCII: the verdict
kept beside the cache holds for the content it was found in; output is the same either way."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from scaffold.check import locations
from scaffold.check.command import CheckCommand, run_check_command
from scaffold.check.discover import discover
from scaffold.check.incremental.ascii_verdicts import AsciiVerdicts
from scaffold.check.incremental.contents import content_digest, file_digest
from scaffold.check.incremental.run import KnownDigests
from scaffold.check.incremental.store import FactsCache
from scaffold.check.locations import SourceLines, locate
from scaffold.check.model import CheckReport, Diagnostic, Related, Severity

from .check_support import write_tree

# A cycle between an ASCII file and one whose import line holds a non-ASCII name first.
TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import pkg.b\n",
    "pkg/b.py": "é = 1; import pkg.a\n",
}


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float = 5) -> None:
    """Save verdicts as if `seconds` had passed: files just written are no longer racy."""
    now = time.time_ns() + int(seconds * 1e9)
    monkeypatch.setattr(time, "time_ns", lambda: now)


def _check(
    root: Path, cache: Path, capsys: pytest.CaptureFixture[str], *, fmt: str = "text"
) -> str:
    command = CheckCommand(paths=(str(root),), cache_dir=str(cache), output_format=fmt)
    run_check_command(command)
    return capsys.readouterr().out


def _forget_printout(cache: Path) -> None:
    """Drop the printout the last run kept: printed as it is, it places no column at all.
    The verdicts serve the runs that place them (another format, after an edit)."""
    for kept in cache.glob("check-*.output"):
        kept.unlink()


def _reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    read: Counter[str] = Counter()
    read_bytes = locations._read_bytes
    monkeypatch.setattr(
        locations, "_read_bytes", lambda path: read.update([Path(path).name]) or read_bytes(path)
    )
    return read


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif"])
def test_a_warm_check_reads_only_the_files_that_are_not_ascii(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "p", TREE)
    monkeypatch.chdir(tmp_path)
    _later(monkeypatch)
    fresh = _check(root, tmp_path / "cache", capsys, fmt=fmt)
    _forget_printout(tmp_path / "cache")
    read = _reads(monkeypatch)
    assert _check(root, tmp_path / "cache", capsys, fmt=fmt) == fresh
    wanted = {"b.py": 1} if fmt != "full" else {"a.py": 1, "b.py": 1}  # full shows lines
    assert dict(read) == wanted
    if fmt == "json":  # b.py's import, related to the cycle: byte 9, code point 8
        related = json.loads(fresh)["diagnostics"][0]["related"]
        assert {(r["path"], r["column"]) for r in related} == {("p/pkg/a.py", 1), ("p/pkg/b.py", 8)}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_checkout_at_another_path_with_the_cache_restored_reads_what_a_warm_run_reads(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The verdicts were kept by absolute path and stat: a copy elsewhere read every
    # reported file again (a.py too) to place columns the first checkout had placed.
    root = write_tree(tmp_path / "one" / "p", TREE)
    monkeypatch.chdir(tmp_path)
    _later(monkeypatch)
    command = CheckCommand(paths=(str(root),), output_format=fmt)
    run_check_command(command)
    capsys.readouterr()
    moved = shutil.copytree(tmp_path / "one", tmp_path / "two") / "p"
    for path in moved.rglob("*.py"):
        path.touch()  # a fresh clone: every mtime new
    run_check_command(dataclasses.replace(command, paths=(str(moved),), use_cache=False))
    fresh = capsys.readouterr().out
    read = _reads(monkeypatch)
    run_check_command(dataclasses.replace(command, paths=(str(moved),)))
    assert capsys.readouterr().out == fresh
    assert dict(read) == {"b.py": 1}  # its column on its line that is not ASCII


def test_a_file_not_all_ascii_is_read_only_for_columns_on_its_lines_that_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # b.py's import, related to the cycle, is on an ASCII line below one that is not.
    root = write_tree(tmp_path / "p", {**TREE, "pkg/b.py": "é = 1\nx = 2; import pkg.a\n"})
    monkeypatch.chdir(tmp_path)
    _later(monkeypatch)
    fresh = _check(root, tmp_path / "cache", capsys, fmt="json")
    _forget_printout(tmp_path / "cache")
    read = _reads(monkeypatch)
    assert _check(root, tmp_path / "cache", capsys, fmt="json") == fresh
    assert dict(read) == {}
    found = json.loads(fresh)["diagnostics"]
    related = [r for d in found for r in d["related"] if r["path"] == "p/pkg/b.py"]
    assert {(r["line"], r["column"]) for r in related} == {(2, 8)}
    tree = discover(root)
    cache = FactsCache.open(tree, tmp_path / "cache")
    kept = AsciiVerdicts(cache.path, KnownDigests([(tree, cache)]), cache.fingerprint)
    assert kept.get(str(root / "pkg/b.py")) == (1,)


class _Hashes:
    """`Digests` as a cache's index would answer: the hash of each file's bytes now, or None
    for the paths in `unknown` (the index holds no hash of them)."""

    def __init__(self, *paths: Path) -> None:
        self.paths = list(paths)
        self.unknown: set[str] = set()

    def __call__(self, path: str) -> bytes | None:
        return None if path in self.unknown else file_digest(path)

    def live(self) -> set[bytes]:
        found = (file_digest(str(path)) for path in self.paths)
        return {digest for digest in found if digest is not None}


def test_a_verdict_follows_the_content_not_the_path_or_stat(tmp_path: Path) -> None:
    # A checkout at another path (every stat new, the cache's hashes taken again) finds
    # the verdicts of the first; a file whose content changed is read again.
    path, moved = tmp_path / "m.py", tmp_path / "elsewhere" / "m.py"
    path.write_text("import os\n")
    cache_file = tmp_path / "check-x.bin"
    kept = AsciiVerdicts(cache_file, _Hashes(path))
    assert kept.get(str(path)) is None
    kept.put(path.read_bytes(), ())
    kept.save()
    moved.parent.mkdir()
    shutil.copyfile(path, moved)
    assert AsciiVerdicts(cache_file, _Hashes(moved)).get(str(moved)) == ()
    moved.write_text("import os  # é, now\n")
    assert AsciiVerdicts(cache_file, _Hashes(moved)).get(str(moved)) is None


def test_a_file_the_index_knows_no_hash_of_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import os\n")
    hashes = _Hashes(path)
    kept = AsciiVerdicts(tmp_path / "check-x.bin", hashes)
    kept.put(path.read_bytes(), ())
    kept.save()
    hashes.unknown.add(str(path))
    assert AsciiVerdicts(tmp_path / "check-x.bin", hashes).get(str(path)) is None


def test_a_verdict_is_kept_under_the_bytes_it_was_found_in(tmp_path: Path) -> None:
    # The file changed between the cache's hash and the read that found its lines: the
    # verdict is of the bytes read, never filed under the hash of the content before.
    path = tmp_path / "m.py"
    path.write_text("import os\n")
    hashes = _Hashes(path)
    kept = AsciiVerdicts(tmp_path / "check-x.bin", hashes)
    assert kept.get(str(path)) is None  # asked under the hash of "import os"
    path.write_text("é = 1\nimport os\n")
    kept.put(path.read_bytes(), (1,))
    hashes.paths.append(tmp_path / "gone.py")
    kept.save()
    path.write_text("import os\n")
    assert AsciiVerdicts(tmp_path / "check-x.bin", hashes).get(str(path)) is None
    path.write_text("é = 1\nimport os\n")
    assert AsciiVerdicts(tmp_path / "check-x.bin", hashes).get(str(path)) == (1,)


def test_the_verdicts_of_contents_no_file_has_leave_with_the_next_save(tmp_path: Path) -> None:
    # A verdict that can never match again (its file deleted or changed) would otherwise
    # stay for good, and the verdicts file grow with every content ever reported.
    paths = {name: tmp_path / f"{name}.py" for name in ("deleted", "changed", "kept", "new")}
    for name, path in paths.items():
        path.write_text(f"import os  # {name}\n")
    contents = {name: path.read_bytes() for name, path in paths.items()}
    cache_file = tmp_path / "check-x.bin"
    first = AsciiVerdicts(cache_file, _Hashes(*paths.values()))
    for name in ("deleted", "changed", "kept"):
        first.put(contents[name], ())
    first.save()
    paths["deleted"].unlink()
    paths["changed"].write_text("import os  # longer now\n")
    second = AsciiVerdicts(cache_file, _Hashes(*paths.values()))  # reports the new file only
    second.put(contents["new"], ())
    second.save()
    assert second.path is not None
    saved = second.path.read_bytes()
    hashes = {name: content_digest(data) for name, data in contents.items()}
    assert {name for name, digest in hashes.items() if digest in saved} == {"kept", "new"}
    assert AsciiVerdicts(cache_file, _Hashes(paths["kept"])).get(str(paths["kept"])) == ()


def test_the_verdicts_of_another_analyser_are_not_read(tmp_path: Path) -> None:
    # Another version may number lines otherwise (the parser's line breaks).
    path = tmp_path / "m.py"
    path.write_text("é = 1\nimport os\n")
    kept = AsciiVerdicts(tmp_path / "check-x.bin", _Hashes(path), b"one analyser")
    kept.put(path.read_bytes(), (1,))
    kept.save()
    assert AsciiVerdicts(tmp_path / "check-x.bin", _Hashes(path), b"one analyser").get(
        str(path)
    ) == (1,)
    assert AsciiVerdicts(tmp_path / "check-x.bin", _Hashes(path), b"another").get(str(path)) is None


@pytest.mark.parametrize("damage", [b"", b"garbage", "truncated"])
def test_a_damaged_verdicts_file_is_a_miss(damage: bytes | str, tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import os\n")
    kept = AsciiVerdicts(tmp_path / "check-x.bin", _Hashes(path))
    kept.put(path.read_bytes(), ())
    kept.save()
    assert kept.path is not None
    assert AsciiVerdicts(tmp_path / "check-x.bin", _Hashes(path)).get(str(path)) == ()
    data = kept.path.read_bytes()
    kept.path.write_bytes(data[:-3] if damage == "truncated" else damage)  # type: ignore[arg-type]
    assert AsciiVerdicts(tmp_path / "check-x.bin", _Hashes(path)).get(str(path)) is None


def test_no_cache_keeps_no_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "p", TREE)
    monkeypatch.setenv("SCAFFOLD_CACHE_DIR", str(tmp_path / "cache"))
    run_check_command(CheckCommand(paths=(str(root),), use_cache=False))
    capsys.readouterr()
    assert not (tmp_path / "cache").exists()


def _report(root: Path) -> CheckReport:
    write_tree(root, TREE)
    chain = (Related("pkg/a.py", 1, 1, "imports"), Related("pkg/b.py", 1, 9, "imports"))
    findings = [
        Diagnostic("ARC001", "n", Severity.ERROR, "m", "pkg/a.py", 1, 1, 1, 13, related=chain[:1]),
        Diagnostic("ARC001", "n", Severity.ERROR, "m", "pkg/b.py", 1, 9, 1, 21, related=chain),
    ]
    return CheckReport(tuple(findings), 3, str(root))


def test_without_fingerprints_a_finding_whose_columns_stay_is_kept_as_it_is(
    tmp_path: Path,
) -> None:
    report = _report(tmp_path)
    plain = locate(report, tmp_path, SourceLines(), fingerprints=False)
    assert plain.diagnostics[0] is report.diagnostics[0]
    b = plain.diagnostics[1]
    assert (b.column, b.end_column, b.related[1].column, b.fingerprint) == (8, 20, 8, "")
    printed = locate(report, tmp_path, SourceLines())
    assert [d.fingerprint != "" for d in printed.diagnostics] == [True, True]
    assert [(d.column, d.related) for d in printed.diagnostics] == [
        (d.column, d.related) for d in plain.diagnostics
    ]


def test_a_baseline_still_matches_with_a_format_that_shows_no_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "p", TREE)
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "baseline.json"
    command = CheckCommand(paths=(str(root),), baseline=str(baseline), output_format="text")
    assert run_check_command(command) == 0  # written, then everything in it hidden
    assert all(e["fingerprint"] for e in json.loads(baseline.read_text())["findings"])
    assert run_check_command(command) == 0
    assert "in the baseline" in capsys.readouterr().err


# Line breaks str.splitlines knows and the parser does not (form feed, \x1c-\x1e, NEL,
# U+2028) and the three it does know.
SOURCES = [
    "a = 1\n\x0c\nimport os\n",
    "a = '\x1c\x1d\x1e'\nimport os\n",
    "a = '\x85\u2028\u2029'\nimport os\n",
    "a = 1\r\nb = 2\rimport os\n",
    "import os",
]


@pytest.mark.parametrize("source", SOURCES)
def test_located_lines_are_numbered_as_the_parser_numbers_them(source: str, tmp_path: Path) -> None:
    # The `full` snippets and the code-point columns read the lines SourceLines gives.
    path = tmp_path / "m.py"
    path.write_bytes(source.encode())
    probe = "import ast, sys; print(ast.parse(open(sys.argv[1], 'rb').read()).body[-1].lineno)"
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
    )
    assert SourceLines().line(str(path), int(done.stdout)) == "import os"
