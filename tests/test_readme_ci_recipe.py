"""The README's recipe for the cache in GitHub Actions: a valid workflow whose cache path is
the folder `scaffold check .` uses, saved even by a run that found something."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from scaffold.check.incremental.location import CACHE_DIR

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_SCHEMA = Path(__file__).parent / "fixtures" / "schemas" / "github-workflow.json"


def _recipe_steps() -> list[dict[str, Any]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "actions/cache" in b]
    assert len(blocks) == 1, "one GitHub Actions cache recipe in the README"
    steps = yaml.safe_load(blocks[0])
    assert isinstance(steps, list)
    return steps


def test_the_ci_recipe_is_a_valid_workflow() -> None:
    workflow = {
        "on": ["push", "pull_request"],
        "jobs": {"check": {"runs-on": "ubuntu-latest", "steps": _recipe_steps()}},
    }
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    errors = [error.message for error in Draft7Validator(schema).iter_errors(workflow)]
    assert errors == []


def test_the_ci_recipe_saves_the_cache_scaffold_uses_even_after_findings() -> None:
    # `actions/cache` saves only after a green job: a branch with findings was cold on
    # every run. The save must be a step of its own that runs after a failed check.
    steps = _recipe_steps()
    uses = [str(step.get("uses", "")) for step in steps]
    check = next(i for i, step in enumerate(steps) if "scaffold check ." in str(step.get("run")))
    restore = next(i for i, name in enumerate(uses) if name.startswith("actions/cache/restore@"))
    save = next(i for i, name in enumerate(uses) if name.startswith("actions/cache/save@"))
    assert restore < check < save
    assert not any(name.startswith("actions/cache@") for name in uses)
    condition = str(steps[save].get("if", ""))
    assert "!cancelled()" in condition or "always()" in condition
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == CACHE_DIR
    step_id = steps[restore]["id"]
    assert steps[save]["with"]["key"] == f"${{{{ steps.{step_id}.outputs.cache-primary-key }}}}"
