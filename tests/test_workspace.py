"""`scaffold new workspace`: members, namespaces, dependencies; installs and tests pass."""

from __future__ import annotations

import tomllib
import venv
from pathlib import Path

import pytest

from scaffold.cli import main
from tests.conftest import (
    README_COMMANDS,
    assert_refused,
    build_wheel,
    ci_commands,
    run_ok,
    run_shell,
)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["new", "workspace", "ws"], "needs at least one member"),
        (["new", "workspace", "ws", "--package", "a", "--package", "a"], "given twice"),
        (["new", "workspace", "ws", "--package", "json"], "'json_utils'"),
        (["new", "workspace", "ws", "--package", "a", "--namespace", "Acme"], "not lower case"),
        (["new", "workspace", "ws", "--package", "a", "--namespace", "os"], "'os_utils'"),
        (["new", "workspace", "ws", "--package", "a", "--depends", "a"], "MEMBER:REQUIRED"),
        (["new", "workspace", "ws", "--package", "a", "--depends", "a:b"], "not a member"),
        (["new", "workspace", "ws", "--package", "a", "--depends", "a:a"], "itself"),
        (
            [
                "new",
                "workspace",
                "ws",
                "-p",
                "a",
                "-p",
                "b",
                "-p",
                "c",
                "--depends",
                "a:b",
                "--depends",
                "b:c",
                "--depends",
                "c:a",
            ],
            "loop (a -> b -> c -> a)",
        ),
        (["new", "workspace", "my ws", "--package", "a"], "not a plain folder name"),
        (
            ["new", "workspace", "ws", "--package", "core", "--package", "_core"],
            "'core' and '_core' would both be distribution 'core'",
        ),
        (["new", "workspace", "ws", "--package", "_"], "no letter or digit"),
    ],
)
def test_bad_workspace_input(
    argv: list[str],
    fragment: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_refused(argv, fragment, tmp_path, capsys)


def test_stdlib_member_names_are_fine_inside_a_namespace(tmp_path: Path) -> None:
    dest = tmp_path / "ws"
    argv = ["new", "workspace", "ws", "-p", "json", "--namespace", "acme", "--dest", str(dest)]
    assert main([*argv, "-q"]) == 0
    assert (dest / "packages/json/src/acme/json/__init__.py").is_file()


def test_namespace_workspace_layout(tmp_path: Path) -> None:
    dest = tmp_path / "acme"
    argv = ["new", "workspace", "acme", "-p", "core", "-p", "api", "--namespace", "acme"]
    assert main([*argv, "--depends", "api:core", "--dest", str(dest), "-q"]) == 0
    root = tomllib.loads((dest / "pyproject.toml").read_text())
    assert root["tool"]["uv"]["workspace"]["members"] == ["packages/core", "packages/api"]
    assert root["tool"]["scaffold"]["workspace"]["members"] == ["packages/core", "packages/api"]
    assert root["tool"]["scaffold"]["check"]["namespace-packages"] == ["acme"]
    api = tomllib.loads((dest / "packages/api/pyproject.toml").read_text())
    assert api["project"]["name"] == "acme-api"
    assert api["project"]["dependencies"] == ["acme-core"]
    assert not (dest / "packages/api/src/acme/__init__.py").exists()
    assert (
        "from acme.core import greet"
        in (dest / "packages/api/src/acme/api/greeting.py").read_text()
    )


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        (None, {"_core": "core", "api__": "api"}),
        ("_acme", {"_core": "acme-core", "api__": "acme-api"}),
    ],
)
def test_underscored_names_make_valid_distribution_names(
    tmp_path: Path, namespace: str | None, expected: dict[str, str]
) -> None:
    dest = tmp_path / "ws"
    argv = ["new", "workspace", "ws", "-p", "_core", "-p", "api__", "--depends", "api__:_core"]
    argv += ["--namespace", namespace] if namespace else []
    assert main([*argv, "--dest", str(dest), "-q"]) == 0
    root = tomllib.loads((dest / "pyproject.toml").read_text())
    assert sorted(root["tool"]["uv"]["sources"]) == sorted(expected.values())
    for member, distribution in expected.items():
        project = tomllib.loads((dest / f"packages/{member}/pyproject.toml").read_text())
        assert project["project"]["name"] == distribution
    api = tomllib.loads((dest / "packages/api__/pyproject.toml").read_text())
    assert api["project"]["dependencies"] == [expected["_core"]]
    assert sorted(api["tool"]["uv"]["sources"]) == [expected["_core"]]
    assert f"# {expected['_core']}" in (dest / "packages/_core/README.md").read_text()


