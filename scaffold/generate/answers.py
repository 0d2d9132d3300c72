"""Answers for the templates: a typed, validated record per built-in one; `--data` for others."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from scaffold import __version__
from scaffold.choices import CI, DEFAULT_PYTHON, PYTHON_VERSIONS, Layout, License
from scaffold.errors import InvalidNameError, UsageError
from scaffold.generate.identity import EMAIL_PATTERN, REPOSITORY_PATTERN
from scaffold.generate.template_names import (
    function_rules,
    game_rules,
    member_rules,
    module_rules,
    new_module_rules,
    package_rules,
    subpackage_rules,
)
from scaffold.names import (
    distribution_name,
    validate_folder_name,
    validate_module_name,
    validate_script,
    validate_sibling_names,
)

__all__ = [
    "BuiltinAnswers",
    "Dependency",
    "GameAnswers",
    "ModuleAnswers",
    "PackageAnswers",
    "ProjectInfo",
    "Script",
    "WorkspaceAnswers",
    "copier_data",
    "game_answers",
    "member_answers",
    "module_answers",
    "package_answers",
    "parse_data",
    "team_answers",
    "workspace_answers",
]

_DATA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _with_version_and_text(data: dict[str, object], **text: str | None) -> dict[str, object]:
    """Add scaffold's version, and free text only when given (so a terminal run still asks)."""
    data["scaffold_version"] = __version__
    data.update((key, value) for key, value in text.items() if value is not None)
    return data


@dataclass(frozen=True)
class ProjectInfo:
    """What the package, game and workspace templates all ask: Python, license, free text.

    `author`, `email` and `repository` left None are the template's to ask or default
    (scaffold offers git's user.name, user.email and origin as those defaults); "" is
    an answer: none.
    """

    python: str = DEFAULT_PYTHON
    license: License = License.MIT
    description: str | None = None
    author: str | None = None
    email: str | None = None
    repository: str | None = None

    def validate(self) -> None:
        """Refuse a Python version the templates do not offer, a malformed email or URL."""
        if self.python not in PYTHON_VERSIONS:
            raise InvalidNameError(
                f"--python {self.python!r} is not supported;"
                f" use one of {', '.join(PYTHON_VERSIONS)}"
            )
        if self.email and not EMAIL_PATTERN.match(self.email):
            raise UsageError(
                f"--email {self.email!r} is not an email address; use one such as"
                " ada@example.com (or --email '' for none)"
            )
        if self.repository and not REPOSITORY_PATTERN.match(self.repository):
            raise UsageError(
                f"--repository {self.repository!r} is not a web address; use one such as"
                " https://github.com/acme/demo (or --repository '' for none)"
            )

    def copier_data(self) -> dict[str, object]:
        """This record's part of the template's data."""
        data: dict[str, object] = {"python": self.python, "license": str(self.license)}
        return _with_version_and_text(
            data,
            description=self.description,
            author=self.author,
            email=self.email,
            repository=self.repository,
        )


@dataclass(frozen=True)
class Script:
    """A console script: `name = "package.module:func"`."""

    name: str
    module: str
    func: str


@dataclass(frozen=True)
class PackageAnswers:
    """The answers of the `package` template."""

    template: ClassVar[str] = "package"

    package: str
    distribution: str
    modules: tuple[str, ...]
    subpackages: tuple[str, ...]
    #: Never empty: without --script, the package's own command runs cli:main.
    scripts: tuple[Script, ...]
    layout: Layout = Layout.FLAT
    project: ProjectInfo = field(default_factory=ProjectInfo)
    ci: CI = CI.GITHUB

    def copier_data(self) -> dict[str, object]:
        """The data Copier renders the template with."""
        return {
            "package": self.package,
            "distribution": self.distribution,
            "modules": list(self.modules),
            "subpackages": list(self.subpackages),
            "scripts": [
                {"name": script.name, "module": script.module, "func": script.func}
                for script in self.scripts
            ],
            "layout": str(self.layout),
            "ci": str(self.ci),
            **self.project.copier_data(),
        }


@dataclass(frozen=True)
class ModuleAnswers:
    """The answers of the `module` template."""

    template: ClassVar[str] = "module"

    module: str
    description: str | None = None

    def copier_data(self) -> dict[str, object]:
        """The data Copier renders the template with."""
        return _with_version_and_text({"module": self.module}, description=self.description)


@dataclass(frozen=True)
class GameAnswers:
    """The answers of the `game` template."""

    template: ClassVar[str] = "game"

    package: str
    distribution: str
    project: ProjectInfo = field(default_factory=ProjectInfo)
    ci: CI = CI.GITHUB

    def copier_data(self) -> dict[str, object]:
        """The data Copier renders the template with."""
        return {
            "package": self.package,
            "distribution": self.distribution,
            "ci": str(self.ci),
            **self.project.copier_data(),
        }


