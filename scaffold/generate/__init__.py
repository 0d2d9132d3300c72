"""Rendering Copier templates, all or nothing: the only package that imports copier."""

# copier and jinja2 are imported inside the functions that run them, so importing
# this package stays cheap; each submodule names its concern.

from __future__ import annotations

from scaffold.generate.placement import file_name_limits, place_files, staging_folder
from scaffold.generate.run import (
    GenerateRequest,
    GenerateResult,
    generate,
    record_scaffold_version,
    render_template,
)
from scaffold.generate.trust import unsafe_features
from scaffold.generate.update import UpdateRequest, UpdateResult, update_project

__all__ = [
    "GenerateRequest",
    "GenerateResult",
    "UpdateRequest",
    "UpdateResult",
    "file_name_limits",
    "generate",
    "place_files",
    "record_scaffold_version",
    "render_template",
    "staging_folder",
    "unsafe_features",
    "update_project",
]
