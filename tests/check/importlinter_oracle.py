"""Run import-linter on a tree and print its verdict as JSON (run in a subprocess by tests).

Input (argv[1]): a JSON file {"root": folder, "packages": [...], "contracts": [...]} where
each contract is import-linter's options for it. Output: {name: {"kept": bool, "pairs":
[[importer, imported], ...]}}, the pairs being the packages between which import-linter found
a broken dependency (for acyclic_siblings: the packages whose children form a cycle).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    sys.path.insert(0, spec["root"])
    from importlinter import configuration
    from importlinter.application.use_cases import _register_built_in_contract_types, create_report
    from importlinter.application.user_options import UserOptions

    configuration.configure()
    _register_built_in_contract_types()
    options = UserOptions(
        session_options={"root_packages": spec["packages"]},
        contracts_options=spec["contracts"],
    )
    report = create_report(options, cache_dir=None)
    if report.could_not_run:
        print(json.dumps({"error": str(report.invalid_contract_options)}))
        return
    verdict: dict[str, Any] = {}
    for contract, check in report.get_contracts_and_checks():
        verdict[contract.name] = {"kept": check.kept, "pairs": sorted(_pairs(check.metadata))}
    print(json.dumps(verdict))


def _pairs(metadata: dict[str, Any]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for data in metadata.get("invalid_chains", []):
        pairs.add((data["downstream_module"], data["upstream_module"]))
    for data in metadata.get("invalid_dependencies", []):
        pairs.add((data["importer"], data["imported"]))
    for module in metadata.get("undeclared_modules", []):
        pairs.add((module, "undeclared"))
    for package in metadata.get("cycle_breakers_by_package", {}):
        pairs.add((package, "cycle"))
    return pairs


if __name__ == "__main__":
    main()
