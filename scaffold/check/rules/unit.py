"""What a rule is: code, name, severity, docs, message, checks and fix, declared side by side.

The small records here are named tuples, not dataclasses: a check's start-up imports every
rule, and a named tuple class costs a sixth of a frozen dataclass's to create.

Every rule of scaffold (and any rule added later) is one `Rule` value in the module that
holds its check and its fix. A check sees a context of its scope (one parsed file, the
discovered tree, the import graph, the import-time simulation's result, one pyproject) and
yields `Finding`s whose `args` carry what the message and the fix need; the message is
rendered from them, and nothing ever reads a message back.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from scaffold.check.model import Diagnostic, Finding, ModuleFacts, Related, Severity, Span
from scaffold.edit import SourceOffsets, TextEdit

if TYPE_CHECKING:
    from scaffold.check.config import CheckConfig
    from scaffold.check.discover import SourceFile, Tree
    from scaffold.check.imports.graph import Edge
    from scaffold.check.imports.simulation import Failure
    from scaffold.check.project import Project

__all__ = [
    "Check",
    "ConfigContext",
    "FileContext",
    "FixContext",
    "FixKind",
    "Fixer",
    "GraphContext",
    "ImportTimeContext",
    "PeerCode",
    "Rule",
    "RuleDocs",
    "Scope",
    "TreeContext",
]


class FixKind(enum.StrEnum):
    """Whether a rule's fix keeps behaviour (safe) or changes the public API (unsafe)."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"


class Scope(enum.Enum):
    """What a check looks at; the runner builds one context of this kind per call."""

    FILE = "file"  # one module that parsed: FileContext
    UNPARSED = "unparsed"  # one module the parser could not read: FileContext
    TREE = "tree"  # the discovered files and folders: TreeContext
    GRAPH = "graph"  # the first-party import graph: GraphContext
    IMPORT_TIME = "import-time"  # the import-order simulation's failures: ImportTimeContext
    CONFIG = "config"  # one pyproject.toml: ConfigContext


class FileContext(NamedTuple):
    """One module, its facts, and the project its imports resolve in."""

    project: Project
    source: SourceFile
    facts: ModuleFacts


class TreeContext(NamedTuple):
    """The discovered tree: files, folders and their configuration."""

    tree: Tree


class GraphContext(NamedTuple):
    """The module-level import graph: file key -> edges to the files it imports; and the
    tree's configurations (the one above PATH and each workspace member's), whose contracts
    are about the whole graph), and the checked folder."""

    project: Project
    graph: Mapping[str, list[Edge]]
    configs: Sequence[CheckConfig] = ()
    base: Path | None = None


class ImportTimeContext(NamedTuple):
    """What the simulation of Python's import order found would raise."""

    project: Project
    failures: Sequence[Failure]


class ConfigContext(NamedTuple):
    """One pyproject.toml inside the checked folder; `rel` is its reported path."""

    project: Project
    config: CheckConfig
    rel: str


CheckFunction = Callable[[Any], Iterable[Finding]]


class Check(NamedTuple):
    """One check of a rule: the scope it runs in and the function that runs there.

    `by_group` (GRAPH scope only): the check reports each strongly connected group of the
    import graph from that group's files alone (their imports and facts), so that run over
    the imports of one group's files it finds exactly what it finds for that group in the
    whole graph. The cached check then runs it again for the groups an edit touches only.
    """

    scope: Scope
    run: CheckFunction
    by_group: bool = False


@dataclass
class FixContext:
    """One file being fixed: its text, its syntax tree, the edits planned so far.

    A fixer adds `edits` (spans of the text as it was read) and counts what they fix in
    `fixed`; a change that is easier to make on the edited text is a `rewrite` applied after
    them, with the number of findings it fixes when it succeeds (returns text).
    """

    text: str
    tree: ast.Module
    source: SourceFile
    project: Project
    offsets: SourceOffsets = field(init=False)
    edits: list[TextEdit] = field(default_factory=list)
    rewrites: list[tuple[Callable[[str], str | None], int]] = field(default_factory=list)
    fixed: int = 0

    def __post_init__(self) -> None:
        self.offsets = SourceOffsets(self.text)

    def nodes_at(self, diagnostic: Diagnostic) -> list[tuple[ast.AST, ast.AST | None]]:
        """Nodes whose span is exactly the diagnostic's, with their parents."""
        want = (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column)
        found: list[tuple[ast.AST, ast.AST | None]] = []
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                if _node_position(child) == want:
                    found.append((child, parent))
        return found


