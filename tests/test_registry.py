"""The team-template registry, sources and --data: pure TOML and path logic, no Copier."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scaffold.cli import main
from scaffold.errors import InvalidNameError, TemplateError, UsageError
from scaffold.generate.answers import parse_data, team_answers
from scaffold.templates import (
    BUILTIN_TEMPLATES,
    add_template,
    all_templates,
    find_template,
    is_remote_source,
    normalize_source,
    registered_templates,
    remove_template,
    team_template,
    user_registry_path,
)
from tests.conftest import assert_refused


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "copier.yml").write_text("name: {type: str}\n")
    return folder


def test_user_registry_lives_in_the_isolated_config_folder(tmp_path: Path) -> None:
    # conftest points XDG_CONFIG_HOME into a temporary folder.
    assert user_registry_path().name == "templates.toml"
    assert "scaffold" in user_registry_path().parts
    assert not user_registry_path().exists()


def test_add_list_remove_round_trip(template_dir: Path, tmp_path: Path) -> None:
    entry = add_template("svc", str(template_dir), description="  Team\n service ", cwd=tmp_path)
    assert entry.source == str(template_dir)
    assert entry.description == "Team service"
    stored = tomllib.loads(user_registry_path().read_text())
    assert stored == {
        "templates": {"svc": {"source": str(template_dir), "description": "Team service"}}
    }
    names = [e.name for e in all_templates(tmp_path)]
    assert names == [*BUILTIN_TEMPLATES, "svc"]
    assert find_template("svc", tmp_path) == entry
    assert remove_template("svc", tmp_path) == entry
    assert registered_templates(tmp_path) == {}


def test_adding_a_registered_name_again_needs_force(
    template_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "copier.yml").write_text("name: {type: str}\n")
    add_template("svc", str(template_dir), cwd=tmp_path)
    with pytest.raises(UsageError, match=r"'svc' is already registered .*--force"):
        add_template("svc", str(other), cwd=tmp_path)
    assert find_template("svc", tmp_path).source == str(template_dir)
    assert_refused(
        ["templates", "add", "svc", str(other)],
        "already registered",
        user_registry_path().parent,
        capsys,
    )
    assert main(["templates", "add", "svc", str(other), "--force"]) == 0
    assert find_template("svc", tmp_path).source == str(other)


def test_relative_local_source_is_stored_absolute(template_dir: Path, tmp_path: Path) -> None:
    # Copier records the source as given, and a relative one breaks later updates.
    entry = add_template("svc", "tpl", cwd=tmp_path)
    assert entry.source == str(template_dir)
    assert Path(entry.source).is_absolute()


def test_remote_sources_are_kept_as_given(tmp_path: Path) -> None:
    entry = add_template("svc", "gh:acme/service-template", cwd=tmp_path)
    assert entry.source == "gh:acme/service-template"


@pytest.mark.parametrize(
    ("source", "remote"),
    [
        ("gh:acme/tpl", True),
        ("gl:acme/tpl", True),
        ("https://example.com/acme/tpl.git", True),
        ("file:///srv/git/tpl.git", True),
        ("git@github.com:acme/tpl.git", True),
        ("git+https://example.com/tpl", True),
        ("host.example:acme/tpl.git", True),
        ("templates/svc", False),
        ("./tpl", False),
        ("~/tpl", False),
        ("/abs/tpl", False),
        ("C:\\templates\\svc", False),
    ],
)
def test_is_remote_source(source: str, remote: bool) -> None:
    assert is_remote_source(source) is remote


def test_normalize_source_refuses_missing_and_non_templates(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not found"):
        normalize_source("nope", base=tmp_path)
    (tmp_path / "plain").mkdir()
    with pytest.raises(TemplateError, match=r"no copier\.yml"):
        normalize_source("plain", base=tmp_path)
    with pytest.raises(TemplateError, match="empty"):
        normalize_source(" ", base=tmp_path)


def test_project_registry_overrides_the_user_one(template_dir: Path, tmp_path: Path) -> None:
    add_template("svc", str(template_dir), description="mine", cwd=tmp_path)
    team = tmp_path / "repo"
    (team / "templates" / "svc").mkdir(parents=True)
    (team / "pyproject.toml").write_text(
        "[tool.scaffold.templates]\n"
        'svc = { source = "templates/svc", description = "the team one" }\n'
        'web = "gh:acme/web"\n'
    )
    deep = team / "src" / "pkg"
    deep.mkdir(parents=True)
    found = registered_templates(deep)
    assert found["svc"].source == str(team / "templates" / "svc")
    assert found["svc"].description == "the team one"
    assert found["svc"].origin == str(team / "pyproject.toml")
    assert found["web"].source == "gh:acme/web"
    # Outside the team's repository, the user's own entry applies.
    assert registered_templates(tmp_path)["svc"].source == str(template_dir)


def test_removing_a_project_entry_points_at_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.scaffold.templates]\nweb = "gh:acme/web"\n')
    with pytest.raises(TemplateError, match=r"pyproject.toml.*edit that file"):
        remove_template("web", tmp_path)


@pytest.mark.parametrize(
    ("pyproject", "fragment"),
    [
        ('[tool.scaffold.templates]\npackage = "gh:acme/pkg"\n', "would hide the built-in"),
        ('[tool.scaffold.templates]\n"Bad Name" = "gh:acme/pkg"\n', "template name 'Bad Name'"),
        ("[tool.scaffold.templates]\nsvc = 3\n", "must be a source string"),
        ("[tool.scaffold]\ntemplates = 3\n", "must be a table"),
        ("[tool.scaffold.templates\n", "cannot read"),
        ('[tool.scaffold.templates]\nsvc = ""\n', "svc has an empty source"),
        ('[tool.scaffold.templates]\nsvc = {source = " "}\n', "svc has an empty source"),
        (b'[tool.scaffold.templates]\nsvc = "caf\xe9"\n', "not UTF-8 text"),
    ],
)
def test_bad_project_registry_is_one_clear_error(
    pyproject: str | bytes, fragment: str, tmp_path: Path
) -> None:
    if isinstance(pyproject, bytes):
        (tmp_path / "pyproject.toml").write_bytes(pyproject)
    else:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    with pytest.raises(TemplateError, match=fragment):
        registered_templates(tmp_path)


def test_unknown_name_suggests_a_close_one(template_dir: Path, tmp_path: Path) -> None:
    add_template("service", str(template_dir), cwd=tmp_path)
    with pytest.raises(TemplateError, match="did you mean 'service'"):
        find_template("servce", tmp_path)


def test_team_template_resolution(template_dir: Path, tmp_path: Path) -> None:
    assert team_template(None, "tpl", tmp_path).source == str(template_dir)
    with pytest.raises(UsageError, match="not both"):
        team_template("svc", "tpl", tmp_path)
    with pytest.raises(UsageError, match="own command"):
        team_template("package", None, tmp_path)
    add_template("svc", str(template_dir), cwd=tmp_path)
    (template_dir / "copier.yml").unlink()
    template_dir.rmdir()
    with pytest.raises(TemplateError, match="does not exist"):
        team_template("svc", None, tmp_path)


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (["a=1"], {"a": "1"}),
        (["a="], {"a": ""}),
        (["a=b=c"], {"a": "b=c"}),
        (["project-name=x y"], {"project-name": "x y"}),
    ],
)
def test_parse_data(specs: list[str], expected: dict[str, str]) -> None:
    assert parse_data(specs) == expected


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        (["novalue"], "is not KEY=VALUE"),
        (["=x"], "is not KEY=VALUE"),
        (["_src_path=x"], "is not KEY=VALUE"),
        (["a b=x"], "is not KEY=VALUE"),
        (["a=1", "a=2"], "given twice"),
    ],
)
def test_parse_data_refuses(specs: list[str], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        parse_data(specs)


def test_team_answers_carry_scaffold_version() -> None:
    from scaffold import __version__

    assert team_answers(["a=1"]) == {"a": "1", "scaffold_version": __version__}


@pytest.mark.parametrize("name", ["package", "module", "game", "workspace"])
def test_a_registered_name_may_not_hide_a_builtin(name: str, template_dir: Path) -> None:
    with pytest.raises(InvalidNameError, match="would hide the built-in"):
        add_template(name, str(template_dir))


BAD_CLI_INPUTS = [
    (["templates", "add", "package", "{tpl}"], "would hide the built-in template 'package'"),
    (["templates", "add", "Team_Svc", "{tpl}"], "template name 'Team_Svc'"),
    (["templates", "add", "svc", "missing-folder"], "not found"),
    (["templates", "add", "svc", "{tpl}", "--description", "a\x7fb"], "control character"),
    (["templates", "remove", "svc"], "no registered template named 'svc'"),
    (["templates", "remove", "module"], "built-in template"),
    (["new", "svc", "proj"], "no template named 'svc'"),
    (["new", "package", "x", "--template", "{tpl}"], "No such option"),
    (["new", "--template", "{tpl}", "a/b"], "single folder name"),
    (["new", "--template", "{tpl}", "proj", "--data", "oops"], "is not KEY=VALUE"),
    (["new", "--template", "missing", "proj"], "not found"),
    (["new", "--template", "{tpl}"], "missing project NAME"),
    (["new", "svc", "--template", "{tpl}", "proj"], "not both"),
    (["update", "nowhere"], "does not exist"),
    (["update", "."], "has no .copier-answers.yml"),
]


@pytest.mark.parametrize(
    ("argv", "fragment"), BAD_CLI_INPUTS, ids=[" ".join(a) for a, _ in BAD_CLI_INPUTS]
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    argv: list[str],
    fragment: str,
    template_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [arg.replace("{tpl}", str(template_dir)) for arg in argv]
    assert_refused(argv, fragment, tmp_path, capsys)
    assert not user_registry_path().exists()


def test_templates_cli_round_trip(
    template_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["templates", "add", "svc", "tpl", "--description", "Team service"]) == 0
    assert "scaffold new svc PROJECT" in capsys.readouterr().out
    for argv in (["templates"], ["templates", "list"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        header, *rows = out.splitlines()
        assert header.split() == ["NAME", "FROM", "SOURCE", "DESCRIPTION"]
        assert [row.split()[0] for row in rows[: len(BUILTIN_TEMPLATES) + 1]] == [
            *BUILTIN_TEMPLATES,
            "svc",
        ]
        assert any(str(template_dir) in row and "Team service" in row for row in rows)
    assert main(["templates", "remove", "svc"]) == 0
    assert "Removed 'svc'" in capsys.readouterr().out
    assert main(["templates", "list"]) == 0
    assert "svc" not in capsys.readouterr().out.split("Your registry")[0]


def test_templates_list_escapes_control_characters_of_a_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A cloned repository's pyproject.toml printed its escape sequences to the terminal.
    (tmp_path / "pyproject.toml").write_text(
        "[tool.scaffold.templates]\n"
        'evil = { source = "gh:a/b\\u001b]0;title\\u0007", description = "x\\u001b[2Jy" }\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["templates", "list"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "gh:a/b\\x1b]0;title\\x07" in out and "x\\x1b[2Jy" in out
