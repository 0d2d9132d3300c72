"""Where templates come from: the built-in ones, the registered ones, any source."""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import InvalidNameError, TemplateError, UsageError
from scaffold.files import read_regular, write_atomically
from scaffold.names import validate_template_name

__all__ = [
    "BUILTIN_ORIGIN",
    "BUILTIN_TEMPLATES",
    "TemplateEntry",
    "add_template",
    "all_templates",
    "builtin_entries",
    "builtin_template",
    "builtin_templates_root",
    "find_pyproject",
    "find_template",
    "is_remote_source",
    "normalize_source",
    "registered_templates",
    "remove_template",
    "team_template",
    "template_source",
    "user_registry_path",
]

#: Built-in template names with a one-line description, in display order.
BUILTIN_TEMPLATES: dict[str, str] = {
    "module": "one typed module and its test, added to an existing folder",
    "package": "an installable package: __init__.py, __all__, __main__.py, CLI, tests",
    "game": "a playable two-module terminal game (logic in game.py, drawing in draw.py)",
    "workspace": "a repository of several packages under packages/",
}


def builtin_templates_root() -> Path:
    """The folder holding the built-in templates.

    An installed wheel carries them as `scaffold/_templates`; a source checkout
    (or an editable install) has them at the top of the repository.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "package" / "copier.yml").is_file():
            return candidate
    raise TemplateError(
        f"the built-in templates are missing (looked in {here / '_templates'} and"
        f" {here.parent / 'templates'}); reinstall scaffold"
    )


def builtin_template(name: str) -> Path:
    """The folder of the built-in template `name`."""
    if name not in BUILTIN_TEMPLATES:
        choices = ", ".join(BUILTIN_TEMPLATES)
        raise TemplateError(f"no built-in template named {name!r}; choose one of {choices}")
    path = builtin_templates_root() / name
    if not (path / "copier.yml").is_file():
        raise TemplateError(
            f"built-in template {name!r} is missing from {path}; reinstall scaffold"
        )
    return path


# --- team templates: sources, --data, the registry (issue 8) ---

#: Prefixes Copier reads as git URLs (besides `scheme://`): shortcuts and scp-like hosts.
_REMOTE_PREFIXES = ("gh:", "gl:", "git@", "git+")
_USER_REGISTRY_FILE = "templates.toml"
#: The `origin` of a built-in TemplateEntry.
BUILTIN_ORIGIN = "built-in"


@dataclass(frozen=True)
class TemplateEntry:
    """A template scaffold can run by name.

    `source` is what Copier gets: an absolute folder or a git URL. `origin` says
    where the entry comes from: "built-in", or the TOML file that registers it.
    """

    name: str
    source: str
    description: str
    origin: str

    @property
    def builtin(self) -> bool:
        return self.origin == BUILTIN_ORIGIN


def is_remote_source(source: str) -> bool:
    """True when `source` is a URL for git (`https://…`, `gh:org/repo`, `git@host:repo`)."""
    if "://" in source or source.startswith(_REMOTE_PREFIXES):
        return True
    if len(source) > 1 and source[1] == ":" and source[0].isalpha():
        return False  # a Windows drive letter
    head, colon, _ = source.partition(":")
    return bool(colon) and "/" not in head and "\\" not in head


def normalize_source(source: str, *, base: Path) -> str:
    """The template source as Copier must record it: a URL as given, a path made absolute.

    Copier stores `_src_path` exactly as it is given, and a relative path breaks
    `scaffold update` run from anywhere else. Relative paths are taken from `base`.
    Raises TemplateError when a local source does not exist.
    """
    if not source.strip():
        raise TemplateError("the template source is empty; give a folder or a git URL")
    if is_remote_source(source):
        return source
    path = Path(source).expanduser()
    absolute = Path(os.path.normpath(path if path.is_absolute() else base / path))
    if not absolute.exists():
        raise TemplateError(
            f"template source {source!r} not found (no such folder: {absolute}); give a"
            " template folder, a git repository, or a git URL such as gh:org/repo"
        )
    if absolute.is_dir() and not (
        any(absolute.glob("copier.y*ml")) or (absolute / ".git").exists()
    ):
        raise TemplateError(
            f"template source {absolute} has no copier.yml; is it a Copier template?"
        )
    return str(absolute)


def builtin_entries() -> list[TemplateEntry]:
    """The built-in templates, in display order."""
    root = builtin_templates_root()
    return [
        TemplateEntry(name, str(root / name), description, BUILTIN_ORIGIN)
        for name, description in BUILTIN_TEMPLATES.items()
    ]


def user_registry_path() -> Path:
    """The user's registry file (`templates.toml` in the platform's config folder)."""
    # platformdirs is imported here: only the registry commands pay for it.
    from platformdirs import user_config_dir

    return Path(user_config_dir("scaffold", appauthor=False)) / _USER_REGISTRY_FILE


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def registered_templates(cwd: Path | None = None) -> dict[str, TemplateEntry]:
    """Registered templates by name: the user's file, overridden by the nearest pyproject.toml.

    A team commits `[tool.scaffold.templates]` to its repository; inside that
    repository its names win over the user's own registrations.
    """
    here = Path.cwd() if cwd is None else cwd
    entries = _read_user_registry(user_registry_path())
    pyproject = find_pyproject(here)
    if pyproject is not None:
        entries.update(_read_project_registry(pyproject))
    return dict(sorted(entries.items()))


def all_templates(cwd: Path | None = None) -> list[TemplateEntry]:
    """Built-in templates first (display order), then registered ones by name."""
    return [*builtin_entries(), *registered_templates(cwd).values()]


def find_template(name: str, cwd: Path | None = None) -> TemplateEntry:
    """The registered template `name`; a TemplateError naming the choices when there is none."""
    registered = registered_templates(cwd)
    if name in registered:
        return registered[name]
    if name in BUILTIN_TEMPLATES:
        return next(entry for entry in builtin_entries() if entry.name == name)
    known = [*BUILTIN_TEMPLATES, *registered]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    names = ", ".join(registered) or "none"
    raise TemplateError(
        f"no template named {name!r}: not built-in ({', '.join(BUILTIN_TEMPLATES)}) nor"
        f" registered ({names}); {hint}see 'scaffold templates list', or give a folder or"
        " git URL with --template SRC"
    )


def add_template(
    name: str,
    source: str,
    *,
    description: str = "",
    cwd: Path | None = None,
    replace: bool = False,
) -> TemplateEntry:
    """Register `source` as `name` in the user's registry file and return the new entry.

    The name may not hide a built-in template, nor, unless `replace`, one already
    registered; a local source is stored as an absolute path. Registering trusts nothing:
    `--trust` is still asked per run.
    """
    _check_registrable(name)
    here = Path.cwd() if cwd is None else cwd
    path = user_registry_path()
    entries = _read_user_registry(path)
    if name in entries and not replace:
        raise UsageError(
            f"template {name!r} is already registered ({entries[name].source});"
            " add --force to replace it, or choose another name"
        )
    entry = TemplateEntry(
        name, normalize_source(source, base=here), " ".join(description.split()), str(path)
    )
    entries[name] = entry
    _write_user_registry(path, entries)
    return entry


def remove_template(name: str, cwd: Path | None = None) -> TemplateEntry:
    """Remove `name` from the user's registry file and return the removed entry."""
    if name in BUILTIN_TEMPLATES:
        raise TemplateError(f"{name!r} is a built-in template and cannot be removed")
    path = user_registry_path()
    entries = _read_user_registry(path)
    if name not in entries:
        pyproject = find_pyproject(Path.cwd() if cwd is None else cwd)
        if pyproject is not None and name in _read_project_registry(pyproject):
            raise TemplateError(
                f"template {name!r} is registered by {pyproject} ([tool.scaffold.templates]);"
                " edit that file to remove it"
            )
        names = ", ".join(entries) or "none"
        raise TemplateError(
            f"no registered template named {name!r} in {path} (registered there: {names})"
        )
    removed = entries.pop(name)
    _write_user_registry(path, entries)
    return removed


