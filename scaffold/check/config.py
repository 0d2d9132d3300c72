"""`[tool.scaffold.check]` in pyproject.toml, read and validated into a CheckConfig."""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.errors import UsageError
from scaffold.files import read_regular

if TYPE_CHECKING:
    from scaffold.check.contracts import Contract

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "FAIL_ON",
    "CheckConfig",
    "ConfigError",
    "Settings",
    "holds_pyproject",
    "load_config",
    "nearest_config",
    "nearest_project",
    "read_pyproject",
    "read_settings",
]

# `fail-on` levels: the lowest severity whose findings make the run fail (exit 1).
FAIL_ON = ("error", "warning")

# `max-file-size`: a source file larger than this is not parsed but reported in a note.
# Parsing costs about 350 MB and 3.5 s per MB of dense code (docs/decisions.md, issue 19);
# the largest hand-written files of sympy, numpy, scipy and libcst are 420-550 kB.
DEFAULT_MAX_FILE_SIZE = 1_000_000
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
_SIZE_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3}

_KEYS = frozenset(
    {
        "select",
        "ignore",
        "per-file-ignores",
        "exclude",
        "namespace-packages",
        "src",
        "extend-select",
        "contracts",
        "extend-ignore",
        "fail-on",
        "max-file-size",
    }
)


class ConfigError(UsageError):
    """`[tool.scaffold.check]` holds a value scaffold cannot use."""


