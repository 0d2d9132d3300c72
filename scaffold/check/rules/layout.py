"""PKG rules: folders without `__init__.py`, stdlib shadowing, unimportable names, conflicts."""

from __future__ import annotations

import keyword
import sys
from collections.abc import Iterator

from scaffold.check.discover import Tree
from scaffold.check.model import FILE_SPAN, Finding

__all__ = ["check_layout"]

# Names in sys.stdlib_module_names that a project may use at its top without harm.
_HARMLESS = frozenset({"__main__", "__init__", "__future__", "this", "antigravity"})


def _importable(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def check_layout(tree: Tree) -> Iterator[Finding]:
    """PKG001-PKG004 over the discovered tree."""
    for folder in tree.folders:
        name = folder.path.name
        if (
            not folder.has_init
            and folder.parent_is_package
            and folder.holds_code
            and _importable(name)
            and folder.module not in folder.config.namespace_packages
        ):
            yield Finding(
                "PKG001",
                folder.rel,
                FILE_SPAN,
                f"folder '{name}' inside a package holds Python code but has no __init__.py",
            )
        if folder.has_init and folder.parent_is_package and not _importable(name):
            yield Finding(
                "PKG003",
                folder.rel,
                FILE_SPAN,
                f"package folder '{name}' is not importable by name",
            )
        if (
            folder.has_init
            and folder.module
            and "." not in folder.module
            and name in sys.stdlib_module_names
            and name not in _HARMLESS
        ):
            yield Finding(
                "PKG002",
                folder.rel,
                FILE_SPAN,
                f"top-level package '{name}' shadows the standard-library module '{name}'",
            )
    files = {f.path for f in tree.files}
    for source in tree.files:
        if source.is_stub or source.is_extension:
            continue
        stem = source.path.name[:-3]
        # `0001_initial.py` (Django, Alembic migrations) is numbered on purpose and loaded by
        # path; a bad name inside a bad folder is reported once, at the folder.
        if (
            source.in_package
            and not source.is_package
            and not _importable(stem)
            and not stem[:1].isdigit()
        ):
            yield Finding(
                "PKG003",
                source.rel,
                FILE_SPAN,
                f"module file '{source.path.name}' inside a package is not importable by name",
            )
        if (
            not source.scope
            and not source.is_package
            and source.module == stem
            and stem in sys.stdlib_module_names
            and stem not in _HARMLESS
        ):
            yield Finding(
                "PKG002",
                source.rel,
                FILE_SPAN,
                f"top-level module '{stem}' shadows the standard-library module '{stem}'",
            )
        if not source.is_package and (source.path.parent / stem / "__init__.py") in files:
            yield Finding(
                "PKG004",
                source.rel,
                FILE_SPAN,
                f"'{source.path.name}' can never be imported: the package '{stem}/' beside it wins",
            )
