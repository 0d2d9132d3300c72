"""The types every stage of `scaffold check` shares: spans, a file's facts, findings, reports.

Facts are what one file says (imports, bindings, `__all__`, noqa comments); a Finding is
what a rule reports about them; a Diagnostic is a finding after selection, ready to
render. This module imports nothing of the package, so every other module may import it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "FILE_SPAN",
    "Access",
    "AllEntry",
    "AllLiteral",
    "Arg",
    "Bind",
    "CheckReport",
    "Diagnostic",
    "Event",
    "Fact",
    "Finding",
    "ImportFact",
    "ImportedName",
    "ModuleFacts",
    "NoqaDirective",
    "Related",
    "RunImport",
    "Severity",
    "SourceError",
    "Span",
    "TryEnd",
    "TryHandler",
    "TryStart",
    "Unbind",
    "Where",
]


class Span(NamedTuple):
    """A 1-based source range.

    A named tuple, as ImportedName and ImportFact: they are the most numerous records
    (60,000, 35,000 and 17,000 on sympy), and a tuple is built and decoded from the cache
    in one call, where a frozen dataclass sets each field through object.__setattr__.
    """

    line: int
    column: int
    end_line: int
    end_column: int


FILE_SPAN = Span(1, 1, 1, 1)


class Where(enum.Enum):
    """Where an import statement runs."""

    MODULE = "module"  # at import time, module or class body
    FUNCTION = "function"  # only when the function is called
    TYPE_CHECKING = "type-checking"  # never at run time
    MAIN = "main"  # only when run as a script


class ImportedName(NamedTuple):
    """One `name [as asname]` of an import statement."""

    name: str
    asname: str | None
    span: Span


class ImportFact(NamedTuple):
    """One import: `import name` (one per alias) or `from module import names`."""

    is_from: bool
    module: str
    level: int
    names: tuple[ImportedName, ...]
    span: Span
    where: Where
    conditional: bool
    guarded: bool
    binds: bool  # binds module-level names (not a class body)

    @property
    def is_star(self) -> bool:
        """True for `from m import *`."""
        return self.is_from and len(self.names) == 1 and self.names[0].name == "*"


@dataclass(frozen=True, slots=True)
class Bind:
    """Module-level names become bound at this point of execution."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunImport:
    """The import `imports[index]` runs at this point of execution.

    `maybe`: it may not run when reached, for a reason the events do not show (an `if` the
    running Python does not decide, a loop body, a handler of a `try` that is not followed).
    A function body's import appears here where module-level code calls that function.
    """

    index: int
    maybe: bool = False


@dataclass(frozen=True, slots=True)
class TryStart:
    """A `try:` with handlers: its body's events follow, then each handler's, then TryEnd.

    `catches`: of the exceptions a failing import raises at import time (ImportError,
    AttributeError, NameError), those some handler catches; None when a handler names an
    exception class that is not a builtin (what it catches cannot be told).
    """

    catches: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class TryHandler:
    """The events of one `except` clause of the enclosing TryStart follow; `catches` as there."""

    catches: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class TryEnd:
    """The end of the enclosing TryStart's handlers (its `else` and `finally` follow)."""


@dataclass(frozen=True, slots=True)
class Access:
    """Module-level code reads `name.attrs[0].attrs[1]...` at this point of execution; a bare
    `name` (no attrs) only after a star import, when no statement before it binds `name`."""

    name: str
    attrs: tuple[str, ...]
    span: Span
    conditional: bool
    guarded: bool


@dataclass(frozen=True, slots=True)
class Unbind:
    """Module-level names stop being bound at this point of execution (`del name`, surely run)."""

    names: tuple[str, ...]


Event = Bind | RunImport | Access | TryStart | TryHandler | TryEnd | Unbind


