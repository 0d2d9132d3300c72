"""Type checks of what a cache file holds: only what this analyser writes is trusted."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["all_bytes", "well_typed"]


def all_bytes(values: Iterable[object]) -> bool:
    """Whether every value is exactly bytes."""
    return set(map(type, values)) <= {bytes}


def well_typed(index: object, entries: object) -> bool:
    """Whether the stat index and the entries (or their digests) hold what this analyser
    writes: a file whose checksum holds can still have been written by something else."""
    if type(index) is not dict or type(entries) is not dict:
        return False
    if not (all_bytes(entries) and all_bytes(entries.values())):
        return False
    # Column by column, the types of a whole column at once: a loop over 100,000 entries
    # in Python was a tenth of a warm run.
    if not set(map(type, index)) <= {str} or not set(map(type, index.values())) <= {tuple}:
        return False
    if not set(map(len, index.values())) <= {5}:
        return False
    columns = list(zip(*index.values(), strict=True)) or [()] * 5
    return all(set(map(type, column)) <= {int} for column in columns[:4]) and set(
        map(type, columns[4])
    ) <= {bytes}
