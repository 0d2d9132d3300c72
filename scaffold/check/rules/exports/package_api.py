"""What the two package rules (EXP005, EXP006) share: which `__init__.py` files have a public
API to declare, and which of their imports run when the package is imported."""

from __future__ import annotations

from scaffold.check.model import ImportFact, Where
from scaffold.check.rules.names import is_private
from scaffold.check.rules.unit import FileContext

__all__ = ["first_party", "public_package", "runtime_imports"]


def public_package(ctx: FileContext) -> bool:
    """A package `__init__`; a private package (`pip._internal.vcs`) has no API to declare."""
    source = ctx.source
    return source.is_package and not any(is_private(p) for p in source.module.split("."))


def runtime_imports(ctx: FileContext) -> list[ImportFact]:
    """Imports that bind module names when the package is imported."""
    return [
        imp
        for imp in ctx.facts.imports
        if imp.where is Where.MODULE and imp.binds and imp.module != "__future__"
    ]


def first_party(ctx: FileContext, imp: ImportFact) -> bool:
    """A relative import, or one of a first-party module."""
    return imp.level > 0 or ctx.project.is_first_party(imp.module, ctx.source.scope)