# The walk builds an event per import run, name bound and attribute read (~200,000 over a
# large tree) and the main process decodes them all again. A frozen dataclass's own
# `__init__` sets each field through `object.__setattr__`, looked up per field; these set it
# through the field's slot descriptor (C) instead: ~40 % less per record, the same record
# (frozen, equal, hashed, pickled, encoded as before; tests/check/test_facts_records.py).
def _setters(cls: type, *names: str) -> list[Callable[[object, object], None]]:
    return [cls.__dict__[name].__set__ for name in names]


def _access_init() -> Callable[..., None]:
    name_, attrs_, span_, conditional_, guarded_ = _setters(
        Access, "name", "attrs", "span", "conditional", "guarded"
    )

    def __init__(
        self: Access,
        name: str,
        attrs: tuple[str, ...],
        span: Span,
        conditional: bool,
        guarded: bool,
    ) -> None:
        name_(self, name)
        attrs_(self, attrs)
        span_(self, span)
        conditional_(self, conditional)
        guarded_(self, guarded)

    return __init__


def _run_import_init() -> Callable[..., None]:
    index_, maybe_ = _setters(RunImport, "index", "maybe")

    def __init__(self: RunImport, index: int, maybe: bool = False) -> None:
        index_(self, index)
        maybe_(self, maybe)

    return __init__


def _bind_init() -> Callable[..., None]:
    (names_,) = _setters(Bind, "names")

    def __init__(self: Bind, names: tuple[str, ...]) -> None:
        names_(self, names)

    return __init__


for _cls, _init in ((Access, _access_init), (RunImport, _run_import_init), (Bind, _bind_init)):
    _made = _init()
    _made.__qualname__ = f"{_cls.__name__}.__init__"
    _cls.__init__ = _made  # type: ignore[method-assign]
# No class left in the module's names but its own (the cache's codec lists them all).
del _cls, _init, _made


@dataclass(frozen=True, slots=True)
class AllEntry:
    """A string literal inside `__all__`; `conditional` when it sits in an if/try branch."""

    name: str
    span: Span
    conditional: bool


@dataclass(frozen=True, slots=True)
class AllLiteral:
    """One list or tuple literal that feeds `__all__` (what RUF022 sorts)."""

    names: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class SourceError:
    """Why a file could not be analysed.

    `kind`: "read" (the file cannot be read), "decode" (its bytes are not text in its
    encoding), "syntax" (the compiler rejects it), "invalid" (the parser refuses it, e.g.
    NUL bytes), "nesting" (too deeply nested to analyse), "size" (too large to parse) or
    "skipped" (larger than the configured `max-file-size`: not parsed, reported in a note).
    `detail` is what the system or the compiler said, when it said something.
    """

    kind: str
    detail: str
    span: Span


class NoqaDirective(NamedTuple):
    """One `# noqa` comment as written (tokenizer-confirmed): its line, where the directive
    `# noqa[: CODES]` starts and ends on it (0-based UTF-8 byte columns, as `ast`), the last
    line it covers (a statement's last when it sits on its first line), and its codes in
    the order written, repeats kept (None: a bare noqa)."""

    line: int
    column: int
    end_column: int
    end_line: int
    codes: tuple[str, ...] | None


