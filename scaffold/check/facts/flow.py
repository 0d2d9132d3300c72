"""The context a statement runs in, as the statement walker carries it down the tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from scaffold.check.model import Where

__all__ = ["FUNCTION_BODY", "Flow"]


@dataclass(slots=True)
class Flow:
    """The context a statement runs in."""

    where: Where
    module_level: bool  # binds module names (not a class body, not a function)
    conditional: bool
    guarded: bool
    in_loop: bool = False
    can_break: bool = False  # directly in a loop body, not in its `else` or a nested def/class
    # May not run, for a reason the import simulation cannot follow (a loop, an `if` the
    # running Python does not decide); `conditional` also covers the branches it follows.
    maybe: bool = False
    # Whether the statement runs at import time (module level or a class body): `where` is
    # MODULE. Asked of nearly every statement and expression, so kept, not a property (a
    # call each time); a flow is never changed in place, and `but` sets it again.
    runs: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.runs = self.where is Where.MODULE

    def but(self, **changes: object) -> Flow:
        """A copy with some fields changed."""
        flow = Flow(
            self.where,
            self.module_level,
            self.conditional,
            self.guarded,
            self.in_loop,
            self.can_break,
            self.maybe,
        )
        for key, value in changes.items():
            setattr(flow, key, value)
        flow.runs = flow.where is Where.MODULE
        return flow


# Where a function's body runs, for every function: a flow is never changed in place
# (`Flow.but` copies it), so one serves them all.
FUNCTION_BODY = Flow(Where.FUNCTION, False, True, True)