@dataclass(frozen=True)
class Dependency:
    """One workspace member requiring another."""

    package: str
    requires: str


@dataclass(frozen=True)
class WorkspaceAnswers:
    """The answers of the `workspace` template."""

    template: ClassVar[str] = "workspace"

    workspace: str
    packages: tuple[str, ...]
    namespace: str | None = None
    depends: tuple[Dependency, ...] = ()
    project: ProjectInfo = field(default_factory=ProjectInfo)
    ci: CI = CI.GITHUB

    def copier_data(self) -> dict[str, object]:
        """The data Copier renders the template with."""
        return {
            "workspace": self.workspace,
            "packages": list(self.packages),
            "namespace": self.namespace or "",
            "depends": [{"package": d.package, "requires": d.requires} for d in self.depends],
            "ci": str(self.ci),
            **self.project.copier_data(),
        }


BuiltinAnswers = PackageAnswers | ModuleAnswers | GameAnswers | WorkspaceAnswers


def copier_data(answers: Mapping[str, object] | BuiltinAnswers) -> dict[str, object]:
    """The data Copier gets: a built-in template's record, or a team template's mapping."""
    return dict(answers) if isinstance(answers, Mapping) else answers.copier_data()


def package_answers(
    name: str,
    *,
    modules: Sequence[str] = (),
    subpackages: Sequence[str] = (),
    scripts: Sequence[str] = (),
    layout: Layout = Layout.FLAT,
    project: ProjectInfo | None = None,
    allow_stdlib_shadow: bool = False,
    ci: CI = CI.GITHUB,
) -> PackageAnswers:
    """Validate the options of `scaffold new package` and turn them into template answers.

    Raises InvalidNameError (or UsageError) naming the first bad value.
    """
    project = project or ProjectInfo()
    package = validate_module_name(
        name,
        kind="package",
        top_level=True,
        allow_stdlib_shadow=allow_stdlib_shadow,
        rules=package_rules(),
    )
    _validate_package_members(package, modules, subpackages)
    project.validate()
    distribution = distribution_name(package)
    return PackageAnswers(
        package=package,
        distribution=distribution,
        modules=tuple(modules),
        subpackages=tuple(subpackages),
        scripts=_scripts(scripts, package, modules, distribution),
        layout=layout,
        project=project,
        ci=ci,
    )


def _validate_package_members(
    package: str, modules: Sequence[str], subpackages: Sequence[str]
) -> None:
    for module in modules:
        validate_module_name(module, kind="module", rules=module_rules())
    for sub in subpackages:
        validate_module_name(sub, kind="subpackage", rules=subpackage_rules())
    validate_sibling_names(
        [*modules, *subpackages], kind="module or subpackage name", parent=package
    )


def _scripts(
    specs: Sequence[str], package: str, modules: Sequence[str], distribution: str
) -> tuple[Script, ...]:
    """The `--script NAME=MODULE:FUNC` entries; the package's own `cli:main` when none."""
    scripts: list[Script] = []
    for spec in specs:
        name, module, func = validate_script(
            spec,
            package=package,
            modules=modules,
            function_rules=function_rules(package, modules),
        )
        if any(script.name == name for script in scripts):
            raise InvalidNameError(f"--script name {name!r} is given twice")
        scripts.append(Script(name, module, func))
    return tuple(scripts) or (Script(distribution, "cli", "main"),)


def member_answers(
    package: str, *, module: str | None = None, subpackage: str | None = None
) -> PackageAnswers:
    """The package template's answers that render one new module or subpackage of `package`.

    `package` is the dotted name of a package found on disk (`acme.core`), so it is
    not checked as a new top-level name; everything else is the template's default.
    """
    distribution = distribution_name(package)
    return PackageAnswers(
        package=package,
        distribution=distribution,
        modules=(module,) if module is not None else (),
        subpackages=(subpackage,) if subpackage is not None else (),
        scripts=(Script(distribution, "cli", "main"),),
    )


def module_answers(
    name: str, *, description: str | None = None, allow_stdlib_shadow: bool = False
) -> ModuleAnswers:
    """Validate the options of `scaffold new module` and turn them into template answers."""
    module = validate_module_name(
        name,
        kind="module",
        top_level=True,
        allow_stdlib_shadow=allow_stdlib_shadow,
        rules=new_module_rules(),
    )
    return ModuleAnswers(module, description)


