"""`scaffold templates lint`: static checks of a Copier template, as check's findings."""

from __future__ import annotations

from pathlib import Path

from scaffold.check.model import CheckReport, Diagnostic
from scaffold.template_testing.lint.config_file import read_config
from scaffold.template_testing.lint.files import TemplateFiles, lint_exclude, lint_files
from scaffold.template_testing.lint.findings import LINT_RULES, LintRule, finding
from scaffold.template_testing.lint.questions import lint_questions
from scaffold.template_testing.lint.settings import lint_settings

__all__ = ["LINT_RULES", "LintRule", "lint_template", "lint_template_folder"]


def lint_template(spec: str, vcs_ref: str | None = None) -> CheckReport:
    """Lint the template `spec` names (a folder, a git URL, a built-in or registered name)."""
    from scaffold.generate.template_info import template_checkout
    from scaffold.templates import template_source

    source = template_source(spec).source
    with template_checkout(source, vcs_ref) as root:
        return lint_template_folder(root)


def lint_template_folder(root: Path) -> CheckReport:
    """Every finding of the template checked out at `root`; paths relative to `root`."""
    import yaml

    from scaffold.generate.template_info import jinja_environment

    found = sorted(root.glob("copier.y*ml"))
    if not found:
        missing = finding("TPL001", "copier.yml", 1, "the template has no copier.yml")
        return CheckReport((missing,), 0, str(root))
    config_path = found[0]
    rel = config_path.name
    try:
        config = read_config(config_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        bad = finding("TPL001", rel, line, f"copier.yml is not valid YAML: {problem}")
        return CheckReport((bad,), 1, str(root))
    env = jinja_environment(root)
    subdirectory = config.data.get("_subdirectory") or ""
    suffix = str(config.data.get("_templates_suffix", ".jinja") or "")
    files = TemplateFiles(root, root / str(subdirectory), suffix)
    diagnostics: list[Diagnostic] = [
        *lint_settings(config, rel),
        *lint_questions(config, rel, env),
        *lint_exclude(config, rel, files),
        *lint_files(files, config, env),
    ]
    diagnostics.sort(key=Diagnostic.sort_key)
    return CheckReport(tuple(diagnostics), 1 + len(files.paths), str(root))
