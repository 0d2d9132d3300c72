"""The contracts' chain search: each chain is a shortest one, there is one for every pair of
modules that has one, and a `layers` or `independence` contract searches from each module of
its packages once, not once per pair of packages (which made contracts cost 10% of a cold
check of sympy)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import scaffold.check.imports.contracts as contracts_module
from scaffold.check.contracts import Contract, parse_contracts
from scaffold.check.imports.contracts import ModuleGraph, Violation, evaluate

from .test_contracts import graph_of
from .test_contracts_oracle import _ours, random_contracts, random_tree

Tree = Callable[[Mapping[str, str | bytes]], Path]


def _distances(
    graph: ModuleGraph, source: str, closed: set[str], *, direct_only: bool
) -> dict[str, int]:
    """Imports from `source` to every module, entering no closed module but `source`."""
    distance = {source: 0}
    queue = [source]
    for module in queue:
        if module != source and (direct_only or module in closed):
            continue
        for target in graph.imports.get(module, {}):
            if target not in distance:
                distance[target] = distance[module] + 1
                queue.append(target)
    return distance


def _packages(contract: Contract, graph: ModuleGraph) -> list[str]:
    names = [m for layer in contract.layers for m in layer.modules] or list(contract.modules)
    return [found for name in names for found in graph.expand(name)]


def _expected(
    contract: Contract, graph: ModuleGraph, violation: Violation
) -> dict[tuple[str, str], int]:
    """The shortest chain's length for each (module, module) pair of a violation, searched
    pair by pair as the contract defines it."""
    low, high = graph.package(violation.importer), graph.package(violation.imported)
    if contract.kind == "forbidden":
        closed = low | high
    else:  # every layer's modules are closed to the chains between two others
        closed = set().union(*(graph.package(p) for p in _packages(contract, graph)))
    expected: dict[tuple[str, str], int] = {}
    for source in low:
        distance = _distances(graph, source, closed, direct_only=contract.allow_indirect)
        expected |= {(source, t): distance[t] for t in high if t in distance and t != source}
    return expected


@pytest.mark.parametrize("seed", range(40))
def test_every_chain_is_a_shortest_one_and_none_is_missing(seed: int, tmp_path: Path) -> None:
    [name] = random_tree(tmp_path, seed)
    graph = graph_of(tmp_path, type_checking=True, function=True)
    table = [_ours(c) for c in random_contracts(name) if c["type"] != "acyclic-siblings"]
    for contract in parse_contracts(table, tmp_path):
        if contract.containers:
            continue  # the same search, prefixed; the oracle test covers its verdicts
        for violation in evaluate(contract, graph):
            found = {(c[0].importer, c[-1].imported): len(c) for c in violation.chains}
            assert found == _expected(contract, graph, violation), (contract.name, violation)
            for chain in violation.chains:
                assert all(a.imported == b.importer for a, b in itertools.pairwise(chain))
            lengths = [len(chain) for chain in violation.chains]
            assert lengths == sorted(lengths)


def test_each_module_is_searched_from_once_whatever_the_number_of_packages(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    packages = [f"app.p{i}" for i in range(6)]
    files: dict[str, str] = {"app/__init__.py": "", "app/hub.py": ""}
    for package in packages:
        folder = package.replace(".", "/")
        files[f"{folder}/__init__.py"] = ""
        files[f"{folder}/m0.py"] = "import app.hub\n"
        files[f"{folder}/m1.py"] = "import app.hub\n"
    files["app/hub.py"] = "".join(f"import {p}.m0\n" for p in packages)
    root = tree(files)
    graph = graph_of(root)
    searches: list[Any] = []

    class Counted(deque):  # type: ignore[type-arg]
        def __init__(self, *args: Any) -> None:
            searches.append(args)
            super().__init__(*args)

    monkeypatch.setattr(contracts_module, "deque", Counted)
    table = [{"name": "apart", "type": "independence", "modules": packages}]
    [contract] = parse_contracts(table, root)
    violations = evaluate(contract, graph)
    assert len(violations) == 6 * 5  # each package reaches each other one through the hub
    modules = 3 * len(packages)
    assert len(searches) <= modules + 1  # one per module, and one for what reaches them
