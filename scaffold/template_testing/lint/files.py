"""Linting a template's files: Jinja in names and contents, module names, paths, `_exclude`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from scaffold.check.model import Diagnostic
from scaffold.template_testing.lint.config_file import ConfigFile
from scaffold.template_testing.lint.findings import finding
from scaffold.template_testing.lint.jinja_check import compile_error, has_jinja

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["TemplateFiles", "lint_exclude", "lint_files"]

#: Leftovers an `_exclude` keeps out defensively: a pattern matching one of them is never
#: reported for matching nothing today.
_LEFTOVERS = (
    "__pycache__", "__pycache__/m.cpython-311.pyc", "m.pyc", "m.pyo", "m.pyd", "~m", ".git",
    ".hg", ".svn", ".DS_Store", "Thumbs.db", "m.swp", ".idea", ".vscode", "copier.yml",
)  # fmt: skip


_PARENT = re.compile(r"""(^|/|['"])\.\.(/|['"]|$)""")


#: What Copier leaves out of a template kept at its repository's root that sets no
#: `_exclude` (copier._template.DEFAULT_EXCLUDE, 9.x).
_COPIER_DEFAULT_EXCLUDE = (
    "copier.yaml", "copier.yml", "~*", "*.py[co]", "__pycache__", ".git", ".DS_Store", ".svn",
)  # fmt: skip


class TemplateFiles:
    """The files and folders Copier would render: under the template root, `.git` left out."""

    def __init__(self, root: Path, template_root: Path, suffix: str) -> None:
        self.root = root
        self.template_root = template_root
        self.suffix = suffix
        self.paths: list[PurePosixPath] = []
        for folder, dirnames, filenames in os.walk(template_root):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            base = Path(folder)
            for name in [*dirnames, *sorted(filenames)]:
                self.paths.append(
                    PurePosixPath((base / name).relative_to(template_root).as_posix())
                )

    def names(self, path: PurePosixPath) -> list[str]:
        """What an `_exclude` pattern is matched against: Copier matches the rendered path
        (the suffix dropped); the path as written is tried too."""
        text = str(path)
        if self.suffix and text.endswith(self.suffix):
            return [text, text[: -len(self.suffix)]]
        return [text]

    def excluded_by(self, config: ConfigFile) -> set[PurePosixPath]:
        """The paths Copier would not render: its `_exclude` (or, for a template at the
        root of its repository without one, Copier's defaults) and copier.yml itself."""
        import pathspec

        if "_exclude" in config.data:
            patterns = config.data["_exclude"]
        else:
            patterns = list(_COPIER_DEFAULT_EXCLUDE) if self.root == self.template_root else []
        if not isinstance(patterns, list):
            return set()
        fixed = [p for p in patterns if isinstance(p, str) and "{" not in p]
        spec = pathspec.GitIgnoreSpec.from_lines([*fixed, "/copier.yml", "/copier.yaml"])
        return {path for path in self.paths if any(map(spec.match_file, self.names(path)))}

    def shown(self, path: PurePosixPath) -> str:
        """`path` (relative to the template root) as the findings show it: from the repository."""
        return (self.template_root / path).relative_to(self.root).as_posix()


def lint_exclude(config: ConfigFile, rel: str, files: TemplateFiles) -> Iterator[Diagnostic]:
    """`_exclude` patterns that match no file of the template and no usual leftover."""
    import pathspec

    patterns = config.data.get("_exclude")
    if not isinstance(patterns, list):
        return
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or "{" in pattern or pattern.startswith("!"):
            continue
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        candidates = [name for p in files.paths for name in files.names(p)]
        candidates += [f"{p}/" for p in files.paths]
        if any(spec.match_file(c) for c in candidates) or any(
            spec.match_file(leftover) for leftover in _LEFTOVERS
        ):
            continue
        yield finding(
            "TPL009",
            rel,
            config.at("_exclude", str(index)).line,
            f"_exclude pattern {pattern!r} matches no file of the template",
        )


def lint_files(files: TemplateFiles, config: ConfigFile, env: Environment) -> Iterator[Diagnostic]:
    """Path names and template files that do not compile; modules Python could not import.

    Files the template excludes are not rendered, so they are not read either.
    """
    suffix = files.suffix
    packages = _package_folders(files.paths, suffix)
    excluded = files.excluded_by(config)
    for path in files.paths:
        if path in excluded:
            continue
        text = str(path)
        if has_jinja(text, env) and (error := compile_error(env, text)) is not None:
            yield finding("TPL007", files.shown(path), 1, f"path name: {error.message}")
        yield from _outside(files, path)
        yield from _module_name(files, path, packages, suffix, env)
        full = files.template_root / path
        if full.is_file() and not full.is_symlink() and (not suffix or text.endswith(suffix)):
            yield from _contents(files, path, env)


def _contents(files: TemplateFiles, path: PurePosixPath, env: Environment) -> Iterator[Diagnostic]:
    try:
        content = (files.template_root / path).read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return  # binary: Copier copies it as it is
    error = compile_error(env, content)
    if error is not None:
        yield finding("TPL007", files.shown(path), error.line, error.message)


def _rendered_shape(text: str, env: Environment) -> str:
    """A path name with each expression as `x` and each tag dropped: its fixed shape."""
    variable = re.escape(env.variable_start_string) + ".*?" + re.escape(env.variable_end_string)
    block = re.escape(env.block_start_string) + ".*?" + re.escape(env.block_end_string)
    return re.sub(block, "", re.sub(variable, "x", text))


def _package_folders(paths: Sequence[PurePosixPath], suffix: str) -> set[PurePosixPath]:
    names = {"__init__.py", f"__init__.py{suffix}"}
    return {path.parent for path in paths if path.name in names}


def _module_name(
    files: TemplateFiles,
    path: PurePosixPath,
    packages: set[PurePosixPath],
    suffix: str,
    env: Environment,
) -> Iterator[Diagnostic]:
    """A module inside a package, or a package folder, whose name cannot be imported."""
    name = path.name[: -len(suffix)] if suffix and path.name.endswith(suffix) else path.name
    if path in packages:
        stem = name
    elif path.parent in packages and name.endswith(".py"):
        stem = name[:-3]
    else:
        return
    shape = _rendered_shape(stem, env)
    if shape and not shape.isidentifier():
        yield finding(
            "TPL011",
            files.shown(path),
            1,
            f"renders to the module name {shape!r} (with each expression as x), which"
            " `import` cannot name; use letters, digits and underscores",
        )


def _outside(files: TemplateFiles, path: PurePosixPath) -> Iterator[Diagnostic]:
    """A `..` in a path name's text (a folder cannot be named `..`, so it is in an
    expression: `{{ '..' }}`), or a symlink leading out of the template."""
    full = files.template_root / path
    if _PARENT.search(str(path)):
        yield finding(
            "TPL012", files.shown(path), 1, "the path renders a `..`: it writes outside the project"
        )
    elif full.is_symlink():
        target = (full.parent / os.readlink(full)).resolve()
        if not target.is_relative_to(files.template_root.resolve()):
            yield finding(
                "TPL012",
                files.shown(path),
                1,
                f"a symlink to {os.readlink(full)}, outside the template and the project",
            )
