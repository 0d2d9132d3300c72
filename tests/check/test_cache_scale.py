"""The per-file work of a cached run over many files: no Path built per file, the facts digest
computed where the facts were encoded, whole-index type checks, nothing dropped that is live
(issues 19 and 21; counted and compared, never timed)."""

from __future__ import annotations

import marshal
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.check import CheckOptions
from scaffold.check.discover import discover
from scaffold.check.incremental import pool
from scaffold.check.incremental.run import check
from scaffold.check.incremental.store import CACHE_DIR, content_digest

from .cache_layout import split
from .check_support import DEFAULT, write_tree
from .test_cache_wrong_types import Payload, _forged

FILES = 40


def _tree(root: Path) -> Path:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["demo/__init__.py"] = '"""Package."""\n\n__all__ = ["missing"]\n'
    for index in range(FILES):
        files[f"demo/mod{index}.py"] = f"import os\n\nVALUE = {index}\n"
    files["demo/mod0.py"] = "import demo.mod1\nimport nowhere_at_all\n"
    return write_tree(root, files)


def _options(root: Path, *, use_cache: bool = True, workers: int = 0) -> CheckOptions:
    return CheckOptions(paths=(root,), select=DEFAULT, use_cache=use_cache, workers=workers)


def _parts(root: Path) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The front part with the lead's report and back checksum (index, facts digests, report,
    back checksum) and the back part (entries, analysis) of the one cache file below
    `root`."""
    (cache_file,) = sorted((root / CACHE_DIR).glob("check-*.bin"))
    _, lead, front, back = split(cache_file.read_bytes())
    _, report, back_checksum = marshal.loads(lead)
    return (*marshal.loads(front), report, back_checksum), marshal.loads(back)


@pytest.mark.parametrize("use_cache", [False, True])
def test_no_path_is_built_per_file(tmp_path: Path, use_cache: bool) -> None:
    root = _tree(tmp_path)
    # Discovery, a first run, and a warm run that keeps the stored report.
    assert all(source._path is None for source in discover(root).files)
    for _ in range(2):
        result = check(_options(root, use_cache=use_cache))
        (checked,) = result.trees
        built = [source.rel for source in checked.tree.files if source._path is not None]
        assert built == []
        assert result.report.diagnostics  # EXP001 and IMP001: a report with findings


def test_a_warm_run_builds_no_path_per_folder(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    check(_options(root))
    (checked,) = check(_options(root)).trees  # keeps the stored report
    assert checked.tree.folders
    assert [folder.rel for folder in checked.tree.folders if folder._path is not None] == []
    assert all(folder.path == Path(folder.directory) for folder in checked.tree.folders)


def test_a_source_files_path_is_its_file_as_a_path(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    for source in discover(root).files:
        assert source.path == Path(source.file)
        assert source.path is source.path  # made once
        assert source.file == str(root / source.rel)


@pytest.mark.parametrize("workers", [0, 2])
def test_every_stored_facts_digest_is_the_digest_of_the_stored_facts(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path)
    monkeypatch.setattr(pool, "plan_workers", lambda total, cores=None: workers)
    first = check(_options(root, workers=workers)).report
    (index, digests, _, _), (entries, _) = _parts(root)
    assert isinstance(index, dict) and isinstance(digests, dict) and isinstance(entries, dict)
    assert len(index) == FILES + 1
    assert digests.keys() == entries.keys()
    assert all(digests[key] == content_digest(value) for key, value in entries.items())
    # The report the next run keeps is keyed on those digests: it is the same.
    assert check(_options(root)).report == first == check(_options(root, use_cache=False)).report


def test_the_facts_of_a_changed_file_are_dropped_and_the_others_kept(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    check(_options(root))
    (_, _, _, _), (before, _) = _parts(root)
    (root / "demo" / "mod8.py").write_text("import os\n\nVALUE = 'changed'\n")
    check(_options(root))
    (index, digests, _, _), (entries, _) = _parts(root)
    assert isinstance(index, dict) and isinstance(entries, dict) and isinstance(digests, dict)
    assert isinstance(before, dict)
    live = {entry[4] for entry in index.values()}
    assert {key[:16] for key in entries} == live == {key[:16] for key in digests}
    assert len(set(before) - set(entries)) == 1 == len(set(entries) - set(before))


def _one_index_entry(
    change: Callable[[tuple[object, ...]], object],
) -> Callable[[Payload], Payload]:
    def forge(payload: Payload) -> Payload:
        index = dict(payload[0])
        last = sorted(index, key=str)[-1]
        index[last] = change(index[last])  # type: ignore[arg-type]
        return (index, payload[1], payload[2], payload[3])

    return forge


# One entry among good ones is enough to make the whole index no cache.
INDEX_FORGERIES = {
    "an mtime is a float": _one_index_entry(lambda e: (e[0], 1.5, *e[2:])),
    "a size is a string": _one_index_entry(lambda e: ("5", *e[1:])),
    "a content hash is a string": _one_index_entry(lambda e: (*e[:4], "hash")),
    "an entry is a list": _one_index_entry(list),
    "an entry has six fields": _one_index_entry(lambda e: (*e, 0)),
    "a path is bytes": lambda p: ({**p[0], b"demo/x.py": (1, 2, 3, 4, b"x")}, *p[1:]),
}


@pytest.mark.parametrize("forge", INDEX_FORGERIES.values(), ids=list(INDEX_FORGERIES))
def test_one_wrongly_typed_index_entry_makes_the_index_no_cache(
    tmp_path: Path, forge: Callable[[Payload], Payload]
) -> None:
    root = _tree(tmp_path)
    expected = check(_options(root, use_cache=False)).report
    check(_options(root))
    (cache_file,) = sorted((root / CACHE_DIR).glob("check-*.bin"))
    cache_file.write_bytes(_forged(cache_file.read_bytes(), forge))
    assert check(_options(root)).report == expected
    (index, _, _, _), _ = _parts(root)  # written afresh, well typed
    assert isinstance(index, dict)
    assert all(type(key) is str for key in index)
    assert all(type(e) is tuple and type(e[1]) is int for e in index.values())


@pytest.mark.parametrize("change", ["delete", "move", "exclude"])
def test_a_file_gone_from_the_tree_leaves_the_stat_index_and_its_facts(
    tmp_path: Path, change: str
) -> None:
    root = _tree(tmp_path)
    (root / "demo" / "mod9.py").write_text("import os\n\nVALUE = 'only here'\n")
    check(_options(root))
    gone = root / "demo" / "mod9.py"
    if change == "delete":
        gone.unlink()
    elif change == "move":
        gone.rename(root / "demo" / "moved.py")
    else:
        pyproject = root / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text() + '\n[tool.scaffold.check]\nexclude = ["demo/mod9.py"]\n'
        )
    check(_options(root))
    (index, digests, _, _), (entries, _) = _parts(root)
    assert isinstance(index, dict) and isinstance(entries, dict) and isinstance(digests, dict)
    assert "demo/mod9.py" not in index
    assert sorted(index) == sorted(s.rel for s in discover(root).files)
    # Its content is no other file's (unless moved): its facts go with it.
    live = {entry[4] for entry in index.values()}
    assert {key[:16] for key in entries} == live == {key[:16] for key in digests}
    assert (len(entries) == FILES + 1) is (change == "move")
    assert check(_options(root)).report == check(_options(root, use_cache=False)).report
