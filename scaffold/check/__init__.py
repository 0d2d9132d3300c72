"""`scaffold check`: a static checker of `__all__` exports and first-party import hygiene.

The names below are the library's public API. They load on first use (PEP 562), so a
process that needs one leaf module (a parsing worker imports only the facts collector)
does not import the whole checker with the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.check.facts import parse_source
    from scaffold.check.incremental.run import run_check
    from scaffold.check.model import (
        CheckReport,
        Diagnostic,
        ModuleFacts,
        Related,
        Severity,
    )
    from scaffold.check.options import CheckOptions

__all__ = [
    "CheckOptions",
    "CheckReport",
    "Diagnostic",
    "ModuleFacts",
    "Related",
    "Severity",
    "parse_source",
    "run_check",
]

_HOMES = {
    "CheckOptions": "scaffold.check.options",
    "run_check": "scaffold.check.incremental.run",
    "CheckReport": "scaffold.check.model",
    "Diagnostic": "scaffold.check.model",
    "ModuleFacts": "scaffold.check.model",
    "Related": "scaffold.check.model",
    "Severity": "scaffold.check.model",
    "parse_source": "scaffold.check.facts",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
