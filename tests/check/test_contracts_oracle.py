"""Contracts against import-linter itself: the same contracts over the same trees must break
between the same (importer, imported) packages, for random trees and two real ones."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scaffold.check.contracts import parse_contracts
from scaffold.check.imports.contracts import evaluate

from .test_contracts import graph_of

ORACLE = Path(__file__).with_name("importlinter_oracle.py")
Verdict = dict[str, dict[str, Any]]


def import_linter(
    root: Path, packages: list[str], contracts: list[dict[str, Any]], work: Path
) -> Verdict:
    """import-linter's verdict on `contracts` over the packages in `root`, run in a fresh
    interpreter (its spec written to `work`)."""
    spec = work / "importlinter-spec.json"
    options = [{"id": str(i), **_snake(c)} for i, c in enumerate(contracts)]
    spec.write_text(json.dumps({"root": str(root), "packages": packages, "contracts": options}))
    out = subprocess.run(
        [sys.executable, str(ORACLE), str(spec)], capture_output=True, text=True, check=True
    ).stdout
    verdict: Verdict = json.loads(out)
    assert "error" not in verdict, verdict
    return verdict


def _snake(contract: dict[str, Any]) -> dict[str, Any]:
    snake = {k.replace("-", "_"): v for k, v in contract.items()}
    return {**snake, "type": snake["type"].replace("-", "_")}


def scaffold_verdict(root: Path, contracts: list[dict[str, Any]]) -> Verdict:
    graph = graph_of(root, type_checking=True, function=True)
    verdict: Verdict = {}
    for contract in parse_contracts(contracts, root):
        pairs = set()
        for violation in evaluate(contract, graph):
            if violation.detail in ("cycle", "undeclared"):
                pairs.add((violation.importer, violation.detail))
            else:
                pairs.add((violation.importer, violation.imported))
        verdict[contract.name] = {"kept": not pairs, "pairs": sorted(pairs)}
    return verdict


def normalised(verdict: Verdict) -> Verdict:
    return {
        name: {"kept": v["kept"], "pairs": sorted(map(tuple, v["pairs"]))}
        for name, v in verdict.items()
    }


def random_tree(root: Path, seed: int) -> list[str]:
    """A package `p{seed}` of subpackages and modules importing each other at random, at
    module level, in functions and under TYPE_CHECKING."""
    rng = random.Random(seed)
    name = f"p{seed}"
    modules = [f"{name}.{sub}.m{i}" for sub in "abcd" for i in range(rng.randint(1, 3))]
    modules += [f"{name}.{sub}.inner.m{i}" for sub in "ab" for i in range(2)]
    packages = {m.rpartition(".")[0] for m in modules} | {f"{name}.{s}" for s in "abcd"}
    packages |= {f"{name}.a.inner", f"{name}.b.inner", name}
    for package in packages:
        path = root / package.replace(".", "/") / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    for module in modules:
        lines = ["from typing import TYPE_CHECKING"]
        for other in rng.sample(modules, k=rng.randint(0, 3)):
            if other == module:
                continue
            style = rng.choice(["plain", "plain", "function", "typing"])
            if style == "plain":
                lines.append(f"import {other}")
            elif style == "function":
                lines.append(f"def f_{other.replace('.', '_')}():\n    import {other}")
            else:
                lines.append(f"if TYPE_CHECKING:\n    import {other}")
        (root / (module.replace(".", "/") + ".py")).write_text("\n".join(lines) + "\n")
    return [name]


def random_contracts(name: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{name} layers",
            "type": "layers",
            "layers": [f"{name}.a", f"{name}.b | {name}.c", f"{name}.d"],
        },
        {
            "name": f"{name} forbidden",
            "type": "forbidden",
            "source-modules": [f"{name}.a"],
            "forbidden-modules": [f"{name}.d", f"{name}.b.**"],
        },
        {
            "name": f"{name} direct",
            "type": "forbidden",
            "source-modules": [f"{name}.*"],
            "forbidden-modules": [f"{name}.c"],
            "allow-indirect-imports": "true",
        },
        {
            "name": f"{name} independence",
            "type": "independence",
            "modules": [f"{name}.a", f"{name}.c", f"{name}.d"],
        },
        {"name": f"{name} siblings", "type": "acyclic-siblings", "ancestors": [name]},
        {
            "name": f"{name} containers",
            "type": "layers",
            "layers": ["inner", "(m9)", "m0"],
            "containers": [f"{name}.a", f"{name}.b"],
        },
    ]


@pytest.mark.parametrize("seed", range(12))
def test_random_trees_break_the_same_contracts_as_import_linter(seed: int, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    [name] = random_tree(root, seed)
    contracts = random_contracts(name)
    ours = scaffold_verdict(root, [_ours(c) for c in contracts])
    theirs = import_linter(root, [name], contracts, tmp_path)
    assert normalised(ours) == normalised(theirs)


def _ours(contract: dict[str, Any]) -> dict[str, Any]:
    if "allow-indirect-imports" in contract:
        contract = {**contract, "allow-indirect-imports": True}
    return contract


REAL_TREES = {
    "jinja2": [
        {
            "name": "compiler below the environment",
            "type": "layers",
            "layers": ["jinja2.environment", "jinja2.compiler", "jinja2.nodes"],
        },
        {
            "name": "lexer stands alone",
            "type": "forbidden",
            "source-modules": ["jinja2.lexer"],
            "forbidden-modules": ["jinja2.environment", "jinja2.runtime"],
        },
        {"name": "no sibling loops", "type": "acyclic-siblings", "ancestors": ["jinja2"]},
        {
            "name": "utils and filters",
            "type": "independence",
            "modules": ["jinja2.utils", "jinja2.filters", "jinja2.tests"],
        },
    ],
    "yaml": [
        {
            "name": "reader to dumper",
            "type": "layers",
            "layers": [
                "yaml.loader | yaml.dumper",
                "yaml.constructor : yaml.representer",
                "yaml.parser",
                "yaml.scanner",
                "yaml.reader",
            ],
        },
        {"name": "no sibling loops", "type": "acyclic-siblings", "ancestors": ["yaml"]},
        {
            "name": "upside down, to break",
            "type": "layers",
            "layers": ["yaml.reader", "yaml.scanner | yaml.emitter", "yaml.loader"],
        },
        {
            "name": "emitter never loads",
            "type": "forbidden",
            "source-modules": ["yaml.emitter"],
            "forbidden-modules": ["yaml.loader", "yaml.constructor"],
        },
    ],
}


@pytest.mark.parametrize("package", sorted(REAL_TREES))
def test_real_trees_break_the_same_contracts_as_import_linter(package: str, tmp_path: Path) -> None:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    root = Path(spec.origin).parent
    contracts = REAL_TREES[package]
    ours = scaffold_verdict(root, contracts)
    theirs = import_linter(root.parent, [package], contracts, tmp_path)
    assert normalised(ours) == normalised(theirs)
    assert not all(v["kept"] for v in ours.values())  # the trees do break some
