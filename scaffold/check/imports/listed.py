"""A module's `__all__` as a star import of it reads it, where its facts tell it exactly."""

from __future__ import annotations

from scaffold.check.model import ModuleFacts

__all__ = ["listed_all"]


def listed_all(facts: ModuleFacts) -> tuple[str, ...] | None:
    """The names of the module's `__all__` from the moment it is bound: it is bound once, to a
    list or tuple of strings, not in a branch, and never changed (else None: what a star
    import reads before the module ends is not known)."""
    if not facts.defines_all or not facts.all_complete or len(facts.all_literals) != 1:
        return None
    if facts.all_sources or facts.all_imports:
        return None
    names = facts.all_literals[0].names
    entries = facts.all_entries
    if tuple(e.name for e in entries) != names or any(e.conditional for e in entries):
        return None
    return names