class Fact(NamedTuple):
    """Something a module does that a rule may report: where, what kind, and the name it
    concerns ("" when none). The kinds of each ModuleFacts field are listed there."""

    span: Span
    kind: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything the rules need to know about one file."""

    error: SourceError | None = None
    imports: tuple[ImportFact, ...] = ()
    events: tuple[Event, ...] = ()
    bindings: frozenset[str] = frozenset()
    typing_bindings: frozenset[str] = frozenset()
    assigned: frozenset[str] = frozenset()  # bound by assignment, def or class
    declared: frozenset[str] = frozenset()  # `name: T` without a value (what stubs do)
    # Declared `global` in a function: bound whenever that function runs, if ever.
    global_names: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()  # names read anywhere; computed for packages only
    has_getattr: bool = False
    dynamic: bool = False  # writes its own namespace (globals(), exec) or __path__
    defines_all: bool = False
    all_complete: bool = True
    all_entries: tuple[AllEntry, ...] = ()
    all_literals: tuple[AllLiteral, ...] = ()
    all_sources: tuple[tuple[str, Span], ...] = ()  # `core.__all__` → ("core", span)
    # `from .core import __all__ as core_all` then `__all__ = core_all + [...]`: import index.
    all_imports: tuple[tuple[int, Span], ...] = ()
    # Changes of `__all__` that cannot be read: "element" (not a string literal), "operator"
    # (not `+=`), "expression" (an unreadable `x.__all__`), "value" (anything else),
    # "arguments" / "argument" (`__all__.<name>()` with a wrong argument list / argument).
    all_problems: tuple[Fact, ...] = ()
    # Work done at import time: "call" (name: the callee, "" when it has no dotted name),
    # "write" (name: `os.environ` or `sys.modules`, written by subscript) or "while" (a
    # module-level `while True:` that no `break` ends).
    side_effects: tuple[Fact, ...] = ()
    # Changes of sys.path: "assign" (name: what is assigned) or "call" (name: the callee).
    path_hacks: tuple[Fact, ...] = ()
    # For each import (index-aligned), how the module uses the names it binds: a
    # `facts.uses.USES` value, "" for an import that binds no module name.
    import_uses: tuple[str, ...] = ()
    # (line, codes) pairs; codes None for a bare noqa comment. A tuple keeps the record hashable.
    noqa: tuple[tuple[int, frozenset[str] | None], ...] = ()
    # The noqa comments themselves, for the unused-noqa rule (SUP001); empty for a file that
    # does not parse.
    noqa_directives: tuple[NoqaDirective, ...] = ()

    def suppressed(self, code: str, line: int, end_line: int) -> bool:
        """True when a `# noqa` comment on the first or last line, or a file-level
        `# scaffold: noqa` (line 0), silences `code`."""
        for number, codes in self.noqa:
            if number in (0, line, end_line) and (codes is None or code in codes):
                return True
        return False


class Severity(enum.StrEnum):
    """How bad a finding is; `off` rules run only when selected by their exact code."""

    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


class Related(NamedTuple):
    """A further location that explains a diagnostic (each import of a cycle, say). A named
    tuple: a report with broken contracts holds thousands, and a warm run decodes them all."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding; `path` is POSIX and relative to the checked folder, positions 1-based."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    fixable: bool = False
    related: tuple[Related, ...] = ()
    args: tuple[tuple[str, Arg], ...] = ()  # the finding's args (see Finding)
    # Identifies the finding across edits (scaffold.check.locations); "" until located.
    fingerprint: str = ""

    def arg(self, name: str) -> Arg | None:
        """One of the finding's args, or None."""
        return dict(self.args).get(name)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order findings by file, position, code, then message, so output is reproducible."""
        return (self.path, self.line, self.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything one run found: sorted diagnostics, how many files were read, skip notes."""

    diagnostics: tuple[Diagnostic, ...]
    files: int
    root: str = "."
    notes: tuple[str, ...] = field(default=())
    # (path, line, code, nearest known code): a noqa comment naming a code of scaffold's
    # families that no rule has; printed as warnings, never findings (as ruff's).
    unknown_noqa: tuple[tuple[str, int, str, str | None], ...] = field(default=())

    @property
    def errors(self) -> int:
        """Number of error-severity findings."""
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning-severity findings."""
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def fixable(self) -> int:
        """Number of findings with a safe fix."""
        return sum(1 for d in self.diagnostics if d.fixable)


# A finding's argument: a name, a module, a count.
Arg = str | int


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports, before configuration, noqa and rendering see it."""

    code: str
    path: str
    span: Span
    # What the message and the fix need, as sorted (name, value) pairs: the rule renders its
    # message from them, and a fixer reads them (never the message).
    args: tuple[tuple[str, Arg], ...] = ()
    related: tuple[Related, ...] = ()
    # A name inside a multi-line import: a noqa comment on the statement's first line counts
    # too, as flake8 and pyflakes users write it.
    statement_line: int = 0
