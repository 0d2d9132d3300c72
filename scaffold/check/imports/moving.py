"""What moving one import costs and how to do it: the weights the cycle-breaking advice
(`breaking.feedback_edges`) prefers cheap imports by, and the advice's wording."""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.check.facts.uses import ANNOTATIONS, FUNCTIONS, IMPORT_TIME, UNUSED
from scaffold.check.model import ModuleFacts

__all__ = ["Move", "move_of"]

# Per name the import brings: an import only annotations need moves under TYPE_CHECKING
# untouched (or goes, when nothing names it); one only functions need moves into each of
# them; one that code running at import time needs takes that code moving first.
_WEIGHT = {UNUSED: 1, ANNOTATIONS: 1, FUNCTIONS: 2, IMPORT_TIME: 6}


@dataclass(frozen=True, slots=True)
class Move:
    """One import statement: how many names it brings, how the module uses them, and
    whether the module postpones its annotations (`from __future__ import annotations`)."""

    names: int
    use: str
    postponed: bool

    @property
    def cost(self) -> int:
        """What moving it costs, for the advice to prefer cheap imports."""
        return self.names * _WEIGHT.get(self.use, _WEIGHT[FUNCTIONS])

    def advice(self, module: str) -> str:
        """What to do with it, and why that is enough."""
        if self.use == UNUSED:
            return f"to break the cycle, remove this import of '{module}': nothing here uses it"
        if self.use == ANNOTATIONS:
            future = "" if self.postponed else " (with `from __future__ import annotations`)"
            return (
                f"to break the cycle, move this import of '{module}' under"
                f" `if TYPE_CHECKING:`{future}: only annotations use it"
            )
        if self.use == FUNCTIONS:
            return (
                f"to break the cycle, move this import of '{module}' into the functions that"
                " use it: nothing needs it at import time"
            )
        return (
            f"to break the cycle, move this import of '{module}' into a function or under"
            " `if TYPE_CHECKING:`, after the code that needs it at import time"
        )


def move_of(facts: ModuleFacts | None, line: int, column: int | None = None) -> Move:
    """The module-level import statement of `facts` at `line` (and `column`), as a Move."""
    imports = facts.imports if facts is not None else ()
    postponed = any(
        imp.is_from
        and imp.module == "__future__"
        and any(n.name == "annotations" for n in imp.names)
        for imp in imports
    )
    uses = facts.import_uses if facts is not None else ()
    for index, imp in enumerate(imports):
        if imp.span.line == line and column in (None, imp.span.column):
            use = uses[index] if index < len(uses) else ""
            return Move(len(imp.names) if imp.is_from else 1, use or IMPORT_TIME, postponed)
    return Move(1, IMPORT_TIME, postponed)
