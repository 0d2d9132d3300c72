"""The distribution name and the project's home: one name, one URL, used consistently."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from scaffold import HOME_URL

ROOT = Path(__file__).resolve().parents[1]


def test_the_distribution_is_not_the_unrelated_scaffold_on_the_index() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # `pip install scaffold` installs an unrelated 2013 project; the command stays `scaffold`.
    assert project["name"] == "scaffold-py"
    assert project["scripts"] == {"scaffold": "scaffold.cli:run_console"}
    assert all(url.startswith(HOME_URL) for url in project["urls"].values())


def test_every_link_to_the_project_is_its_home() -> None:
    texts = {
        "README.md": (ROOT / "README.md").read_text(encoding="utf-8"),
        ".pre-commit-hooks.yaml": (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
        "template README": (ROOT / "templates/package/template/README.md.jinja").read_text(
            encoding="utf-8"
        ),
    }
    for name, text in texts.items():
        assert HOME_URL in text, name
        assert "pypi.org/project/scaffold/" not in text, name
        assert not re.search(r"github\.com/ORG/", text), name
    # Named, but not offered as an install from the index: it is not published there yet.
    assert "`scaffold-py`" in texts["README.md"]
    assert "pip install scaffold-py" not in texts["README.md"]


def test_no_text_installs_the_unrelated_scaffold_from_the_index() -> None:
    # `pip install scaffold` (or a dependency named plain `scaffold`) would fetch someone
    # else's 2013 package: every install instruction names scaffold-py.
    docs = [*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    templates = list(ROOT.joinpath("templates").rglob("*.jinja"))
    install = re.compile(r"(pip|pipx|uv tool) install (-U )?scaffold(?![-\w])")
    requirement = re.compile(r"\"scaffold(\[\w+\])?([<>=~!][^\"]*)?\"")  # a dependency string
    for path in docs + templates:
        text = path.read_text(encoding="utf-8")
        found = install.search(text) or (path in templates and requirement.search(text))
        assert not found, f"{path.relative_to(ROOT)}: {found and found.group()}"
