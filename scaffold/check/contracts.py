"""`[[tool.scaffold.check.contracts]]`: architecture contracts, read and validated into records.

The four kinds and their keys follow import-linter's (`layers`, `forbidden`, `independence`,
`acyclic-siblings`), written in kebab-case; import-linter's snake_case spellings are accepted
too, so a `.importlinter` contract moves over by changing its syntax only. Everything that can
be checked without the code is checked here; whether the named modules exist is checked
against the project when the contracts run (`scaffold.check.imports.contracts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import UsageError

__all__ = [
    "KINDS",
    "Contract",
    "ContractError",
    "Layer",
    "NotInTreeError",
    "module_pattern",
    "parse_contracts",
]

KINDS = ("layers", "forbidden", "independence", "acyclic-siblings")

# The keys of each kind besides `name` and `type`; `ignore-imports` and the two switches
# that count imports which do not run at import time are common to every kind.
_COMMON = frozenset({"ignore-imports", "include-type-checking", "include-function-imports"})
_KEYS: dict[str, frozenset[str]] = {
    "layers": _COMMON | {"layers", "containers", "exhaustive", "exhaustive-ignores"},
    "forbidden": _COMMON | {"source-modules", "forbidden-modules", "allow-indirect"},
    "independence": _COMMON | {"modules"},
    "acyclic-siblings": _COMMON | {"ancestors", "depth"},
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "layers": ("layers",),
    "forbidden": ("source-modules", "forbidden-modules"),
    "independence": ("modules",),
    "acyclic-siblings": ("ancestors",),
}
# import-linter's spellings of the same keys.
_ALIASES = {"allow-indirect-imports": "allow-indirect"}
_NAME_PART = r"[A-Za-z_][A-Za-z0-9_]*"
_PATTERN = re.compile(rf"^(?:{_NAME_PART}|\*|\*\*)(?:\.(?:{_NAME_PART}|\*|\*\*))*$")
_DEFAULT_DEPTH = 10  # import-linter's default for acyclic-siblings


class ContractError(UsageError):
    """A contract in `[[tool.scaffold.check.contracts]]` cannot be used as written."""


class NotInTreeError(ContractError):
    """A contract names a module (or an import) the checked tree does not hold."""


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer: its modules (siblings, several when written `a | b` or `a : b`), and whether
    the siblings may import each other (`:`) or not (`|`). `optional` is import-linter's
    `(name)`: the layer may be missing from a container."""

    modules: tuple[str, ...]
    independent: bool = True
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Contract:
    """One contract as configured; `origin` names its pyproject.toml in messages."""

    name: str
    kind: str
    origin: str
    layers: tuple[Layer, ...] = ()
    containers: tuple[str, ...] = ()
    exhaustive: bool = False
    exhaustive_ignores: tuple[str, ...] = ()  # children of a container that need no layer
    sources: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    allow_indirect: bool = False
    modules: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = ()
    depth: int = _DEFAULT_DEPTH
    ignore_imports: tuple[tuple[str, str], ...] = ()
    include_type_checking: bool = False
    include_function_imports: bool = False

    def error(self, problem: str, kind: type[ContractError] = ContractError) -> ContractError:
        """A one-line error naming this contract and where it is configured."""
        return kind(f"{self.origin}: contract {self.name!r}: {problem}")


def module_pattern(text: str) -> re.Pattern[str]:
    """import-linter's module expression as a regex: `*` is one name part, `**` one or more."""
    parts = []
    for part in text.split("."):
        if part == "**":
            parts.append(rf"{_NAME_PART}(?:\.{_NAME_PART})*")
        elif part == "*":
            parts.append(_NAME_PART)
        else:
            parts.append(re.escape(part))
    return re.compile(r"\.".join(parts) + "$")


def parse_contracts(value: object, pyproject: Path) -> tuple[Contract, ...]:
    """The contracts of one pyproject's `[[tool.scaffold.check.contracts]]`; ContractError
    (one line, naming the contract) for anything malformed."""
    where = f"{pyproject}: [[tool.scaffold.check.contracts]]"
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ContractError(f"{where} must be an array of tables ([[...]] entries)")
    contracts = [_parse_one(table, str(pyproject), index) for index, table in enumerate(value)]
    names = [c.name for c in contracts]
    for name in names:
        if names.count(name) > 1:
            raise ContractError(f"{where}: two contracts are named {name!r}; names must differ")
    return tuple(contracts)