def game_answers(
    name: str,
    *,
    project: ProjectInfo | None = None,
    allow_stdlib_shadow: bool = False,
    ci: CI = CI.GITHUB,
) -> GameAnswers:
    """Validate the options of `scaffold new game` and turn them into template answers."""
    project = project or ProjectInfo()
    package = validate_module_name(
        name,
        kind="package",
        top_level=True,
        allow_stdlib_shadow=allow_stdlib_shadow,
        rules=game_rules(),
    )
    project.validate()
    return GameAnswers(package, distribution_name(package), project, ci)


def workspace_answers(
    name: str,
    *,
    packages: Sequence[str],
    namespace: str | None = None,
    depends: Sequence[str] = (),
    project: ProjectInfo | None = None,
    allow_stdlib_shadow: bool = False,
    ci: CI = CI.GITHUB,
) -> WorkspaceAnswers:
    """Validate the options of `scaffold new workspace` and turn them into template answers.

    `depends` holds `MEMBER:REQUIRED` pairs; a dependency loop between members is refused
    because no install order could satisfy it.
    """
    project = project or ProjectInfo()
    validate_folder_name(name, kind="workspace")
    if not packages:
        raise UsageError(
            f"a workspace needs at least one member; usage: scaffold new workspace {name}"
            " --package core [--package api]..."
        )
    if namespace:
        validate_module_name(
            namespace, kind="namespace", top_level=True, allow_stdlib_shadow=allow_stdlib_shadow
        )
    for member in packages:
        # With a namespace, members are `ns.member` and shadow nothing at the top level.
        validate_module_name(
            member,
            kind="package",
            top_level=not namespace,
            allow_stdlib_shadow=allow_stdlib_shadow,
            rules=member_rules(namespace),
        )
    validate_sibling_names(packages, kind="package", parent=namespace or name)
    _validate_member_distributions(packages, namespace)
    project.validate()
    return WorkspaceAnswers(
        workspace=name,
        packages=tuple(packages),
        namespace=namespace,
        depends=_dependencies(depends, packages),
        project=project,
        ci=ci,
    )


def _validate_member_distributions(packages: Sequence[str], namespace: str | None) -> None:
    """Refuse two members whose distribution names normalise alike (`core`, `_core`)."""
    owners: dict[str, str] = {}
    for member in packages:
        dotted = f"{namespace}.{member}" if namespace else member
        distribution = distribution_name(dotted)
        if distribution in owners:
            raise InvalidNameError(
                f"packages {owners[distribution]!r} and {member!r} would both be distribution"
                f" {distribution!r}; rename one of them"
            )
        owners[distribution] = member


def _dependencies(specs: Sequence[str], packages: Sequence[str]) -> tuple[Dependency, ...]:
    """The `--depends MEMBER:REQUIRED` edges, each once; a loop between members is refused."""
    edges: list[Dependency] = []
    for spec in specs:
        member, colon, required = (part.strip() for part in spec.partition(":"))
        if not colon or not member or not required:
            raise UsageError(f"--depends {spec!r} is not MEMBER:REQUIRED; for example 'api:core'")
        for part in (member, required):
            if part not in packages:
                raise UsageError(
                    f"--depends {spec!r} names {part!r}, which is not a member;"
                    f" members are {', '.join(packages)}"
                )
        if member == required:
            raise UsageError(f"--depends {spec!r}: a package cannot depend on itself")
        edge = Dependency(member, required)
        if edge not in edges:
            edges.append(edge)
    loop = _dependency_loop(edges)
    if loop:
        raise UsageError(
            f"--depends makes a loop ({' -> '.join(loop)}); members must depend on each other"
            " in one direction only"
        )
    return tuple(edges)


def _dependency_loop(edges: Sequence[Dependency]) -> list[str]:
    """One loop in the member dependency graph, as a path that ends where it starts."""
    graph: dict[str, list[str]] = {}
    for edge in edges:
        graph.setdefault(edge.package, []).append(edge.requires)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def parse_data(specs: Sequence[str]) -> dict[str, str]:
    """Turn `--data KEY=VALUE` options into answers (Copier casts each to its question's type)."""
    data: dict[str, str] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        key = key.strip()
        if not sep or not _DATA_KEY.match(key):
            raise UsageError(
                f"--data {spec!r} is not KEY=VALUE with KEY a question name"
                " (letters, digits, '_', '-'), e.g. --data project_name=demo"
            )
        if key in data:
            raise UsageError(f"--data {key!r} is given twice")
        data[key] = value
    return data


def team_answers(specs: Sequence[str]) -> dict[str, object]:
    """Answers for a team template: `--data` options plus scaffold's version.

    A template that declares a `scaffold_version` question (as the built-in
    ones do) records the version as an answer; for the others it is not
    recorded by Copier, and scaffold adds it to the answers file itself.
    """
    answers: dict[str, object] = dict(parse_data(specs))
    answers.setdefault("scaffold_version", __version__)
    return answers