@dataclass(frozen=True)
class CheckConfig:
    """One project's check settings; `directory` is where relative patterns start."""

    directory: Path
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    fail_on: str | None = None  # one of FAIL_ON; None: any finding fails
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    namespace_packages: frozenset[str] = frozenset()
    src: tuple[str, ...] = ()
    contracts: tuple[Contract, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes
    pyproject: Path | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    error: tuple[int, str] | None = None  # the pyproject did not parse: (line, message)
    # The pyproject's text as read (undecodable bytes replaced), for what needs its lines:

    text: str = ""


# The last parse of each pyproject.toml read, by its path, with the bytes it parsed: one run
# reads the nearest one more than once (for --fail-on, then for discovery), and a
# long-running process must see an edit.
_PARSED: dict[str, tuple[bytes, tuple[dict[str, Any], tuple[int, str] | None, str]]] = {}


def read_pyproject(path: Path) -> tuple[dict[str, Any], tuple[int, str] | None, str]:
    """Load a pyproject.toml: its table, its error as (line, message) (never raised), and its
    text (undecodable bytes replaced; "" when it cannot be read). The table is shared by
    every read of the same bytes: never change it."""
    try:
        raw = read_regular(path)
    except OSError as exc:
        return {}, (1, f"cannot read pyproject.toml: {exc}"), ""
    known = _PARSED.get(str(path))
    if known is not None and known[0] == raw:
        return known[1]
    parsed = _parse_pyproject(raw)
    _PARSED[str(path)] = (raw, parsed)
    return parsed


def _parse_pyproject(raw: bytes) -> tuple[dict[str, Any], tuple[int, str] | None, str]:
    text = raw.decode("utf-8", errors="replace")
    try:
        return tomllib.loads(raw.decode("utf-8")), None, text
    except UnicodeDecodeError as exc:
        return {}, (1, f"cannot read pyproject.toml: {exc}"), text
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or 1
        return {}, (int(line), f"pyproject.toml is not valid TOML: {exc}"), text


def _strings(value: object, key: str, where: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: [tool.scaffold.check] {key} must be a list of strings")
    return tuple(value)


def _fail_on(value: object, where: Path) -> str | None:
    if value is None or value in FAIL_ON:
        return value
    raise ConfigError(
        f"{where}: [tool.scaffold.check] fail-on must be one of {', '.join(map(repr, FAIL_ON))},"
        f" not {value!r}"
    )


def _file_size(value: object, where: Path) -> int:
    """`max-file-size`: a whole number of bytes, or a size with a unit ("2MB", "512 KiB")."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value)
        unit = _SIZE_UNITS.get(found.group(2).lower()) if found else None
        if found and unit is not None and float(found.group(1)) * unit >= 1:
            return int(float(found.group(1)) * unit)
    raise ConfigError(
        f"{where}: [tool.scaffold.check] max-file-size must be a number of bytes above 0 or a"
        f' size such as "2MB" or "512KiB" (units B, kB, MB, GB, KiB, MiB, GiB), not {value!r}'
    )


@dataclass(frozen=True, eq=False)
class Settings:
    """The `[tool.scaffold.check]` settings of a whole run, used instead of each
    pyproject.toml's: `--config FILE`'s table, or none at all (`--isolated`, `file` None).
    Each pyproject.toml is still read for what is not configuration (its project's root,
    its `[project]` tables)."""

    file: Path | None = None
    table: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """The settings as text, for the cache key (a different table, a different report)."""
        import json  # only for `--config` and `--isolated` runs

        return json.dumps([str(self.file), self.table], sort_keys=True, default=str)


def read_settings(path: Path) -> Settings:
    """`--config FILE`: the `[tool.scaffold.check]` table of a pyproject.toml or another TOML
    file, checked whole now; a missing, unreadable or invalid file raises ConfigError."""
    if not path.is_file():
        raise ConfigError(f"--config {path}: no such file (give a pyproject.toml or a TOML file)")
    data, error, _ = read_pyproject(path)
    if error is not None:
        detail = error[1].replace("pyproject.toml is not", "not").replace("pyproject.toml:", "it:")
        raise ConfigError(f"--config {path}: line {error[0]}: {detail}")
    tool = data.get("tool")
    scaffold = tool.get("scaffold") if isinstance(tool, dict) else None
    table = scaffold.get("check") if isinstance(scaffold, dict) else None
    if table is None and path.name != "pyproject.toml":
        raise ConfigError(f"--config {path}: no [tool.scaffold.check] table in it")
    settings = Settings(path, table if table is not None else {})
    _from_table(path.parent, settings.table, path)  # every value checked before the run
    return settings


def nearest_config(start: Path, settings: Settings | None = None) -> CheckConfig:
    """The config of the nearest pyproject.toml at or above `start`, looking no higher than
    the repository root (the folder holding `.git`): an unrelated pyproject.toml above the
    repository, in a home folder say, neither configures the check nor receives its cache."""
    project = nearest_project(start)
    if project is not None:
        return load_config(project, settings)
    return CheckConfig(directory=start) if settings is None else load_config(start, settings)


def nearest_project(start: Path) -> Path | None:
    """The folder of the nearest pyproject.toml at or above `start`, no higher than the
    repository root (the folder holding `.git`); None when there is none."""
    for folder in [start, *start.parents]:
        if holds_pyproject(folder):
            return folder
        if os.path.lexists(folder / ".git"):
            break
    return None


def holds_pyproject(folder: str | os.PathLike[str]) -> bool:
    """Whether `folder` has a pyproject.toml: a regular file, or anything else in its place
    but a folder (a FIFO, a broken link: read, it is reported as unreadable, as a file
    without read permission is, instead of the folder silently having none)."""
    path = os.path.join(folder, "pyproject.toml")
    try:
        mode = os.lstat(path).st_mode  # one call where there is none, the common case
    except OSError:
        return False  # none, or an unreadable folder on the way
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return True  # a broken link: read, it is reported
    return not stat.S_ISDIR(mode)


def load_config(directory: Path, settings: Settings | None = None) -> CheckConfig:
    """Read `directory/pyproject.toml` (if any) into a CheckConfig; bad values raise ConfigError.
    `settings` replaces its `[tool.scaffold.check]` table (`--config`, `--isolated`)."""
    pyproject = directory / "pyproject.toml"
    if not holds_pyproject(directory):  # an unreadable folder on the way: no pyproject
        if settings is None:
            return CheckConfig(directory=directory)
        return _from_table(directory, settings.table, settings.file or directory)
    data, error, text = read_pyproject(pyproject)
    if error is not None:
        return CheckConfig(directory=directory, pyproject=pyproject, error=error, text=text)
    if settings is not None:
        table: object = settings.table
    else:
        tool = data.get("tool", {})
        ours = tool.get("scaffold", {}) if isinstance(tool, dict) else {}
        if not isinstance(ours, dict):
            raise ConfigError(f"{pyproject}: [tool.scaffold] must be a table")
        table = ours.get("check", {})
    config = _from_table(directory, table, settings.file or pyproject if settings else pyproject)
    return dataclasses.replace(config, pyproject=pyproject, data=data, text=text)


def _from_table(directory: Path, table: object, pyproject: Path) -> CheckConfig:
    """The settings of one `[tool.scaffold.check]` table; `pyproject` names it in errors."""
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.scaffold.check] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{pyproject}: unknown key {unknown[0]!r} in [tool.scaffold.check]"
            f" (valid: {', '.join(sorted(_KEYS))})"
        )
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw = table.get("per-file-ignores", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{pyproject}: [tool.scaffold.check] per-file-ignores must be a table")
    for pattern, codes in sorted(raw.items()):
        per_file.append((pattern, _strings(codes, f"per-file-ignores.{pattern}", pyproject)))
    return CheckConfig(
        directory=directory,
        select=_strings(table["select"], "select", pyproject) if "select" in table else None,
        extend_select=_strings(table.get("extend-select", []), "extend-select", pyproject),
        ignore=_strings(table.get("ignore", []), "ignore", pyproject),
        extend_ignore=_strings(table.get("extend-ignore", []), "extend-ignore", pyproject),
        fail_on=_fail_on(table.get("fail-on"), pyproject),
        per_file_ignores=tuple(per_file),
        exclude=_strings(table.get("exclude", []), "exclude", pyproject),
        namespace_packages=frozenset(
            _strings(table.get("namespace-packages", []), "namespace-packages", pyproject)
        ),
        src=_strings(table.get("src", []), "src", pyproject),
        contracts=_contracts(table.get("contracts"), pyproject),
        max_file_size=_file_size(table.get("max-file-size", DEFAULT_MAX_FILE_SIZE), pyproject),
    )


def _contracts(raw: object, pyproject: Path) -> tuple[Contract, ...]:
    """The contracts table, parsed only when there is one: most projects have none, and a
    check on them should not pay for importing the contracts' parser."""
    if raw is None:
        return ()
    from scaffold.check.contracts import parse_contracts

    return parse_contracts(raw, pyproject)