def _check_registrable(name: str) -> None:
    validate_template_name(name)
    if name in BUILTIN_TEMPLATES:
        raise InvalidNameError(
            f"template name {name!r} would hide the built-in template {name!r};"
            f" choose another name such as 'team-{name}'"
        )


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(read_regular(path).decode("utf-8"))
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise TemplateError(
            f"cannot read {path}: it is not UTF-8 text (byte {exc.start}), as TOML must be;"
            " fix or delete the file"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"cannot read {path}: {exc}; fix or delete the file") from exc
    except OSError as exc:
        raise TemplateError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _read_user_registry(path: Path) -> dict[str, TemplateEntry]:
    table = _read_toml(path).get("templates", {})
    return _entries_from_table(table, path, where="[templates]", base=path.parent)


def _read_project_registry(pyproject: Path) -> dict[str, TemplateEntry]:
    tool = _read_toml(pyproject).get("tool", {})
    scaffold = tool.get("scaffold", {}) if isinstance(tool, dict) else {}
    table = scaffold.get("templates", {}) if isinstance(scaffold, dict) else {}
    return _entries_from_table(
        table, pyproject, where="[tool.scaffold.templates]", base=pyproject.parent
    )


def _entries_from_table(
    table: object, path: Path, *, where: str, base: Path
) -> dict[str, TemplateEntry]:
    """Read `name = "source"` or `name = {source = "...", description = "..."}` entries."""
    if not isinstance(table, dict):
        raise TemplateError(f"{path}: {where} must be a table of name = source")
    entries: dict[str, TemplateEntry] = {}
    for name, value in table.items():
        try:
            _check_registrable(name)
        except InvalidNameError as exc:
            raise TemplateError(f"{path}: {where} {exc.message}") from exc
        if isinstance(value, str):
            source, description = value, ""
        elif isinstance(value, dict) and isinstance(value.get("source"), str):
            source = value["source"]
            description = value.get("description", "")
            if not isinstance(description, str):
                raise TemplateError(f"{path}: {where} {name}.description must be a string")
        else:
            raise TemplateError(
                f"{path}: {where} {name} must be a source string or a table with"
                ' source = "..." (and optionally description = "...")'
            )
        if not source.strip():
            raise TemplateError(
                f"{path}: {where} {name} has an empty source; give a folder, a git"
                " repository or a git URL"
            )
        if not is_remote_source(source):
            # Relative to the file, so a team's committed registry works from any folder.
            local = Path(source).expanduser()
            source = os.path.normpath(local if local.is_absolute() else base / local)
        entries[name] = TemplateEntry(name, source, " ".join(description.split()), str(path))
    return entries


