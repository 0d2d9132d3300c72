"""The built-in templates are plain Copier templates: `copier copy` works without scaffold."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _copier(*args: str, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_package_template_with_plain_copier(tmp_path: Path) -> None:
    _copier("--data", "modules=[alpha, beta]", str(TEMPLATES / "package"), "my-proj", cwd=tmp_path)
    project = tmp_path / "my-proj"
    # The package name defaults to the folder name, made importable.
    init = project / "my_proj" / "__init__.py"
    tree = ast.parse(init.read_text())
    assigned = {
        t.id: n.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    assert ast.literal_eval(assigned["__all__"]) == ["__version__", "alpha", "beta"]
    data = tomllib.loads((project / "pyproject.toml").read_text())
    assert data["project"]["name"] == "my-proj"
    assert data["project"]["scripts"] == {"my-proj": "my_proj.cli:main"}
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["modules"] == ["alpha", "beta"]
    assert "package_dir" not in answers  # computed values are not recorded


def test_module_template_with_plain_copier(tmp_path: Path) -> None:
    _copier("--data", "module=tool", str(TEMPLATES / "module"), ".", cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_tool.py", "tool.py"]


def test_builtin_templates_need_no_trust() -> None:
    for copier_yml in TEMPLATES.glob("*/copier.yml"):
        config = yaml.safe_load(copier_yml.read_text())
        for key in ("_tasks", "_migrations", "_jinja_extensions"):
            assert key not in config, f"{copier_yml} declares {key}"


def test_plain_copier_normalises_underscored_distribution_names(tmp_path: Path) -> None:
    # The templates' own defaults agree with scaffold's: `_priv` is distribution `priv`.
    _copier("--data", "package=_priv", str(TEMPLATES / "package"), "pkg", cwd=tmp_path)
    data = tomllib.loads((tmp_path / "pkg" / "pyproject.toml").read_text())
    assert data["project"]["name"] == "priv"
    assert data["project"]["scripts"] == {"priv": "_priv.cli:main"}
    _copier("--data", "package=_g_", str(TEMPLATES / "game"), "game", cwd=tmp_path)
    data = tomllib.loads((tmp_path / "game" / "pyproject.toml").read_text())
    assert data["project"]["name"] == "g"


def test_no_template_copies_bytecode(tmp_path: Path) -> None:
    """pip byte-compiles the templates' .py files inside scaffold's wheel; none may travel."""
    import shutil

    from scaffold.generate.answers import (
        BuiltinAnswers,
        copier_data,
        game_answers,
        module_answers,
        package_answers,
        workspace_answers,
    )

    records: dict[str, BuiltinAnswers] = {
        "package": package_answers("demo", modules=("core",)),
        "module": module_answers("tool"),
        "game": game_answers("pong"),
        "workspace": workspace_answers("acme", packages=("core",)),
    }
    for name, record in records.items():
        template = tmp_path / "templates" / name
        shutil.copytree(TEMPLATES / name, template)
        # What an installed wheel holds: a __pycache__ beside every folder's files.
        for folder in [template / "template", *(template / "template").rglob("*")]:
            if folder.is_dir() and folder.name != "__pycache__":
                cache = folder / "__pycache__"
                cache.mkdir(exist_ok=True)
                (cache / "x.cpython-311.pyc").write_bytes(b"\0")
                (folder / "stray.pyc").write_bytes(b"\0")
        out = tmp_path / "out" / name
        data = [f"--data={k}={v}" for k, v in copier_data(record).items() if isinstance(v, str)]
        _copier(*data, str(template), str(out), cwd=tmp_path)
        leaked = [p for p in out.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]
        assert leaked == [], name


def test_game_and_module_take_their_name_from_the_folder(tmp_path: Path) -> None:
    """`--defaults` alone renders them (issue 18: no question only a person can answer)."""
    _copier(str(TEMPLATES / "game"), "Pong-Game", cwd=tmp_path)
    assert (tmp_path / "Pong-Game" / "pong_game" / "game.py").is_file()
    _copier(str(TEMPLATES / "module"), "tool", cwd=tmp_path)
    assert sorted(p.name for p in (tmp_path / "tool").iterdir()) == ["test_tool.py", "tool.py"]
