"""What a team expects in a new package, game or workspace: a CI workflow (valid against
the GitHub workflow schema), a pre-commit config using scaffold's own hook, Python-version
classifiers that match --python, `Private :: Do Not Upload` for proprietary code, and the
dev tools in a PEP 735 dependency group rather than a published extra."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import trove_classifiers
import yaml
from jsonschema import Draft7Validator

from scaffold.choices import PYTHON_VERSIONS
from scaffold.cli import main
from scaffold.templates import builtin_template

#: SchemaStore's github-workflow.json as check-jsonschema vendors it (Apache-2.0, see
#: LICENSE.schemastore beside it); kept in the repository so the test needs no network.
WORKFLOW_SCHEMA = Path(__file__).parent / "fixtures" / "schemas" / "github-workflow.json"

#: scaffold's own distribution name: the dev group must name it, never the unrelated
#: `scaffold` on the package index (which would install someone else's command).
OWN_DISTRIBUTION = tomllib.loads(
    (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
)["project"]["name"]


#: The templates that write team files, with the options each needs besides its name.
TEMPLATES = {"package": (), "game": (), "workspace": ("-p", "core", "-p", "api")}


def _new(tmp_path: Path, *options: str, template: str = "package") -> Path:
    project = tmp_path / "proj"
    argv = ["new", template, "proj", *TEMPLATES[template], *options, "--dest", str(project)]
    assert main([*argv, "--quiet", "--no-git"]) == 0
    return project


def _workflow(project: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("python", PYTHON_VERSIONS)
def test_the_workflow_is_valid_and_runs_every_supported_python(
    python: str, template: str, tmp_path: Path
) -> None:
    workflow = _workflow(_new(tmp_path, "--python", python, template=template))
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    # PyYAML reads the `on:` key as True (YAML 1.1); GitHub reads it as "on".
    workflow["on"] = workflow.pop(True)
    errors = sorted(Draft7Validator(schema).iter_errors(workflow), key=str)
    assert not errors, [error.message for error in errors]
    (job,) = workflow["jobs"].values()
    expected = list(PYTHON_VERSIONS[PYTHON_VERSIONS.index(python) :])
    assert job["strategy"]["matrix"]["python-version"] == expected
    runs = [step["run"] for step in job["steps"] if "run" in step]
    for command in ("ruff check .", "ruff format --check .", "mypy", "python -m pytest"):
        assert command in runs
    assert "scaffold check ." in runs
    (install,) = [run for run in runs if "install" in run]
    members = [f" -e packages/{m}" for m in ("core", "api")] if template == "workspace" else []
    assert install.endswith("python -m pip install --group dev" + ("".join(members) or " -e ."))


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("options", [("--no-ci",), ("--ci", "none")], ids=["no-ci", "ci-none"])
def test_no_ci_writes_no_workflow(options: tuple[str, ...], template: str, tmp_path: Path) -> None:
    project = _new(tmp_path, *options, template=template)
    assert not (project / ".github").exists()
    assert (project / ".pre-commit-config.yaml").is_file()
    assert ".github/workflows" not in (project / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_pre_commit_config_is_valid_and_uses_scaffolds_hook(
    template: str, tmp_path: Path
) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    project = _new(tmp_path, template=template)
    config = clientlib.load_config(str(project / ".pre-commit-config.yaml"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "scaffold-check"} <= set(hooks)
    assert hooks["scaffold-check"]["entry"] == "scaffold check"
    # The hooks run the dev group's tools: the group must install them.
    dev = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    names = {d.split(">")[0] for d in dev["dependency-groups"]["dev"]}
    assert {"pre-commit", "ruff", OWN_DISTRIBUTION} <= names
    assert "scaffold" not in names


@pytest.mark.parametrize("template", ["package", "game"])
@pytest.mark.parametrize(
    ("python", "license"), [("3.11", "MIT"), ("3.13", "Proprietary"), ("3.14", "Apache-2.0")]
)
def test_classifiers_and_dev_group(
    python: str, license: str, template: str, tmp_path: Path
) -> None:
    project = _new(tmp_path, "--python", python, "--license", license, template=template)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    classifiers = pyproject["project"]["classifiers"]
    for classifier in classifiers:
        assert classifier in trove_classifiers.classifiers or classifier.startswith("Private ::")
    prefix = "Programming Language :: Python :: 3."
    versions = [c.removeprefix(prefix[:-2]) for c in classifiers if c.startswith(prefix)]
    assert versions == list(PYTHON_VERSIONS[PYTHON_VERSIONS.index(python) :])
    assert ("Private :: Do Not Upload" in classifiers) == (license == "Proprietary")
    assert "optional-dependencies" not in pyproject["project"]  # no published `dev` extra
    dev = pyproject["dependency-groups"]["dev"]
    assert {d.split(">")[0] for d in dev} >= {"pytest", "ruff", "mypy", OWN_DISTRIBUTION}


def test_every_template_ships_the_same_pre_commit_config() -> None:
    # Copier refuses a path outside a template, so each keeps a copy: they must not drift.
    copies = {
        name: (builtin_template(name) / "template" / ".pre-commit-config.yaml").read_bytes()
        for name in TEMPLATES
    }
    assert len(set(copies.values())) == 1, sorted(copies)
