"""The `# noqa` comments of a file: which lines silence which codes."""

from __future__ import annotations

import re

__all__ = ["scan_noqa"]

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)


def scan_noqa(text: str) -> tuple[tuple[int, frozenset[str] | None], ...]:
    """Each line with a `# noqa` comment and the codes it names (None: every code)."""
    result: list[tuple[int, frozenset[str] | None]] = []
    if "noqa" not in text.lower():
        return ()
    for number, line in enumerate(text.splitlines(), start=1):
        if "noqa" not in line.lower():
            continue
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        names = None if codes is None else frozenset(c.strip().upper() for c in codes.split(","))
        result.append((number, names))
    return tuple(result)
