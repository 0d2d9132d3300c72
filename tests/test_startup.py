"""`scaffold --help` and everything but generation must not import copier or jinja2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# pygls and lsprotocol (with cattrs and attrs) only for `scaffold server`, watchfiles for --watch.
HEAVY = ("copier", "jinja2", "pydantic", "pygls", "lsprotocol", "cattrs", "watchfiles")
# Rendering help with rich imports rich, markdown-it and pygments: more than half of `--help`.
RICH = ("rich", "markdown_it", "pygments")
CONTRACTS = ("scaffold.check.contracts", "scaffold.check.imports.contracts")


def _imported_modules(*args: str) -> set[str]:
    """The top-level packages `scaffold ARGS` imports."""
    return {name.split(".")[0] for name in _imported_module_names(*args)}


def _imported_module_names(*args: str) -> set[str]:
    """Every module `scaffold ARGS` imports, by its full dotted name."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scaffold", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("new", "--help"),
        ("new", "package", "--help"),
        ("new", "team-service", "--help"),
        ("templates", "list"),
        ("update", "--help"),
    ],
)
def test_no_heavy_imports(args: tuple[str, ...]) -> None:
    imported = _imported_modules(*args)
    assert "scaffold" in imported
    assert not imported & {*HEAVY, *RICH}, sorted(imported & {*HEAVY, *RICH})


def test_check_on_a_small_tree_imports_nothing_heavy(tmp_path: Path) -> None:
    package = tmp_path / "small" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('from .core import run\n\n__all__ = ["run"]\n')
    (package / "core.py").write_text("def run() -> None:\n    pass\n")
    # The first run parses and writes the cache, the second reads it: neither is heavy.
    for _run in ("cold", "warm"):
        imported = _imported_modules("check", str(tmp_path / "small"))
        assert "scaffold" in imported
        assert not imported & {*HEAVY, "multiprocessing", "concurrent"}, sorted(imported)


def test_a_plain_check_imports_neither_typer_nor_click(tmp_path: Path) -> None:
    # Typer's import and command building are ~0.08 s CPU of every check (issue 20).
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    for args in (("--no-cache",), ("-q", "--format", "JSON"), ("--select=EXP", "--exit-zero")):
        imported = _imported_modules("check", str(tmp_path), *args)
        assert "scaffold" in imported
        assert not imported & {"typer", "click"}, args
    # Help and a usage error are Typer's.
    assert "typer" in _imported_modules("check", "--help")
    assert "typer" in _imported_modules("check", str(tmp_path), "--format", "xml")


def test_a_plain_new_imports_neither_typer_nor_click(tmp_path: Path) -> None:
    # Typer's import and the app are ~0.045 s of `scaffold new package` (issue 20).
    for args in (
        ("package", "demo", "--module", "core", "--no-git"),
        ("module", "tool", "--description", "Tools."),
        ("game", "pong", "--license", "BSD-3-Clause", "--ci", "none", "--no-git"),
        ("workspace", "acme", "-p", "core", "-p", "api", "--depends", "api:core", "--no-git"),
    ):
        dest = tmp_path / args[0]
        imported = _imported_modules("new", *args, "--dest", str(dest), "--quiet")
        assert "copier" in imported and dest.is_dir(), args
        assert not imported & {"typer", "click"}, args
    # Help and a usage error are Typer's.
    assert "typer" in _imported_modules("new", "package", "--help")
    assert "typer" in _imported_modules("new", "package", "x", "--layout", "flatter")


def test_check_help_and_a_usage_error_do_not_render_with_rich() -> None:
    assert not _imported_modules("check", "--help") & set(RICH)
    assert not _imported_modules("check", "--no-such-option") & set(RICH)


def test_a_check_without_contracts_does_not_load_them(tmp_path: Path) -> None:
    package = tmp_path / "small" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    loaded = _imported_module_names("check", "--no-cache", str(tmp_path / "small"))
    # Their parser and graph queries load only for a project that configures contracts.
    assert "scaffold.check.config" in loaded
    assert not loaded & set(CONTRACTS), sorted(loaded & set(CONTRACTS))


