"""The fixed costs of a cached check after a one-file edit: counts, not times (issue 20)."""

from __future__ import annotations

import dataclasses
import enum
import itertools
import os
import time
import typing
from collections import Counter
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.analysis import FileResult
from scaffold.check.incremental.packed import Kept

_MTIMES = itertools.count(time.time_ns() - 3_600_000_000_000, 1_000_000)


def _write(path: Path, content: str) -> None:
    # A never repeated mtime an hour ago: the stat index notices every edit and trusts it.
    path.write_text(content)
    mtime = next(_MTIMES)
    os.utime(path, ns=(mtime, mtime))


def _tree(root: Path, files: int = 12) -> Path:
    package = root / "pkg"
    package.mkdir(parents=True)
    _write(package / "__init__.py", "")
    _write(package / "base.py", "VALUE = 1\n")
    for index in range(files):
        _write(package / f"m{index}.py", "from pkg.base import VALUE\n\nX = VALUE\n")
    return root


@pytest.mark.parametrize("edit", ["# a comment\n", "NEW_NAME = 2\n"])
def test_each_file_is_stat_ed_once_by_a_run_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    root = _tree(tmp_path)
    run_check(CheckOptions(paths=(root,)))
    base = root / "pkg" / "base.py"
    _write(base, base.read_text() + edit)
    stats: Counter[str] = Counter()
    real = os.stat

    def counting(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).startswith(str(root / "pkg")):  # the files (discovery asks of others)
            stats[str(path)] += 1
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting)
    run_check(CheckOptions(paths=(root,)))
    assert stats, "the run stat'ed no file"
    # The report key after the edit was asked twice (before and after parsing the edited
    # file): the second time every file's stat was taken again.
    assert max(stats.values()) == 1, stats.most_common(3)


def test_the_full_codec_built_after_model_s_works_out_model_s_records_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scaffold.check import model
    from scaffold.check.incremental import codec, records

    for memo in ("_HINTS", "_COMPILED", "_PLAIN_HINTS"):
        monkeypatch.setattr(codec, memo, {})
    asked: Counter[type] = Counter()
    compiled: list[str] = []
    real_hints, real_compile = typing.get_type_hints, compile

    def hints(cls: type) -> dict[str, object]:
        asked[cls] += 1
        return dict(real_hints(cls))

    def compiling(source: str, *args: object) -> object:
        compiled.append(source)
        return real_compile(source, *args)  # type: ignore[call-overload]

    monkeypatch.setattr(typing, "get_type_hints", hints)
    monkeypatch.setattr(codec, "compile", compiling, raising=False)
    model_codec = codec.Codec(codec.records_of(model))
    model_sources = len(compiled)
    every = records._every_record()
    full = codec.Codec(every)
    assert max(asked.values()) == 1  # each record's annotations evaluated once
    assert set(asked) == {cls for cls in every if not issubclass(cls, enum.Enum)}
    assert len(set(compiled)) == len(compiled)  # no source compiled twice
    assert model_sources > 0 and len(compiled) > model_sources
    # And the codecs encode and decode as before.
    facts = model.ModuleFacts(bindings=frozenset({"a", "b"}), uses=frozenset({"c"}))
    for built in (model_codec, full):
        assert built.decode(built.encode(facts)) == facts
    assert full.encode(facts) == model_codec.encode(facts)


def _result_with_asks(asks: bytes, asked_of: tuple[str, ...]) -> Kept:
    return Kept(FileResult((), ()), ("pkg.m0",), asks, asked_of)


def test_stored_answers_are_decoded_only_when_a_file_they_were_asked_of_changed(
    tmp_path: Path,
) -> None:
    from scaffold.check.discover import discover
    from scaffold.check.incremental.packed import pack_asks
    from scaffold.check.model import ModuleFacts
    from scaffold.check.project import Project

    root = _tree(tmp_path, files=1)
    tree = discover(root)
    project = Project.of(tree, {source.key: ModuleFacts() for source in tree.files})
    asks = (("pkg.base", "pkg.base", ("pkg.base",), (("VALUE", True),)),)
    stored = pack_asks(asks)
    assert type(stored) is bytes
    # Nothing asked of the changed file: the answers are not even decoded.
    junk = _result_with_asks(b"\x00not marshal", ("pkg.base",))
    assert junk.answers_hold(project, frozenset({"pkg.m0"}))
    # Asked of it: decoded and asked again (VALUE is gone from the facts given here).
    kept = _result_with_asks(stored, ("pkg.base",))
    assert not kept.answers_hold(project, frozenset({"pkg.base"}))
    # Answers that cannot be decoded are no answers: the result is computed again.
    assert not junk.answers_hold(project, frozenset({"pkg.base"}))


def test_a_new_name_in_the_file_every_reader_asks_of_keeps_their_results(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path)
    options = CheckOptions(paths=(root,), select=("ALL",))
    run_check(options)
    base = root / "pkg" / "base.py"
    _write(base, base.read_text() + "OTHER = 2\n")
    assert run_check(options) == run_check(dataclasses.replace(options, use_cache=False))
    _write(base, "OTHER = 2\n")  # VALUE gone: every reader's answer changed
    assert run_check(options) == run_check(dataclasses.replace(options, use_cache=False))
