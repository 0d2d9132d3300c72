"""What the built-in templates let a user choose: licenses, layouts and Python versions."""

# Defined once, for the command line's choices and the typed answers alike; outside
# scaffold.generate so that building the CLI imports nothing more. tests/
# test_template_answers.py ties them to the templates' copier.yml.

from __future__ import annotations

from enum import StrEnum

__all__ = ["CI", "DEFAULT_PYTHON", "PYTHON_VERSIONS", "Layout", "License"]


class License(StrEnum):
    """Licenses the built-in templates know."""

    MIT = "MIT"
    APACHE = "Apache-2.0"
    BSD3 = "BSD-3-Clause"
    PROPRIETARY = "Proprietary"


class CI(StrEnum):
    """The continuous-integration workflow a new project gets."""

    GITHUB = "github"
    NONE = "none"


class Layout(StrEnum):
    """Where the package folder lives."""

    FLAT = "flat"
    SRC = "src"


#: The oldest Python a generated project may declare; the first is the default.
PYTHON_VERSIONS = ("3.11", "3.12", "3.13", "3.14")
DEFAULT_PYTHON = PYTHON_VERSIONS[0]
