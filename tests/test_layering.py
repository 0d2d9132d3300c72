"""The package's layers: forbidden import arrows between scaffold's own modules.

Every import counts, wherever it sits (inside a function or under TYPE_CHECKING too), and
so does the chain of packages an import runs: importing `a.b.c` runs `a/__init__` and
`a/b/__init__` first. An arrow is forbidden when a module of the source layer reaches a
module of the target layer through any chain of such imports. One exception: a package
`__init__` that loads its API lazily (PEP 562) names its homes under TYPE_CHECKING only
to type them; those lines never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scaffold"

# The stages of the check, each of which must work without the incremental machinery.
STAGES = (
    "scaffold.check.model",
    "scaffold.check.options",
    "scaffold.check.contracts",
    "scaffold.check.discover",
    "scaffold.check.walk",
    "scaffold.check.ignores",
    "scaffold.check.members",
    "scaffold.check.facts",
    "scaffold.check.project",
    "scaffold.check.imports",
    "scaffold.check.rules",
    "scaffold.check.analysis",
    "scaffold.check.select",
    "scaffold.check.pipeline",
    "scaffold.check.output",
)
# (what reaches, what it must not reach, why)
FORBIDDEN: tuple[tuple[str, str, str], ...] = (
    ("scaffold.check", "scaffold.generate", "the checker never reaches generation"),
    ("scaffold.check", "copier", "the checker never reaches Copier"),
    ("scaffold.check", "scaffold.cli", "the checker is a library under the CLI"),
    ("scaffold.check.rules", "scaffold.check.output", "a rule never reaches a renderer"),
    ("scaffold.check.server", "scaffold.cli", "the server is a library under the CLI"),
    ("scaffold.check.server", "scaffold.generate", "the server never reaches generation"),
    ("scaffold.check.output", "scaffold.cli", "a renderer never reaches the CLI"),
    # Template testing renders through generate/ and reports in check's Diagnostic form;
    # neither of those reaches back up to it.
    ("scaffold.template_testing", "scaffold.cli", "template testing is a library under the CLI"),
    ("scaffold.generate", "scaffold.template_testing", "generation never reaches its tests"),
    ("scaffold.check", "scaffold.template_testing", "the checker never reaches template testing"),
    # Contracts are configuration: read with the pyproject, before any file is discovered.
    ("scaffold.check.contracts", "scaffold.check.discover", "contracts are parsed, not run"),
    ("scaffold.check.contracts", "scaffold.check.imports", "contracts are parsed, not run"),
    *(
        (stage, "scaffold.check.incremental", "the pipeline is correct without incremental/")
        for stage in STAGES
    ),
)
# The language server lives inside check (it runs check's pipeline in memory) but check
# works without it: (layer, the part of it exempt, what the rest must not reach, why).
FORBIDDEN_OUTSIDE: tuple[tuple[str, str, str, str], ...] = (
    (
        "scaffold.check",
        "scaffold.check.server",
        "scaffold.check.server",
        "the checker never reaches the language server",
    ),
    ("scaffold.check", "scaffold.check.server", "pygls", "only the server reaches pygls"),
    ("scaffold.check", "scaffold.check.server", "lsprotocol", "only the server reaches lsprotocol"),
)
# Modules that import nothing of the package at all.
LEAVES = ("scaffold.check.model", "scaffold.check.members", "scaffold.files", "scaffold.interrupts")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    return {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }


def _imported(module: str, is_package: bool, tree: ast.Module) -> Iterable[str]:
    package = module if is_package else module.rpartition(".")[0]
    lazy = is_package and any(
        isinstance(node, ast.FunctionDef) and node.name == "__getattr__" for node in tree.body
    )
    skipped = _type_checking_only(tree) if lazy else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """scaffold's modules -> what each imports (modules of the package, or other top names)."""
    sources = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "_templates" not in p.parts}
    graph: dict[str, set[str]] = {}
    for module, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for name in _imported(module, path.name == "__init__.py", tree):
            if not name.startswith("scaffold"):
                targets.add(name.partition(".")[0])
                continue
            # `from pkg import name` names a submodule or an attribute; the packages above
            # whatever it names run first either way.
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                if ".".join(parts[:i]) in sources:
                    targets.add(".".join(parts[:i]))
        graph[module] = targets - {module}
    return graph


def _within(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


def violations(graph: Mapping[str, set[str]]) -> list[str]:
    """Each forbidden arrow as 'source -> ... -> target (why)'."""
    found: list[str] = []
    arrows = [(source, "", target, why) for source, target, why in FORBIDDEN]
    for source_layer, exempt, target_layer, why in [*arrows, *FORBIDDEN_OUTSIDE]:
        starts = (m for m in graph if _within(m, source_layer))
        for start in sorted(m for m in starts if not (exempt and _within(m, exempt))):
            path = _path_to(graph, start, target_layer)
            if path is not None:
                found.append(f"{' -> '.join(path)} ({why})")
    for leaf in LEAVES:
        own = sorted(t for t in graph.get(leaf, ()) if _within(t, "scaffold"))
        if own:
            found.append(f"{leaf} imports {', '.join(own)} (it must import nothing of scaffold)")
    return found


def _path_to(graph: Mapping[str, set[str]], start: str, layer: str) -> list[str] | None:
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        module = queue.pop(0)
        if _within(module, layer):
            path = [module]
            while (parent := parents[path[-1]]) is not None:
                path.append(parent)
            return path[::-1]
        for target in sorted(graph.get(module, ())):
            if target not in parents:
                parents[target] = module
                queue.append(target)
    return None


def test_no_forbidden_arrow() -> None:
    assert violations(import_graph()) == []


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("scaffold.check.rules.exports.undefined_export", "scaffold.cli", "scaffold.cli"),
        ("scaffold.check.output.text", "scaffold.cli.check", "scaffold.cli.check"),
        ("scaffold.check.model", "scaffold.errors", "scaffold.check.model imports"),
        ("scaffold.check.discover", "scaffold.generate", "scaffold.generate"),
        ("scaffold.check.rules.unit", "scaffold.check.incremental.run", "incremental"),
        ("scaffold.template_testing.runner", "scaffold.cli.new", "scaffold.cli"),
        ("scaffold.generate.run", "scaffold.template_testing.plan", "its tests"),
        ("scaffold.check.select", "scaffold.check.server.engine", "scaffold.check.server"),
        ("scaffold.check.server.engine", "scaffold.cli.check", "scaffold.cli"),
        ("scaffold.check.facts.collector", "pygls", "only the server reaches pygls"),
    ],
)
def test_an_added_arrow_is_caught(source: str, target: str, expected: str) -> None:
    graph = import_graph()
    graph.setdefault(source, set()).add(target)
    graph.setdefault(target, set())
    assert any(expected in line for line in violations(graph))


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    graph = import_graph()
    # scaffold.cli imports generation inside its commands, to keep start-up fast.
    reachable = {t for m, ts in graph.items() if _within(m, "scaffold.cli") for t in ts}
    assert any(_within(t, "scaffold.generate") for t in reachable)
    assert "scaffold.check.model" in graph["scaffold.check.rules.unit"]
