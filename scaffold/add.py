"""`scaffold add`: render one module or subpackage into a package and register it there."""

from __future__ import annotations

import ast
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scaffold.edit import DEFAULT_LINE_LENGTH, Registration, SourceEditError, register_submodule
from scaffold.errors import DestinationError, UsageError
from scaffold.files import read_regular
from scaffold.generate import file_name_limits, place_files, render_template, staging_folder
from scaffold.generate.answers import member_answers
from scaffold.generate.placement import BACKUP_FOLDER, leftover_runs
from scaffold.generate.template_names import add_rules
from scaffold.names import validate_module_name
from scaffold.templates import builtin_template

__all__ = ["AddResult", "PackageLocation", "add_to_package", "locate_package"]


@dataclass(frozen=True)
class PackageLocation:
    """Where a package folder sits: its dotted name, its project and the project's tests."""

    folder: Path
    dotted: str
    project_root: Path
    tests: Path


@dataclass(frozen=True)
class AddResult:
    """What `add` wrote (or would write) and what it did to `__init__.py`."""

    location: PackageLocation
    created: tuple[PurePosixPath, ...]
    edited: PurePosixPath
    notes: tuple[str, ...]
    dry_run: bool
    #: The created files that replaced (with --force, or would replace) existing ones.
    replaced: tuple[PurePosixPath, ...] = ()
    #: Leftovers of an earlier, killed run found in the project (see `leftover_runs`).
    leftovers: tuple[str, ...] = ()


def locate_package(folder: Path) -> PackageLocation:
    """Find the dotted name, project root and tests folder of the package in `folder`.

    The dotted name climbs through folders holding `__init__.py`, then through PEP 420
    namespace folders up to a `src/` folder or the project root (`src/acme/core` is
    `acme.core`). The project root is the nearest folder above with a `pyproject.toml`.
    """
    folder = Path(os.path.abspath(folder))
    if not folder.is_dir():
        raise UsageError(f"--to {folder} is not a folder; point it at a package folder")
    if not (folder / "__init__.py").is_file():
        raise UsageError(
            f"--to {folder} is not a package (no __init__.py);"
            " point it at a folder that holds __init__.py"
        )
    project_root = next(
        (p for p in (folder, *folder.parents) if (p / "pyproject.toml").is_file()), None
    )
    parts = [folder.name]
    current = folder.parent
    while (current / "__init__.py").is_file():
        parts.insert(0, current.name)
        current = current.parent
    while current.name != "src" and current != project_root and project_root is not None:
        if not current.name.isidentifier() or current == current.parent:
            break
        parts.insert(0, current.name)
        current = current.parent
    root = project_root if project_root is not None else current
    return PackageLocation(folder, ".".join(parts), root, root / "tests")


def _line_length(project_root: Path) -> int:
    try:
        data = tomllib.loads(read_regular(project_root / "pyproject.toml").decode("utf-8"))
    except (OSError, ValueError):
        return DEFAULT_LINE_LENGTH
    value = data.get("tool", {}).get("ruff", {}).get("line-length", DEFAULT_LINE_LENGTH)
    return value if isinstance(value, int) else DEFAULT_LINE_LENGTH


def add_to_package(
    kind: str, name: str, folder: Path, *, force: bool = False, dry_run: bool = False
) -> AddResult:
    """Add module or subpackage `name` to the package in `folder`, all or nothing.

    The new files come from the package template (the same one `new package` uses);
    `__init__.py` gains the import and the `__all__` entry, and nothing else in it changes.
    """
    if kind not in ("module", "package"):
        raise UsageError(f"cannot add a {kind!r}; add a 'module' or a 'package'")
    with file_name_limits():
        return _add_member(kind, name, folder, force=force, dry_run=dry_run)


