"""`scaffold new --template SRC` and `scaffold new NAME`: real git templates, trust, answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scaffold import __version__
from scaffold.cli import main
from scaffold.generate import unsafe_features
from scaffold.templates import builtin_templates_root
from tests.conftest import tree_snapshot
from tests.template_repos import ANSWERS_FILE, commit_version, git_environment, write_tree

SERVICE_V1 = {
    **ANSWERS_FILE,
    "copier.yml": (
        "project_name:\n  type: str\n  help: Project name\n"
        "owner:\n  type: str\n  help: Owning team\n"
        "python:\n  type: str\n  default: '3.12'\n"
    ),
    "README.md.jinja": "# {{ project_name }}\n\nOwned by {{ owner }}.\n",
    "folder.txt.jinja": "{{ _folder_name }}\n",
}
ANSWERS = ["--data", "project_name=Billing", "--data", "owner=payments"]


@pytest.fixture(autouse=True)
def _git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    git_environment(monkeypatch, tmp_path_factory.mktemp("copier-cache"))


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def _answers(project: Path) -> dict[str, object]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def test_local_folder_template(tmp_path: Path, work: Path) -> None:
    write_tree(tmp_path / "tpl", SERVICE_V1)
    assert main(["new", "--template", "../tpl", "billing", *ANSWERS, "--quiet"]) == 0
    project = work / "billing"
    assert (project / "README.md").read_text() == "# Billing\n\nOwned by payments.\n"
    assert (project / "folder.txt").read_text() == "billing\n"  # Copier's _folder_name
    answers = _answers(project)
    # A relative source is recorded absolute, or later updates break.
    assert answers["_src_path"] == str(tmp_path / "tpl")
    assert answers["_scaffold_version"] == __version__
    assert answers["python"] == "3.12"
    assert [p.name for p in work.iterdir()] == ["billing"]  # no staging left behind


def test_the_templates_message_after_copy_is_shown(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Plain `copier copy` prints it; scaffold runs Copier quietly and used to lose it.
    files = dict(SERVICE_V1)
    files["copier.yml"] += (
        "_message_after_copy: 'Welcome, {{ owner }}: cd {{ _copier_conf.dst_path }}"
        " && make setup.'\n"
    )
    write_tree(tmp_path / "tpl", files)
    assert main(["new", "--template", "../tpl", "billing", *ANSWERS]) == 0
    out = capsys.readouterr().out
    # The project's folder, not the staging folder Copier rendered into.
    assert out.rstrip().endswith(f"Welcome, payments: cd {work / 'billing'} && make setup.")
    assert main(["new", "--template", "../tpl", "quiet", *ANSWERS, "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_git_template_renders_the_latest_tag_and_records_it(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "service"
    commit_version(repo, SERVICE_V1, "v1")
    commit_version(repo, {"README.md.jinja": "# {{ project_name }} (v2)\n"}, "v2")
    commit_version(repo, {"README.md.jinja": "# unreleased\n"}, "not-a-version")
    assert main(["new", "--template", str(repo), "billing", *ANSWERS]) == 0
    out = capsys.readouterr().out
    assert f"from {repo} at v2" in out and "git init" in out and "scaffold update" in out
    assert (work / "billing" / "README.md").read_text() == "# Billing (v2)\n"
    answers = _answers(work / "billing")
    assert answers["_commit"] == "v2"
    assert answers["_src_path"] == str(repo)
    assert main(["new", "-t", str(repo), "old", *ANSWERS, "--vcs-ref", "v1", "-q"]) == 0
    assert _answers(work / "old")["_commit"] == "v1"


def test_git_url_source(tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "service"
    commit_version(repo, SERVICE_V1, "v1")
    url = f"git+{repo.as_uri()}"  # git+file:///…: Copier clones it as a remote
    assert main(["new", "--template", url, "billing", *ANSWERS, "-q"]) == 0
    assert _answers(work / "billing")["_src_path"] == url
    # Without .git or git+, Copier would take the URL for a missing local folder.
    assert main(["new", "--template", repo.as_uri(), "other", *ANSWERS]) == 2
    assert "end it with .git or prefix it with git+" in _one_line_error(capsys)


def test_registered_name_from_a_team_pyproject(tmp_path: Path, work: Path) -> None:
    write_tree(work / "templates" / "svc", SERVICE_V1)
    (work / "pyproject.toml").write_text(
        '[tool.scaffold.templates]\nsvc = { source = "templates/svc", description = "x" }\n'
    )
    (work / "services").mkdir()
    assert main(["new", "svc", "billing", "--dest", "services/billing", *ANSWERS, "-q"]) == 0
    assert (work / "services" / "billing" / "README.md").is_file()
    assert _answers(work / "services" / "billing")["_src_path"] == str(work / "templates" / "svc")


def test_registered_name_from_the_user_registry(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "service"
    commit_version(repo, SERVICE_V1, "v1")
    assert main(["templates", "add", "svc", str(repo)]) == 0
    assert main(["new", "svc", "billing", *ANSWERS]) == 0
    assert "from template 'svc'" in capsys.readouterr().out
    assert (work / "billing" / "README.md").is_file()


def test_unanswered_questions_are_listed_and_nothing_is_written(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path / "tpl", SERVICE_V1)
    before = tree_snapshot(work)
    for extra in ([], ["--defaults"]):
        assert main(["new", "--template", str(tmp_path / "tpl"), "billing", *extra]) == 2
        line = _one_line_error(capsys)
        assert "project_name (Project name), owner (Owning team)" in line
        assert "--data project_name=... --data owner=..." in line
        assert "python" not in line  # it has a default
    assert main(["new", "-t", str(tmp_path / "tpl"), "b", "--data", "owner=x"]) == 2
    line = _one_line_error(capsys)
    assert "project_name" in line and "owner" not in line
    assert tree_snapshot(work) == before


def test_unreachable_git_url_is_one_line(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = (tmp_path / "no-such-repo.git").as_uri()
    assert main(["new", "--template", url, "billing", *ANSWERS]) == 2
    line = _one_line_error(capsys)
    assert "cannot fetch template" in line and url in line
    assert list(work.iterdir()) == []


def test_vcs_ref_needs_a_git_source(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path / "tpl", SERVICE_V1)
    assert main(["new", "-t", str(tmp_path / "tpl"), "b", *ANSWERS, "--vcs-ref", "v1"]) == 2
    assert "needs a git repository" in _one_line_error(capsys)
    assert list(work.iterdir()) == []


def test_unknown_vcs_ref_is_one_line(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_version(tmp_path / "service", SERVICE_V1, "v1")
    argv = ["new", "-t", str(tmp_path / "service"), "b", *ANSWERS, "--vcs-ref", "v9"]
    assert main(argv) == 2
    assert "v9" in _one_line_error(capsys)
    assert list(work.iterdir()) == []


def test_template_declaring_scaffold_version_records_it_as_an_answer(
    tmp_path: Path, work: Path
) -> None:
    files = dict(SERVICE_V1)
    files["copier.yml"] += (
        "scaffold_version:\n  type: str\n  default: '0.0.0'\n"
        "  when: '{{ scaffold_version is defined }}'\n"
    )
    write_tree(tmp_path / "tpl", files)
    assert main(["new", "-t", str(tmp_path / "tpl"), "b", *ANSWERS, "-q"]) == 0
    answers = _answers(work / "b")
    assert answers["scaffold_version"] == __version__
    assert "_scaffold_version" not in answers


# --- trust ---


def _task_template(root: Path, marker: Path, **extra: str) -> dict[str, str]:
    return {
        **SERVICE_V1,
        "copier.yml": SERVICE_V1["copier.yml"] + f"_tasks:\n  - touch {marker}\n",
        **extra,
    }


def test_tasks_do_not_run_without_trust(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "MARKER"
    repo = tmp_path / "service"
    commit_version(repo, _task_template(repo, marker), "v1")
    for argv in (
        ["new", "--template", str(repo), "billing", *ANSWERS],
        ["new", "--template", str(repo), "billing", *ANSWERS, "--dry-run"],
    ):
        assert main(argv) == 2
        line = _one_line_error(capsys)
        assert f"task 'touch {marker}'" in line and "--trust" in line
        assert not marker.exists()
        assert list(work.iterdir()) == []
    # A dry run writes nothing and runs nothing, even when trusted.
    assert main(["new", "-t", str(repo), "billing", *ANSWERS, "--dry-run", "--trust"]) == 0
    assert not marker.exists() and list(work.iterdir()) == []
    assert main(["new", "--template", str(repo), "billing", *ANSWERS, "--trust", "-q"]) == 0
    assert marker.exists()


def test_registering_does_not_trust(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "MARKER"
    write_tree(tmp_path / "tpl", _task_template(tmp_path / "tpl", marker))
    assert main(["templates", "add", "svc", str(tmp_path / "tpl")]) == 0
    assert main(["new", "svc", "billing", *ANSWERS]) == 2
    assert "would run code" in _one_line_error(capsys)
    assert not marker.exists()


def test_copier_trust_settings_do_not_bypass_scaffold(
    tmp_path: Path, work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "MARKER"
    repo = tmp_path / "service"
    commit_version(repo, _task_template(repo, marker), "v1")
    settings = tmp_path / "copier-settings.yml"
    settings.write_text(f"trust:\n  - {repo}\n  - {tmp_path}/\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    assert main(["new", "--template", str(repo), "billing", *ANSWERS]) == 2
    assert "would run code" in _one_line_error(capsys)
    assert not marker.exists()


def test_the_checked_out_tag_is_inspected_not_the_working_tree(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "MARKER"
    repo = tmp_path / "service"
    commit_version(repo, SERVICE_V1, "v1")
    commit_version(repo, _task_template(repo, marker), "v2")
    commit_version(repo, SERVICE_V1, "wip")  # the working tree has no task
    assert main(["new", "--template", str(repo), "billing", *ANSWERS]) == 2
    assert "touch" in _one_line_error(capsys)
    assert not marker.exists()
    assert main(["new", "-t", str(repo), "billing", *ANSWERS, "--vcs-ref", "v1", "-q"]) == 0
    assert not marker.exists()


def test_included_files_migrations_and_extensions_are_listed(
    tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        **SERVICE_V1,
        "copier.yml": SERVICE_V1["copier.yml"] + "---\n!include shared/*.yml\n",
        "shared/tasks.yml": "_tasks:\n  - [echo, hello world]\n  - command: make setup\n",
        "shared/more.yml": (
            "_migrations:\n  - version: v2\n    command: ./migrate.sh\n"
            "_jinja_extensions:\n  - jinja2.ext.do\n"
        ),
    }
    write_tree(tmp_path / "tpl", files)
    assert main(["new", "--template", str(tmp_path / "tpl"), "billing", *ANSWERS]) == 2
    line = _one_line_error(capsys)
    for fragment in (
        "task \"echo 'hello world'\"",
        "task 'make setup'",
        "migration to v2 './migrate.sh'",
        "Jinja extension 'jinja2.ext.do'",
    ):
        assert fragment in line
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, []),
        ({"tasks": ["a", ["b", "c d"]]}, ["task 'a'", "task \"b 'c d'\""]),
        ({"tasks": [{"command": "x", "when": "{{ y }}"}]}, ["task 'x'"]),
        ({"migrations": ["m"]}, ["migration 'm'"]),
        (
            {"migrations": [{"version": "2", "before": ["b"], "after": ["a"]}]},
            ["migration to 2 'b'", "migration to 2 'a'"],
        ),
        ({"jinja_extensions": ["x.Ext"]}, ["Jinja extension 'x.Ext'"]),
    ],
)
def test_unsafe_features(config: dict[str, object], expected: list[str]) -> None:
    assert unsafe_features(config) == expected


def test_builtin_templates_need_no_trust() -> None:
    for config_file in sorted(builtin_templates_root().glob("*/copier.yml")):
        raw = yaml.safe_load(config_file.read_text())
        config = {key[1:]: value for key, value in raw.items() if key.startswith("_")}
        assert unsafe_features(config) == [], config_file
