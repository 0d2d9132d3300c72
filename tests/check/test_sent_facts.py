"""Facts this run's own pool workers sent down their pipes are decoded without the per-field
type checks; facts read back from a cache file keep them (the file may be forged or damaged)."""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import parse_source
from scaffold.check.discover import discover
from scaffold.check.incremental.codec import Codec
from scaffold.check.incremental.pool import read_facts
from scaffold.check.incremental.records import decode_facts, decode_sent_facts, encode_facts
from scaffold.check.incremental.store import CACHE_DIR, FactsCache

from .check_support import FIXTURES
from .test_cache_wrong_types import FORGERIES, PROJECT, _forged, _report

Build = Callable[[Mapping[str, str | bytes]], Path]


def _trusted_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every value `Codec.decode_trusted` is given from now on."""
    calls: list[object] = []
    original = Codec.decode_trusted

    def spy(self: Codec, value: object) -> object:
        calls.append(value)
        return original(self, value)

    monkeypatch.setattr(Codec, "decode_trusted", spy)
    return calls


def test_sent_facts_decode_to_what_the_checked_decoder_gives() -> None:
    paths = sorted(FIXTURES.rglob("*.py"))
    assert len(paths) > 50
    for path in paths:
        facts = parse_source(path.read_bytes(), is_package=path.name == "__init__.py")
        encoded = encode_facts(facts)
        assert decode_sent_facts(encoded) == decode_facts(encoded) == facts


def test_only_the_checked_decoder_refuses_a_wrong_type() -> None:
    facts = parse_source(b"import os\n\n__all__ = ['x']\nx = os.sep\n")
    record = marshal.loads(encode_facts(facts))
    flags = [i for i, field in enumerate(record) if field is True or field is False]
    assert flags
    record[flags[0]] = "yes"
    forged = marshal.dumps(record)
    with pytest.raises(ValueError):
        decode_facts(forged)
    assert decode_sent_facts(forged) != facts  # taken as sent: the type is not looked at


def test_the_pools_results_are_decoded_unchecked_and_nothing_else(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(PROJECT)
    files = discover(root).files
    calls = _trusted_calls(monkeypatch)
    here = read_facts(files, workers=0)
    assert calls == []  # parsed in this process: objects, never encoded
    assert read_facts(files, workers=2) == here
    assert len(calls) == len(here)  # each file the workers parsed


def test_a_forged_cache_file_is_decoded_with_the_checks(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(PROJECT)
    files = discover(root).files
    expected = read_facts(files, workers=0)
    _report(root)  # writes the cache
    calls = _trusted_calls(monkeypatch)
    tree_ = discover(root)
    assert read_facts(tree_.files, cache=FactsCache.open(tree_), workers=2) == expected
    assert calls == []  # every file from the cache file, each decoded with its checks
    (cache_file,) = sorted((root / CACHE_DIR).glob("check-*.bin"))
    cache_file.write_bytes(_forged(cache_file.read_bytes(), FORGERIES["facts flags are strings"]))
    tree_ = discover(root)
    assert read_facts(tree_.files, cache=FactsCache.open(tree_), workers=2) == expected
    # The forged entries were refused and parsed again by the pool, whose results alone
    # went through the unchecked decoder: none of them holds the forged "yes".
    assert len(calls) == len(expected)
    assert all(field != "yes" for call in calls for field in call)  # type: ignore[attr-defined]