@pytest.mark.slow
def test_workspaces_install_editable_and_as_wheels_and_pass_their_checks(tmp_path: Path) -> None:
    plain, spaced = tmp_path / "plain", tmp_path / "spaced"
    assert (
        main(
            [
                "new",
                "workspace",
                "plain",
                "-p",
                "core",
                "-p",
                "web_api",
                "--depends",
                "web_api:core",
                "--dest",
                str(plain),
                "-q",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "new",
                "workspace",
                "spaced",
                "-p",
                "core",
                "-p",
                "api",
                "-p",
                "cli",
                "--namespace",
                "acme",
                "--depends",
                "api:core",
                "--depends",
                "cli:api",
                "--dest",
                str(spaced),
                "-q",
            ]
        )
        == 0
    )
    members = {plain: ["core", "web_api"], spaced: ["core", "api", "cli"]}

    for ws in members:
        # Every member's src/ is a root; imports between members resolve; no findings.
        assert main(["check", str(ws)]) == 0

    # One venv with every member of both workspaces, editable (the README's command).
    editable = tmp_path / "editable"
    venv.create(editable, with_pip=True)
    python = str(editable / "bin" / "python")
    args = [f"-e{ws / 'packages' / m}" for ws, ms in members.items() for m in ms]
    run_ok([python, "-m", "pip", "install", "-q", *args, "pytest"], tmp_path)
    for ws in members:
        # What the workspace's CI runs after its install, with that venv first on PATH:
        # the members' tests import the installed members, never a source folder.
        commands = ci_commands(ws)
        assert len(commands) == len(README_COMMANDS)
        for command in commands:
            out = run_shell(command, ws, editable / "bin").stdout
            assert "failed" not in out and ("passed" in out or "pytest" not in command)
        for member in members[ws]:  # and each member's tests on their own
            run_ok(
                [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], ws / "packages" / member
            )
    out = run_ok(
        [python, "-c", "import acme.api, web_api; print(acme.api.greet('A'), web_api.greet('B'))"],
        tmp_path,
    ).stdout
    assert "from acme.core" in out and "from core" in out

    # The same members as wheels in another fresh venv: namespace portions merge.
    wheels = tmp_path / "wheels"
    for ws, ms in members.items():
        for m in ms:
            build_wheel(ws / "packages" / m, wheels)
    built = tmp_path / "built"
    venv.create(built, with_pip=True)
    python = str(built / "bin" / "python")
    run_ok(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheels),
            "acme-cli",
            "web-api",
        ],
        tmp_path,
    )
    out = run_ok(
        [
            python,
            "-c",
            "import acme, acme.cli, acme.core, web_api; "
            "print(list(acme.__path__), acme.cli.greet('C'))",
        ],
        tmp_path,
    ).stdout
    assert "from acme.api" in out and "from acme.core" in out
    listing = run_ok([python, "-m", "pip", "show", "-f", "acme-core"], tmp_path).stdout
    assert "acme/__init__.py" not in listing


def test_check_follows_imports_across_members(tmp_path: Path) -> None:
    """`scaffold check` on the root finds every member's src/ and sees across them."""
    from scaffold.check import CheckOptions, run_check

    ws = tmp_path / "ws"
    argv = ["new", "workspace", "ws", "-p", "core", "-p", "api", "--namespace", "acme"]
    assert main([*argv, "--depends", "api:core", "--dest", str(ws), "-q"]) == 0
    assert run_check(CheckOptions(paths=(ws,))).diagnostics == ()

    core = ws / "packages/core/src/acme/core/greeting.py"
    core.write_text(core.read_text() + "\nfrom acme.api import greet as api_greet\n")
    api = ws / "packages/api/src/acme/api/greeting.py"
    api.write_text(api.read_text() + "\nfrom acme.core import no_such_name\n")
    codes = {(d.code, d.path) for d in run_check(CheckOptions(paths=(ws,))).diagnostics}
    assert ("IMP006", "packages/api/src/acme/api/greeting.py") in codes
    cycles = [d for d in run_check(CheckOptions(paths=(ws,))).diagnostics if d.code == "IMP002"]
    assert len(cycles) == 1
    related = {r.path for r in cycles[0].related}
    assert any("packages/core" in p for p in related | {cycles[0].path})
    assert any("packages/api" in p for p in related | {cycles[0].path})


