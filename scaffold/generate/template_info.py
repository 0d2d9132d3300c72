"""A template as Copier reads it, without rendering: its checkout, settings, questions, Jinja."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.errors import TemplateError
from scaffold.generate.run import copier_failures

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["TemplateInfo", "jinja_environment", "open_template", "template_checkout"]


@dataclass(frozen=True)
class TemplateInfo:
    """One checkout of a template: where it is on disk and what its copier.yml says.

    `config` holds the settings without their leading `_` (`subdirectory`, `tasks`, …)
    and `questions` each question's details, both as Copier reads them (`!include`s
    merged, the short form `name: default` expanded to `{default: ...}`).
    """

    source: str
    root: Path
    config: Mapping[str, Any]
    questions: Mapping[str, Mapping[str, Any]]

    @property
    def config_file(self) -> Path | None:
        """The template's copier.yml (or .yaml), if it has one."""
        found = sorted(self.root.glob("copier.y*ml"))
        return found[0] if found else None

    @property
    def template_root(self) -> Path:
        """The folder whose files are rendered (`_subdirectory`, or the root)."""
        return self.root / str(self.config.get("subdirectory", "") or "")


@contextlib.contextmanager
def open_template(source: str, vcs_ref: str | None = None) -> Iterator[TemplateInfo]:
    """Read `source` as Copier would render it (a git source is cloned; removed afterwards)."""
    from copier._template import Template

    template = Template(url=source, ref=vcs_ref)
    try:
        with copier_failures(source, f"template {source}"):
            root = template.local_abspath
            info = TemplateInfo(
                source, root, dict(template.config_data), dict(template.questions_data)
            )
        yield info
    finally:
        template._cleanup()


@contextlib.contextmanager
def template_checkout(source: str, vcs_ref: str | None = None) -> Iterator[Path]:
    """The folder holding `source` as Copier would render it; a git source is cloned first.

    Its copier.yml is not read: a linter reads it itself, to report where it is wrong.
    """
    from copier._template import Template

    template = Template(url=source, ref=vcs_ref)
    try:
        with copier_failures(source, f"template {source}"):
            root = template.local_abspath
        yield root
    finally:
        template._cleanup()


def jinja_environment(root: Path) -> Environment:
    """The Jinja environment Copier renders the template at `root` with (filters, `yield`)."""
    from copier._main import Worker

    with tempfile.TemporaryDirectory(prefix="scaffold-lint-") as scratch:
        worker = Worker(src_path=str(root), dst_path=Path(scratch), quiet=True)
        with copier_failures(str(root), f"template {root}"):
            environment: Environment = worker.jinja_env
    if environment is None:  # pragma: no cover - Copier always builds one
        raise TemplateError(f"template {root}: Copier built no Jinja environment")
    return environment
