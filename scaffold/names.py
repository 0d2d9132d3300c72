"""Validation of package, module, script and distribution names (DESIGN §3)."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from collections.abc import Iterable

from scaffold.errors import InvalidNameError

__all__ = [
    "distribution_name",
    "suggest_identifier",
    "validate_destination_name",
    "validate_folder_name",
    "validate_module_name",
    "validate_script",
    "validate_script_name",
    "validate_sibling_names",
    "validate_template_name",
]

_RESERVED_MODULE_NAMES = frozenset({"__init__", "__main__"})
_SCRIPT_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def suggest_identifier(name: str) -> str:
    """Return the closest valid lower-case identifier to `name` (`My-Game` -> `my_game`)."""
    # Transliterate first so `café` suggests `cafe`, not `caf`.
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip().lower()
    text = re.sub(r"[^a-z0-9_]+", "_", text)
    text = re.sub(r"_+", "_", text).strip("_") or "pkg"
    if text[0].isdigit():
        text = f"_{text}"
    if keyword.iskeyword(text) or keyword.issoftkeyword(text) or text in _RESERVED_MODULE_NAMES:
        text = f"{text}_"
    return text


def _stdlib_alternative(name: str) -> str:
    return f"{name}_utils" if not name.endswith("_utils") else f"my_{name}"


def validate_module_name(
    name: str,
    *,
    kind: str = "package",
    top_level: bool = False,
    allow_stdlib_shadow: bool = False,
) -> str:
    """Return `name` if it can be imported as a module; raise InvalidNameError otherwise.

    `kind` words the message ("package", "module", "subpackage"); `top_level`
    names are also refused when they would shadow a standard-library module.
    """
    if not name:
        raise InvalidNameError(
            f"the {kind} name is empty; give a lower-case identifier such as 'mypkg'"
        )
    if not name.isascii() or not name.isidentifier():
        raise InvalidNameError(
            f"{kind} name {name!r} is not a valid Python identifier (letters, digits and '_',"
            f" not starting with a digit); try {suggest_identifier(name)!r}"
        )
    if keyword.iskeyword(name):
        raise InvalidNameError(
            f"{kind} name {name!r} is a Python keyword and cannot be imported;"
            f" try {suggest_identifier(name)!r}"
        )
    if name in _RESERVED_MODULE_NAMES:
        raise InvalidNameError(
            f"{kind} name {name!r} is reserved for Python's own package files;"
            f" try {suggest_identifier(name)!r}"
        )
    if name != name.lower():
        raise InvalidNameError(
            f"{kind} name {name!r} is not lower case (PEP 8 module names are lower case);"
            f" try {name.lower()!r}"
        )
    if top_level and not allow_stdlib_shadow and name in sys.stdlib_module_names:
        raise InvalidNameError(
            f"{kind} name {name!r} shadows the standard-library module {name!r};"
            f" try {_stdlib_alternative(name)!r} (or pass --allow-stdlib-shadow)"
        )
    return name


def validate_folder_name(name: str, *, kind: str) -> str:
    """Return `name` if it is a plain folder name (letters, digits, '.', '_', '-')."""
    if not _FOLDER_NAME.match(name):
        suggestion = distribution_name(suggest_identifier(name))
        raise InvalidNameError(
            f"{kind} name {name!r} is not a plain folder name (letters, digits, '.', '_', '-',"
            f" starting with a letter or digit); try {suggestion!r}"
        )
    return name


def validate_sibling_names(names: Iterable[str], *, kind: str, parent: str) -> None:
    """Refuse the same module or subpackage name given twice under one parent."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidNameError(
                f"{kind} {name!r} is given twice in package {parent!r}; each name must be unique"
            )
        seen.add(name)


def distribution_name(name: str, *, kind: str = "package") -> str:
    """The PEP 503 normalised distribution name (`My_Game` -> `my-game`, `_priv` -> `priv`).

    PEP 508 wants a letter or digit at both ends of a name, so leading and trailing
    separators go; a name with no letter or digit has no distribution name.
    """
    normalised = re.sub(r"[-_.]+", "-", name).lower().strip("-")
    if not normalised:
        raise InvalidNameError(
            f"{kind} name {name!r} has no letter or digit to make a distribution name of"
            " (PEP 508); give a name such as 'mypkg'"
        )
    return normalised


def validate_script_name(name: str) -> str:
    """Return a console-script name if it is a usable command name."""
    if not _SCRIPT_NAME.match(name):
        raise InvalidNameError(
            f"script name {name!r} is not a valid command name (letters, digits, '-', '_', '.');"
            f" try {distribution_name(suggest_identifier(name))!r}"
        )
    return name


def validate_script(spec: str, *, package: str, modules: Iterable[str]) -> tuple[str, str, str]:
    """Parse `NAME=MOD:FUNC` into (name, module, function) and check MOD is generated.

    MOD may be given as `mod` or `package.mod`; it must be the package's `cli`
    module or one of its `--module`s, because the function is generated there.
    """
    name, sep, target = spec.partition("=")
    module, colon, func = target.partition(":")
    name, module, func = name.strip(), module.strip(), func.strip()
    if not sep or not colon or not name or not module or not func:
        raise InvalidNameError(
            f"--script {spec!r} is not NAME=MODULE:FUNCTION; for example 'mytool=cli:main'"
        )
    validate_script_name(name)
    if not _DOTTED.match(module):
        raise InvalidNameError(f"--script {spec!r}: {module!r} is not a dotted module path")
    if module.startswith(f"{package}."):
        module = module[len(package) + 1 :]
    available = ["cli", *modules]
    if module not in available:
        choices = ", ".join(repr(m) for m in available)
        raise InvalidNameError(
            f"--script {spec!r} points at module {module!r}, which the package does not generate;"
            f" use one of {choices} (add it with --module)"
        )
    if (
        not func.isidentifier()
        or not func.isascii()
        or keyword.iskeyword(func)
        or func != func.lower()
    ):
        raise InvalidNameError(
            f"--script {spec!r}: {func!r} is not a valid function name; try"
            f" {suggest_identifier(func)!r}"
        )
    return name, module, func


_TEMPLATE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
_RESERVED_FOLDER_NAMES = frozenset({".", ".."})


def validate_template_name(name: str) -> str:
    """Return `name` if it can name a registered template (`team-service`, `svc2`)."""
    if not _TEMPLATE_NAME.match(name):
        suggestion = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "team-template"
        raise InvalidNameError(
            f"template name {name!r} must be lower-case letters, digits, '-' and '_',"
            f" starting and ending with a letter or digit; try {suggestion!r}"
        )
    return name


def validate_destination_name(name: str) -> str:
    """Return `name` if it can name one new folder (the NAME of `new TEMPLATE NAME`)."""
    if not name.strip():
        raise InvalidNameError("the project NAME is empty; give a folder name such as 'my-service'")
    if "/" in name or "\\" in name or name in _RESERVED_FOLDER_NAMES:
        raise InvalidNameError(
            f"project NAME {name!r} must be a single folder name; use --dest DIR to write"
            " somewhere else"
        )
    if name.startswith("-"):
        raise InvalidNameError(f"project NAME {name!r} must not start with '-'")
    if name != name.strip() or any(not ch.isprintable() for ch in name):
        raise InvalidNameError(
            f"project NAME {name!r} has surrounding spaces or control characters;"
            f" try {'-'.join(name.split())!r}"
        )
    return name