def test_the_default_contract_holds_members_to_their_declared_dependencies(
    tmp_path: Path,
) -> None:
    """A generated workspace passes its own contracts; an undeclared import breaks one."""
    from scaffold.check import CheckOptions, run_check

    ws = tmp_path / "ws"
    argv = ["new", "workspace", "ws", "-p", "core", "-p", "api", "-p", "web", "--namespace", "acme"]
    assert main([*argv, "--depends", "api:core", "--dest", str(ws), "-q"]) == 0
    contracts = tomllib.loads((ws / "pyproject.toml").read_text())["tool"]["scaffold"]["check"][
        "contracts"
    ]
    assert {c["name"]: c["forbidden-modules"] for c in contracts} == {
        "core imports only the members it depends on": ["acme.api", "acme.web"],
        "api imports only the members it depends on": ["acme.web"],
        "web imports only the members it depends on": ["acme.core", "acme.api"],
    }
    assert run_check(CheckOptions(paths=(ws,))).diagnostics == ()
    web = ws / "packages/web/src/acme/web/greeting.py"
    web.write_text(web.read_text() + "\nimport acme.core\n")
    found = [(d.code, d.path) for d in run_check(CheckOptions(paths=(ws,))).diagnostics]
    assert found == [("ARC002", "packages/web/src/acme/web/greeting.py")]


def test_workspace_readme_tools_licenses_and_sibling_installs(tmp_path: Path) -> None:
    # Issue 17, bug 8: the README's commands need their tools installed, a member alone
    # must say how its siblings are found, and the wheels' declared licence must exist.
    argv = ["new", "workspace", "ws", "-p", "core", "-p", "api", "-p", "web", "--no-git"]
    argv += ["--depends", "api:core", "--depends", "web:api", "--dest", str(tmp_path), "-q"]
    assert main(argv) == 0
    root = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    dev = {spec.split(">")[0] for spec in root["dependency-groups"]["dev"]}
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    # Every tool the README runs is in the dev group its install line installs.
    assert "python -m pip install --group dev -e packages/core" in readme
    # Each command and the distribution that installs it (scaffold's is scaffold-py).
    commands = {"pytest": "pytest", "ruff": "ruff", "mypy": "mypy", "scaffold": "scaffold-py"}
    for tool, distribution in commands.items():
        assert f"{tool} " in readme.replace("python -m pytest", "pytest ")
        assert distribution in dev
    assert "MIT License" in (tmp_path / "LICENSE").read_text(encoding="utf-8")
    for member in ("core", "api", "web"):
        folder = tmp_path / "packages" / member
        assert "MIT License" in (folder / "LICENSE").read_text(encoding="utf-8")
        project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
        assert project["project"]["license-files"] == ["LICENSE"]
    # web needs api, and api needs core: both are installed from their folders.
    web = (tmp_path / "packages" / "web" / "README.md").read_text(encoding="utf-8")
    assert "python -m pip install -e ../api -e ../core -e . pytest" in web
    core = (tmp_path / "packages" / "core" / "README.md").read_text(encoding="utf-8")
    assert "python -m pip install -e . pytest" in core


def test_workspace_licence_texts_are_the_package_templates() -> None:
    templates = Path(__file__).resolve().parent.parent / "templates"
    text = (templates / "package" / "template" / "LICENSE.jinja").read_text(encoding="utf-8")
    copies = [
        templates / "workspace" / "template" / "LICENSE.jinja",
        *(templates / "workspace" / "template" / "packages").glob("*/LICENSE.jinja"),
    ]
    assert len(copies) == 2
    for copy in copies:
        assert copy.read_text(encoding="utf-8") == "{%- set distribution = workspace -%}\n" + text
