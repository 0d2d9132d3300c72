"""How the memo checks a kept import against the state now (ImportMemo._holds): the check
that failed last is made first, and a way is replayed exactly when every check holds."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Set

from scaffold.check.imports.memo import ImportMemo, Kept, _Reads
from scaffold.check.imports.state import DONE, LOADING, State


def _memo(status: dict[str, int], bound: dict[str, Set[str]]) -> ImportMemo:
    memo = ImportMemo()
    memo.start(State(parent=State(status=status, bound=bound)))
    return memo


def _kept() -> Kept:
    # Found `a` done, `b` loading, `a` binding `x`, `b` not binding `y`; needed `c` unimported.
    kept = Kept(steps=1, files=set(), shaky=False)
    kept.present = (("a", 0, DONE), ("b", 0, LOADING), ("a", 2, "x", True), ("b", 2, "y", False))
    kept.absent = ("c",)
    return kept


def _exhaustive_holds(memo: ImportMemo, kept: Kept) -> bool:
    state = memo.state
    return (
        state.get_status("a") == DONE
        and state.get_status("b") == LOADING
        and "x" in state.get_bound("a")
        and "y" not in state.get_bound("b")
        and all(memo._status(key) is None for key in kept.absent)
    )


def test_the_check_that_failed_is_kept_to_be_made_first() -> None:
    kept = _kept()
    memo = _memo({"a": DONE, "b": LOADING}, {"a": {"x"}, "b": {"y"}})
    assert not memo._holds(kept)
    assert _hint(kept) == ("b", 2, "y", False)
    memo = _memo({"a": DONE, "b": LOADING, "c": DONE}, {"a": {"x"}})
    assert not memo._holds(kept)
    assert _hint(kept) == ("c", 4)


def _hint(kept: Kept) -> object:
    return kept.hint


def test_a_way_is_replayed_exactly_when_every_check_holds_whatever_failed_before() -> None:
    kept = _kept()
    statuses = [{}, {"a": DONE}, {"a": DONE, "b": LOADING}, {"a": DONE, "b": LOADING, "c": 0}]
    names: list[dict[str, Set[str]]] = [{}, {"a": {"x"}}, {"a": {"x"}, "b": {"y"}}, {"b": {"y"}}]
    # Every order of states, so the check made first is each possible one in turn.
    for status, bound in itertools.chain.from_iterable(
        itertools.permutations(itertools.product(statuses, names), 3)
    ):
        memo = _memo(status, bound)
        assert memo._holds(kept) == _exhaustive_holds(memo, kept)


def _reads(first: Mapping[str, tuple[object, ...]]) -> _Reads:
    reads = _Reads()
    reads.first = dict(first)
    return reads


def test_merged_reads_keep_what_was_found_first_whichever_is_larger() -> None:
    found = {"a": ("a", 0, DONE)}
    later = {"a": ("a", 0, LOADING), "b": ("b", 0, 0)}
    many = {f"m{n}": (f"m{n}", 0, DONE) for n in range(5)}
    for outer, inner in [(found, later), ({**found, **many}, later)]:
        reads = _reads(outer)
        reads.merge(_reads(inner))
        assert reads.first == {**inner, **outer}
        assert reads.first["a"] == ("a", 0, DONE)