# What only a run whose report cannot be kept needs: the parser's pool, the reuse of the
# last run's results, the analysis and every rule; and the formats that were not asked for.
NOT_WHEN_KEPT = (
    "scaffold.check.analysis",
    "scaffold.check.rules",
    "scaffold.check.rules.registry",
    "scaffold.check.select",
    "scaffold.check.incremental.pool",
    "scaffold.check.incremental.reuse",
    "scaffold.check.incremental.runs",
    "scaffold.check.imports.simulation",
    "scaffold.check.output.json",
    "scaffold.check.output.sarif",
    "scaffold.check.output.junit",
)


def test_a_check_that_keeps_its_stored_report_loads_no_rules(tmp_path: Path) -> None:
    package = tmp_path / "small" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('from .core import run\n\n__all__ = ["run"]\n')
    (package / "core.py").write_text("import os\n\n\ndef run() -> None:\n    pass\n")
    cold = _imported_module_names("check", str(tmp_path / "small"))
    assert {"scaffold.check.analysis", "scaffold.check.rules"} <= cold
    warm = _imported_module_names("check", str(tmp_path / "small"))
    assert "scaffold.check.output.text" in warm
    assert not warm & set(NOT_WHEN_KEPT), sorted(warm & set(NOT_WHEN_KEPT))


# What a run that parses a changed file and keeps its stored report still does not need.
NOT_WHEN_PARSED_AND_KEPT = (
    "scaffold.check.analysis",
    "scaffold.check.rules",
    "scaffold.check.select",
    "scaffold.check.incremental.reuse",
    "scaffold.check.incremental.runs",
    "scaffold.check.imports.simulation",
    "pathspec",
)


def test_an_edit_that_keeps_the_report_loads_no_rules_and_no_simulation_records(
    tmp_path: Path,
) -> None:
    package = tmp_path / "small" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('from .core import run\n\n__all__ = ["run"]\n')
    core = package / "core.py"
    core.write_text("import os  # noqa\n\n\ndef run() -> None:\n    pass\n")
    _imported_module_names("check", str(tmp_path / "small"))
    # A comment appended: the file is parsed again and its facts come out as before. The
    # file's suppression comment names no code (nothing to look up), and facts are encoded
    # with model's records alone.
    core.write_text(core.read_text() + "# edited\n")
    edited = _imported_module_names("check", str(tmp_path / "small"))
    assert "scaffold.check.facts.collector" in edited  # it was parsed
    unwanted = edited & set(NOT_WHEN_PARSED_AND_KEPT)
    assert not unwanted, sorted(unwanted)
    # A noqa comment naming a scaffold-like code is still looked up, and warned about.
    core.write_text(core.read_text() + "x = 1  # noqa: EXP999\n")
    noted = _imported_module_names("check", str(tmp_path / "small"))
    assert "scaffold.check.select" in noted


def test_an_edit_that_runs_the_rules_imports_no_baseline_json_or_difflib(tmp_path: Path) -> None:
    # Each is ~1-3 ms of a one-file edit's run; they serve --baseline and a noqa comment's
    # unknown code alone (issue 20).
    package = tmp_path / "small" / "pkg"
    package.mkdir(parents=True)
    core = package / "core.py"
    core.write_text("import os\n")
    _imported_module_names("check", str(tmp_path / "small"))
    core.write_text(core.read_text() + "new_name = 1\n")
    edited = _imported_module_names("check", str(tmp_path / "small"))
    assert "scaffold.check.analysis" in edited  # the rules ran
    unwanted = edited & {"scaffold.check.baseline", "json", "difflib"}
    assert not unwanted, sorted(unwanted)
    # An unknown code in a noqa comment still gets its nearest known code.
    core.write_text(core.read_text() + "x = 1  # noqa: EXP999\n")
    assert "difflib" in _imported_module_names("check", str(tmp_path / "small"))


def test_a_command_builds_the_click_objects_of_its_own_group_only() -> None:
    import typer.main

    from scaffold.cli.root import app, app_for

    full = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"check", "rules", "new", "templates", "update"} <= full
    for args, own in [
        (["check", "."], {"check", "schema", "rules", "rule"}),
        (["rule", "EXP001"], {"check", "schema", "rules", "rule"}),
        (["new", "package", "demo"], {"new"}),
        (["graph"], {"graph"}),
    ]:
        assert set(typer.main.get_command(app_for(args)).commands) == own  # type: ignore[attr-defined]
    for args in ([], ["--help"], ["--debug", "check"], ["chek"]):
        assert set(typer.main.get_command(app_for(args)).commands) == full  # type: ignore[attr-defined]