def _write_user_registry(path: Path, entries: dict[str, TemplateEntry]) -> None:
    import tomli_w

    document = {
        "templates": {
            name: {"source": entry.source, "description": entry.description}
            for name, entry in sorted(entries.items())
        }
    }
    text = tomli_w.dumps(document)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves half a registry.
        write_atomically(path, text.encode("utf-8"))
    except OSError as exc:
        raise TemplateError(f"cannot write {path}: {exc.strerror or exc}") from exc


def team_template(name: str | None, source: str | None, cwd: Path | None = None) -> TemplateEntry:
    """The template `scaffold new` runs: registered `name`, or `source` (`--template SRC`).

    A `--template` source gets an entry with an empty name. Built-in names have
    their own commands and are never resolved here.
    """
    here = Path.cwd() if cwd is None else cwd
    if name is not None and source is not None:
        raise UsageError(
            f"give a registered TEMPLATE name or --template SRC, not both ({name!r} and"
            f" --template {source!r})"
        )
    if source is not None:
        return TemplateEntry("", normalize_source(source, base=here), "", "--template")
    if name is None:
        raise UsageError(
            "missing template; usage: scaffold new TEMPLATE NAME or scaffold new --template"
            " SRC NAME"
        )
    entry = find_template(name, here)
    if entry.builtin:
        raise UsageError(
            f"{name!r} is a built-in template with its own command; see"
            f" 'scaffold new {name} --help'"
        )
    if not is_remote_source(entry.source) and not Path(entry.source).exists():
        raise TemplateError(
            f"template {name!r} is registered in {entry.origin} with the source"
            f" {entry.source}, which does not exist; fix it with 'scaffold templates add"
            f" {name} SRC'"
        )
    return entry


def template_source(spec: str, cwd: Path | None = None) -> TemplateEntry:
    """The template `SRC|NAME` names: a folder or git URL, else a built-in or registered name.

    A spec with a path separator, a URL, or an existing folder is a source; a bare word is
    looked up by name first (so `package` is the built-in even beside a folder of that
    name), then, when no template has that name, as a folder; neither is a TemplateError
    with a "did you mean".
    """
    here = Path.cwd() if cwd is None else cwd
    looks_like_path = any(sep in spec for sep in ("/", "\\")) or spec in (".", "..")
    if is_remote_source(spec) or looks_like_path:
        return TemplateEntry("", normalize_source(spec, base=here), "", "SRC")
    try:
        return find_template(spec, here)
    except TemplateError:
        if (here / spec).is_dir():
            return TemplateEntry("", normalize_source(spec, base=here), "", "SRC")
        raise