def _add_member(kind: str, name: str, folder: Path, *, force: bool, dry_run: bool) -> AddResult:
    location = locate_package(folder)
    init_source = _init_source(location)
    _refuse_a_lazy_package(location, init_source, name)
    validate_module_name(
        name, kind="module" if kind == "module" else "subpackage", rules=add_rules(init_source)
    )
    for taken in (folder / f"{name}.py", folder / name):
        if taken.exists() and not (force and taken.is_file()):
            raise DestinationError(
                f"{taken} already exists in package {location.dotted};"
                " choose another name (or pass --force to overwrite a module)"
            )

    registration = _registration(location, init_source, name)
    root = location.project_root
    package_rel = PurePosixPath(location.folder.relative_to(root).as_posix())
    test_rel = _test_file(location, name, package_rel, force=force)
    init_rel = package_rel / "__init__.py"
    staging_place = root / ".scaffold-add"
    leftovers = leftover_runs(staging_place, dry_run=dry_run)
    with staging_folder(staging_place) as staging:
        staged = staging / "staged"
        created = _stage_member(
            kind, name, location.dotted, (package_rel, test_rel), staging / "render", staged
        )
        with (staged / init_rel).open("w", encoding="utf-8", newline="") as handle:
            handle.write(registration.text)
        replaced = tuple(rel for rel in created if (root / rel).exists())
        if not dry_run:
            replaceable = {init_rel, *(created if force else ())}
            place_files(
                staged,
                root,
                (*created, init_rel),
                may_replace=frozenset(replaceable),
                backup=staging / BACKUP_FOLDER,
            )
    notes = registration.notes
    return AddResult(location, created, init_rel, notes, dry_run, replaced, leftovers)


def _init_source(location: PackageLocation) -> str:
    init = location.folder / "__init__.py"
    try:
        return read_regular(init).decode("utf-8")  # a FIFO in its place would hang open()
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot edit {init}: it is not UTF-8 text") from exc


def _refuse_a_lazy_package(location: PackageLocation, source: str, name: str) -> None:
    """A package that imports its members on first use (a module-level `__getattr__`,
    PEP 562) would import `name` eagerly from the line `add` writes: refuse instead."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return  # _registration says it does not parse
    if any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "__getattr__"
        for node in tree.body
    ):
        raise UsageError(
            f"{location.folder / '__init__.py'} loads its members lazily (a module-level"
            f" __getattr__), and `from . import {name}` would import {name!r} eagerly;"
            f" register {name!r} in its lazy table yourself"
        )


def _registration(location: PackageLocation, source: str, name: str) -> Registration:
    """The package's `__init__.py` with `name` imported and listed in `__all__`."""
    init = location.folder / "__init__.py"
    try:
        return register_submodule(source, name, line_length=_line_length(location.project_root))
    except SourceEditError as exc:
        raise UsageError(f"cannot edit {init}: {exc}; fix it first") from exc


def _stage_member(
    kind: str,
    name: str,
    dotted: str,
    places: tuple[PurePosixPath, PurePosixPath],
    rendered: Path,
    staged: Path,
) -> tuple[PurePosixPath, ...]:
    """Render the new member with the package template and stage its two files.

    `places` are the package folder and the test file, relative to the project; the
    member and its test land there under `staged`. Returns the staged files.
    """
    module, subpackage = (name, None) if kind == "module" else (None, name)
    answers = member_answers(dotted, module=module, subpackage=subpackage)
    render_template(str(builtin_template("package")), answers, rendered)
    dotted_dir = PurePosixPath(*dotted.split("."))
    package_rel, test_rel = places
    if kind == "module":
        produced = {package_rel / f"{name}.py": dotted_dir / f"{name}.py"}
    else:
        produced = {package_rel / name / "__init__.py": dotted_dir / name / "__init__.py"}
    produced[test_rel] = PurePosixPath("tests") / f"test_{name}.py"
    for target, origin in produced.items():
        (staged / target).parent.mkdir(parents=True, exist_ok=True)
        os.replace(rendered / origin, staged / target)
    return tuple(sorted(produced))


def _test_file(
    location: PackageLocation, name: str, package_rel: PurePosixPath, *, force: bool
) -> PurePosixPath:
    tests_rel = PurePosixPath(location.tests.relative_to(location.project_root).as_posix())
    candidates = [f"test_{name}.py", f"test_{location.dotted.replace('.', '_')}_{name}.py"]
    for candidate in candidates:
        if not (location.tests / candidate).exists():
            return tests_rel / candidate
    if force:
        return tests_rel / candidates[0]
    raise DestinationError(
        f"{location.tests / candidates[0]} and {candidates[1]} already exist;"
        " choose another name or pass --force"
    )
