"""Validation of package, module, script and distribution names."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from scaffold.errors import InvalidNameError

__all__ = [
    "NameProblem",
    "NameRule",
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


#: One file name holds at most 255 bytes on ext4, XFS, Btrfs, tmpfs, APFS and NTFS.
_FILE_NAME_BYTES = 255
#: The longest file a module name makes is its test, `tests/test_NAME.py`.
_MODULE_NAME_BYTES = _FILE_NAME_BYTES - len("test_.py")


@dataclass(frozen=True)
class NameProblem:
    """Why a name is refused, and the name that mends this one problem (None: none does).

    `instead` is the advice when no valid name can be suggested; `aside` follows
    either (`(or pass --allow-stdlib-shadow)`).
    """

    reason: str
    mend: str | None
    instead: str = "choose another name"
    aside: str = ""


#: One check of a name: the problem it finds, or None.
NameRule = Callable[[str], NameProblem | None]


def _first_problem(name: str, rules: Sequence[NameRule]) -> NameProblem | None:
    for rule in rules:
        problem = rule(name)
        if problem is not None:
            return problem
    return None


def _first_valid(candidate: str | None, rules: Sequence[NameRule]) -> str | None:
    """Follow the mends from `candidate` until a name passes every rule; None if none does."""
    seen: set[str] = set()
    while candidate and candidate not in seen:
        seen.add(candidate)
        problem = _first_problem(candidate, rules)
        if problem is None:
            return candidate
        candidate = problem.mend
    return None


def _check(name: str, what: str, rules: Sequence[NameRule]) -> str:
    """Return `name` if it passes `rules`; else refuse it, suggesting only a valid name."""
    problem = _first_problem(name, rules)
    if problem is None:
        return name
    suggestion = _first_valid(problem.mend, rules)
    advice = f"try {suggestion!r}" if suggestion else problem.instead
    raise InvalidNameError(f"{what} {_shown(name)} {problem.reason}; {advice}{problem.aside}")


def _shown(name: str) -> str:
    """The name as a message quotes it: whole unless it is too long to read."""
    return repr(name) if len(name) <= 60 else f"{name[:40]!r}... ({len(name)} characters)"


def _longer_than(limit: int) -> NameRule:
    def too_long(name: str) -> NameProblem | None:
        if len(name.encode("utf-8")) <= limit:
            return None
        return NameProblem("is too long for a file name", None, f"use at most {limit} characters")

    return too_long


def _not_identifier(name: str) -> NameProblem | None:
    if name.isascii() and name.isidentifier():
        return None
    return NameProblem(
        "is not a valid Python identifier (letters, digits and '_', not starting with a digit)",
        suggest_identifier(name),
    )


def _keyword(name: str) -> NameProblem | None:
    if not keyword.iskeyword(name):
        return None
    return NameProblem("is a Python keyword and cannot be imported", suggest_identifier(name))


def _reserved(name: str) -> NameProblem | None:
    if name not in _RESERVED_MODULE_NAMES:
        return None
    return NameProblem("is reserved for Python's own package files", suggest_identifier(name))


def _not_lower(name: str) -> NameProblem | None:
    if name == name.lower():
        return None
    return NameProblem("is not lower case (PEP 8 module names are lower case)", name.lower())


def _stdlib(name: str) -> NameProblem | None:
    if name not in sys.stdlib_module_names:
        return None
    return NameProblem(
        f"shadows the standard-library module {name!r}",
        _stdlib_alternative(name),
        aside=" (or pass --allow-stdlib-shadow)",
    )


def validate_module_name(
    name: str,
    *,
    kind: str = "package",
    top_level: bool = False,
    allow_stdlib_shadow: bool = False,
    rules: Sequence[NameRule] = (),
) -> str:
    """Return `name` if it can be imported as a module; raise InvalidNameError otherwise.

    `kind` words the message ("package", "module", "subpackage"); `top_level`
    names are also refused when they would shadow a standard-library module;
    `rules` are the caller's own (a template's generated names). A suggestion is
    made only if it passes every one of these checks itself.
    """
    if not name:
        raise InvalidNameError(
            f"the {kind} name is empty; give a lower-case identifier such as 'mypkg'"
        )
    checks: list[NameRule] = [
        _longer_than(_MODULE_NAME_BYTES),
        _not_identifier,
        _keyword,
        _reserved,
        _not_lower,
    ]
    if top_level and not allow_stdlib_shadow:
        checks.append(_stdlib)
    return _check(name, f"{kind} name", [*checks, *rules])


def _pattern(pattern: re.Pattern[str], reason: str, mend: Callable[[str], str]) -> NameRule:
    def mismatch(name: str) -> NameProblem | None:
        return None if pattern.match(name) else NameProblem(reason, mend(name))

    return mismatch


def _plain_name(name: str) -> str:
    """The closest name of letters, digits and '-' (`My Tool!` -> `my-tool`)."""
    return distribution_name(suggest_identifier(name))


_FOLDER_RULES: tuple[NameRule, ...] = (
    _longer_than(_FILE_NAME_BYTES),
    _pattern(
        _FOLDER_NAME,
        "is not a plain folder name (letters, digits, '.', '_', '-', starting with a letter"
        " or digit)",
        _plain_name,
    ),
)


def validate_folder_name(name: str, *, kind: str) -> str:
    """Return `name` if it is a plain folder name (letters, digits, '.', '_', '-')."""
    return _check(name, f"{kind} name", _FOLDER_RULES)


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


_SCRIPT_RULES: tuple[NameRule, ...] = (
    _longer_than(_FILE_NAME_BYTES),
    _pattern(
        _SCRIPT_NAME, "is not a valid command name (letters, digits, '-', '_', '.')", _plain_name
    ),
)


def validate_script_name(name: str) -> str:
    """Return a console-script name if it is a usable command name."""
    return _check(name, "script name", _SCRIPT_RULES)


def _not_function_name(name: str) -> NameProblem | None:
    lower = name == name.lower()
    if name.isidentifier() and name.isascii() and not keyword.iskeyword(name) and lower:
        return None
    return NameProblem("is not a valid function name", suggest_identifier(name))


def validate_script(
    spec: str,
    *,
    package: str,
    modules: Iterable[str],
    function_rules: Callable[[str], Sequence[NameRule]] = lambda module: (),
) -> tuple[str, str, str]:
    """Parse `NAME=MOD:FUNC` into (name, module, function) and check MOD is generated.

    MOD may be given as `mod` or `package.mod`; it must be the package's `cli`
    module or one of its `--module`s, because the function is generated there.
    `function_rules(MOD)` are the template's own checks of FUNC in that module.
    """
    name, sep, target = spec.partition("=")
    module, colon, func = target.partition(":")
    name, module, func = name.strip(), module.strip(), func.strip()
    if not sep or not colon or not name or not module or not func:
        raise InvalidNameError(
            f"--script {_shown(spec)} is not NAME=MODULE:FUNCTION; for example 'mytool=cli:main'"
        )
    validate_script_name(name)
    if not _DOTTED.match(module):
        raise InvalidNameError(f"--script {_shown(spec)}: {module!r} is not a dotted module path")
    if module.startswith(f"{package}."):
        module = module[len(package) + 1 :]
    available = ["cli", *modules]
    if module not in available:
        choices = ", ".join(repr(m) for m in available)
        raise InvalidNameError(
            f"--script {_shown(spec)} points at module {module!r}, which the package does"
            f" not generate; use one of {choices} (add it with --module)"
        )
    _check(
        func, f"--script {_shown(spec)}: function", [_not_function_name, *function_rules(module)]
    )
    return name, module, func


_TEMPLATE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
_RESERVED_FOLDER_NAMES = frozenset({".", ".."})


def _template_name_like(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "team-template"


_TEMPLATE_RULES: tuple[NameRule, ...] = (
    _longer_than(_FILE_NAME_BYTES),
    _pattern(
        _TEMPLATE_NAME,
        "must be lower-case letters, digits, '-' and '_', starting and ending with a letter"
        " or digit",
        _template_name_like,
    ),
)


def validate_template_name(name: str) -> str:
    """Return `name` if it can name a registered template (`team-service`, `svc2`)."""
    return _check(name, "template name", _TEMPLATE_RULES)


def _not_one_folder(name: str) -> NameProblem | None:
    if "/" not in name and "\\" not in name and name not in _RESERVED_FOLDER_NAMES:
        return None
    return NameProblem(
        "must be a single folder name", None, "use --dest DIR to write somewhere else"
    )


def _leading_dash(name: str) -> NameProblem | None:
    # A leading '-' would be read as an option by every command given the folder.
    return NameProblem("must not start with '-'", name.lstrip("-")) if name[:1] == "-" else None


def _unprintable(name: str) -> NameProblem | None:
    if name == name.strip() and all(ch.isprintable() for ch in name):
        return None
    printable = "".join(ch if ch.isprintable() else " " for ch in name)
    return NameProblem("has surrounding spaces or control characters", "-".join(printable.split()))


_DESTINATION_RULES: tuple[NameRule, ...] = (
    _longer_than(_FILE_NAME_BYTES),
    _not_one_folder,
    _leading_dash,
    _unprintable,
)


def validate_destination_name(name: str) -> str:
    """Return `name` if it can name one new folder (the NAME of `new TEMPLATE NAME`)."""
    if not name.strip():
        raise InvalidNameError("the project NAME is empty; give a folder name such as 'my-service'")
    return _check(name, "project NAME", _DESTINATION_RULES)