def _parse_one(raw: dict[str, object], origin: str, index: int) -> Contract:
    table = {_ALIASES.get(k.replace("_", "-"), k.replace("_", "-")): v for k, v in raw.items()}
    name = table.pop("name", None)
    if not isinstance(name, str) or not name.strip():
        raise ContractError(
            f"{origin}: contract #{index + 1} has no `name`; give each contract a name string"
        )
    shell = Contract(name=name, kind="", origin=origin)
    kind = table.pop("type", None)
    kind = kind.replace("_", "-") if isinstance(kind, str) else kind
    if kind not in KINDS:
        raise shell.error(f"unknown type {kind!r} (valid: {', '.join(KINDS)})")
    assert isinstance(kind, str)
    shell = Contract(name=name, kind=kind, origin=origin)
    unknown = sorted(set(table) - _KEYS[kind])
    if unknown:
        raise shell.error(
            f"unknown key {unknown[0]!r} for a {kind} contract"
            f" (valid: name, type, {', '.join(sorted(_KEYS[kind]))})"
        )
    for key in _REQUIRED[kind]:
        if key not in table:
            raise shell.error(f"a {kind} contract needs `{key}`")
    fields = _Fields(shell, table)
    contract = Contract(
        name=name,
        kind=kind,
        origin=origin,
        layers=fields.layers(),
        containers=fields.patterns("containers"),
        exhaustive=fields.boolean("exhaustive"),
        exhaustive_ignores=fields.names("exhaustive-ignores"),
        sources=fields.patterns("source-modules"),
        forbidden=fields.patterns("forbidden-modules"),
        allow_indirect=fields.boolean("allow-indirect"),
        modules=fields.patterns("modules"),
        ancestors=fields.patterns("ancestors"),
        depth=fields.depth(),
        ignore_imports=fields.ignore_imports(),
        include_type_checking=fields.boolean("include-type-checking"),
        include_function_imports=fields.boolean("include-function-imports"),
    )
    if contract.exhaustive and not contract.containers:
        raise contract.error("`exhaustive = true` needs `containers` (whose children to list)")
    if contract.exhaustive_ignores and not contract.exhaustive:
        raise contract.error(
            "`exhaustive-ignores` needs `exhaustive = true` (it names children that need no layer)"
        )
    _check_something(contract, table)
    return contract


def _check_something(contract: Contract, table: dict[str, object]) -> None:
    """Refuse a contract that can never be broken: it is a mistake, not a rule."""
    for key in _REQUIRED[contract.kind]:
        if table[key] == []:
            raise contract.error(f"`{key}` is empty; name the modules it is about")
    layers = contract.layers
    one_layer = len(layers) == 1 and len(layers[0].modules) == 1
    if contract.kind == "layers" and not contract.exhaustive and one_layer:
        raise contract.error(
            "`layers` holds one layer; give two or more, higher first (or siblings as `a | b`)"
        )
    one_module = len(contract.modules) == 1 and "*" not in contract.modules[0]
    if contract.kind == "independence" and one_module:
        raise contract.error(
            "`modules` holds one module; give two or more, or a pattern such as `pkg.*`"
        )


class _Fields:
    """Typed reads of one contract's table; each bad value is a ContractError naming the key."""

    def __init__(self, contract: Contract, table: dict[str, object]) -> None:
        self.contract = contract
        self.table = table

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.contract.error(f"`{key}` must be a list of strings, not {value!r}")
        return tuple(v.strip() for v in value)

    def patterns(self, key: str) -> tuple[str, ...]:
        values = self.strings(key)
        for value in values:
            self.check_pattern(key, value)
        return values

    def check_pattern(self, key: str, value: str) -> None:
        if not _PATTERN.match(value) or ("*" in value.split(".") and "**" in value.split(".")):
            raise self.contract.error(
                f"`{key}` holds {value!r}, which is not a module name or pattern"
                " (dotted names; `*` for one name part, `**` for any number; not both)"
            )

    def names(self, key: str) -> tuple[str, ...]:
        """Names of a container's children (one name part each, no patterns)."""
        values = self.strings(key)
        for value in values:
            if not re.fullmatch(_NAME_PART, value):
                raise self.contract.error(
                    f"`{key}` holds {value!r}, which is not the name of a container's child"
                    " (one name part, such as `utils`)"
                )
        return values

    def boolean(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self.contract.error(f"`{key}` must be true or false, not {value!r}")
        return value

    def depth(self) -> int:
        value = self.table.get("depth", _DEFAULT_DEPTH)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.contract.error(f"`depth` must be a whole number >= 0, not {value!r}")
        return value

    def layers(self) -> tuple[Layer, ...]:
        layers: list[Layer] = []
        seen: set[str] = set()
        for text in self.strings("layers"):
            layer = self.layer(text)
            for module in layer.modules:
                if module in seen:
                    raise self.contract.error(f"layer {module!r} is named twice in `layers`")
                seen.add(module)
            layers.append(layer)
        return tuple(layers)

    def layer(self, text: str) -> Layer:
        optional = text.startswith("(") and text.endswith(")")
        body = text[1:-1] if optional else text
        if "|" in body and ":" in body:
            raise self.contract.error(
                f"layer {text!r} mixes `|` (independent siblings) and `:` (siblings that may"
                " import each other); use one"
            )
        separator = ":" if ":" in body else "|"
        modules = tuple(part.strip() for part in body.split(separator))
        for module in modules:
            if not re.fullmatch(rf"{_NAME_PART}(?:\.{_NAME_PART})*", module):
                raise self.contract.error(
                    f"layer {text!r} is not a dotted module name (or names joined by `|`)"
                )
        return Layer(modules, independent=separator == "|", optional=optional)

    def ignore_imports(self) -> tuple[tuple[str, str], ...]:
        pairs: list[tuple[str, str]] = []
        for text in self.strings("ignore-imports"):
            importer, arrow, imported = text.partition("->")
            importer, imported = importer.strip(), imported.strip()
            if not arrow or not importer or not imported:
                raise self.contract.error(
                    f"`ignore-imports` holds {text!r}; write `importer -> imported`"
                )
            self.check_pattern("ignore-imports", importer)
            self.check_pattern("ignore-imports", imported)
            pairs.append((importer, imported))
        return tuple(pairs)