def _node_position(node: ast.AST) -> tuple[int, int, int, int]:
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0) + 1,
        getattr(node, "end_lineno", 0) or 0,
        (getattr(node, "end_col_offset", 0) or 0) + 1,
    )


# A fixer gets the file and the selected diagnostics of every rule that shares it (two rules
# that rewrite the same `__all__` literal plan their edits together).
Fixer = Callable[[FixContext, Sequence[Diagnostic]], None]


class PeerCode(NamedTuple):
    """The same check (or a close one) in another tool: the tool, its code and its name, as
    that tool's own documentation spells them."""

    tool: str
    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.tool} {self.code} {self.name}"


class RuleDocs(NamedTuple):
    """The text of `scaffold rule CODE`, the same sections for every rule (ruff's layout)."""

    what: str
    why: str
    example: str
    use_instead: str
    exemptions: str = ""  # what the rule deliberately leaves alone
    fix_safety: str = ""  # why the fix keeps (or, unsafe, changes) behaviour
    options: str = ""  # the configuration keys that change what the rule reports


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule. `message` is a `str.format` template over a finding's args, or a mapping
    from the finding's `kind` arg to such templates when the rule words several cases."""

    code: str
    name: str
    severity: Severity
    message: str | Mapping[str, str]
    docs: RuleDocs
    checks: tuple[Check, ...] = ()
    fix: FixKind = FixKind.NONE
    fixer: Fixer | None = None
    # ruff's rules for the same problem: a noqa comment naming one silences this rule too, so
    # the two tools never make a user write two comments for one decision.
    ruff_codes: tuple[str, ...] = ()
    # Other tools' checks for the same problem, for the docs only: pylint's codes go in
    # `# pylint: disable=` comments, and a noqa naming them silences nothing here.
    peer_codes: tuple[PeerCode, ...] = ()

    @property
    def summary(self) -> str:
        """The first section of the docs: what the rule finds."""
        return self.docs.what

    @property
    def why(self) -> str:
        """Why what it finds is a problem."""
        return self.docs.why

    def finding(
        self,
        path: str,
        span: Span,
        *,
        statement_line: int = 0,
        related: tuple[Related, ...] = (),
        **args: str | int,
    ) -> Finding:
        """A finding of this rule; `args` fill its message."""
        return Finding(self.code, path, span, tuple(sorted(args.items())), related, statement_line)

    def render(self, args: Mapping[str, str | int]) -> str:
        """The message of a finding with these args."""
        template = self.message
        if not isinstance(template, str):
            template = template[str(args["kind"])]
        return template.format_map(args)

    def closing_sections(self) -> list[tuple[str, str]]:
        """The optional prose sections after "Use instead", in order, as (title, text): the
        one list every format of a rule's docs renders."""
        sections = [
            ("Exemptions", self.docs.exemptions),
            ("Fix safety", self.docs.fix_safety),
            ("Options", self.docs.options),
        ]
        if self.ruff_codes:
            codes = ", ".join(self.ruff_codes)
            silences = f"{codes}: `# noqa: {codes}` silences this rule too."
            sections.append(("Related ruff codes", silences))
        return [(title, text) for title, text in sections if text]

    def explain(self) -> str:
        """The text of `scaffold rule CODE`."""
        fix = {
            FixKind.NONE: "no automatic fix",
            FixKind.SAFE: "safe fix available",
            FixKind.UNSAFE: "unsafe fix available (only with --unsafe-fixes)",
        }[self.fix]
        sections = [
            f"{self.code} ({self.name}) — default severity: {self.severity.value}; {fix}",
            f"What it does\n    {self.docs.what}",
            f"Why is this bad?\n    {self.docs.why}",
            f"Example\n{_indent(self.docs.example)}",
            f"Use instead\n{_indent(self.docs.use_instead)}",
        ]
        sections += [f"{title}\n    {text}" for title, text in self.closing_sections()]
        if self.peer_codes:
            peers = "\n".join(f"    {peer}" for peer in self.peer_codes)
            sections.append(f"The same check in other tools\n{peers}")
        return "\n\n".join(sections) + "\n"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.strip("\n").splitlines())
