"""Where a simulation failure is in the source now: its statement's and its loop's spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scaffold.check.imports.execution import Ref
from scaffold.check.model import Access, Span
from scaffold.check.project import Project

if TYPE_CHECKING:
    from scaffold.check.imports.simulation import Failure

__all__ = ["ImportFailure", "locate"]


@dataclass(frozen=True, slots=True)
class ImportFailure:
    """A Failure located in the source: the spans of the statement and of the loop's imports."""

    key: str
    span: Span
    message: str
    chain: tuple[tuple[str, Span | None], ...]


def _span_of(project: Project, key: str, at: Ref) -> Span:
    facts = project.facts[key]
    kind, index = at
    if kind == "import":
        return facts.imports[index].span
    accesses = (event for event in facts.events if isinstance(event, Access))
    for position, event in enumerate(accesses):
        if position == index:
            return event.span
    raise LookupError(f"{key} has no access {index}")


def locate(project: Project, failure: Failure) -> ImportFailure:
    """A Failure with the spans of the facts it refers to, as they are now."""
    chain = tuple(
        (key, None if at is None else _span_of(project, key, at)) for key, at in failure.chain
    )
    return ImportFailure(
        failure.key, _span_of(project, failure.key, failure.at), failure.message, chain
    )
