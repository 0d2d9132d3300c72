"""Who wrote a new project and where it lives: author and email default from git config,
[project.urls] from --repository or the enclosing repository's origin, never made up."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment
from jinja2_ansible_filters import (  # type: ignore[import-untyped,unused-ignore]
    AnsibleCoreFiltersExtension,
)

from scaffold.cli import main
from scaffold.generate.identity import (
    EMAIL_PATTERN,
    REPOSITORY_PATTERN,
    git_defaults,
    repository_url,
)
from scaffold.templates import builtin_template
from tests.conftest import assert_refused
from tests.test_interactive import Terminal

#: Each template that asks who wrote it, with the options it needs and its pyprojects.
TEMPLATES = {
    "package": ([], ["pyproject.toml"]),
    "game": ([], ["pyproject.toml"]),
    "workspace": (
        ["-p", "core", "-p", "api"],
        ["packages/core/pyproject.toml", "packages/api/pyproject.toml"],
    ),
}


@pytest.fixture
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user whose git config names them (the test environment's has no identity)."""
    config = tmp_path / "gitconfig"
    config.write_text(
        "[user]\n\tname = Grace  Hopper\n\temail = grace@example.com\n", encoding="utf-8"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))


def _new(template: str, dest: Path, *options: str) -> list[dict[str, Any]]:
    extra, pyprojects = TEMPLATES[template]
    argv = ["new", template, "demo", *extra, *options, "--dest", str(dest), "-q", "--no-git"]
    assert main(argv) == 0
    return [tomllib.loads((dest / name).read_text(encoding="utf-8")) for name in pyprojects]


@pytest.mark.parametrize("template", TEMPLATES)
def test_author_and_email_default_from_git_config(
    template: str, tmp_path: Path, git_identity: None
) -> None:
    dest = tmp_path / "demo"
    for pyproject in _new(template, dest):
        assert pyproject["project"]["authors"] == [
            {"name": "Grace Hopper", "email": "grace@example.com"}
        ]
        assert "urls" not in pyproject["project"]  # no repository known: none invented
    assert "Grace Hopper" in (dest / "LICENSE").read_text(encoding="utf-8")
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert (answers["author"], answers["email"]) == ("Grace Hopper", "grace@example.com")


@pytest.mark.parametrize("template", TEMPLATES)
def test_answers_override_git_and_empty_ones_omit(
    template: str, tmp_path: Path, git_identity: None
) -> None:
    given = _new(template, tmp_path / "a", "--author", "Ada", "--email", "ada@example.org")
    assert given[0]["project"]["authors"] == [{"name": "Ada", "email": "ada@example.org"}]
    name_only = _new(template, tmp_path / "b", "--author", "Ada", "--email", "")
    assert name_only[0]["project"]["authors"] == [{"name": "Ada"}]
    email_only = _new(template, tmp_path / "c", "--author", "", "--email", "a@example.org")
    assert email_only[0]["project"]["authors"] == [{"email": "a@example.org"}]
    neither = _new(template, tmp_path / "d", "--author", "", "--email", "")
    assert "authors" not in neither[0]["project"]


def test_without_a_git_identity_nothing_is_made_up(tmp_path: Path) -> None:
    # The test environment's git has no user.name / user.email (see conftest).
    (pyproject,) = _new("package", tmp_path / "demo")
    assert "authors" not in pyproject["project"]
    assert "urls" not in pyproject["project"]
    assert "the demo authors" in (tmp_path / "demo" / "LICENSE").read_text(encoding="utf-8")


def test_without_git_or_with_a_malformed_email_the_defaults_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Grace\n\temail = grace at home\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert git_defaults(tmp_path) == {"author": "Grace"}
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert git_defaults(tmp_path) == {}


def test_repository_default_is_the_enclosing_repositorys_origin_without_credentials(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    origin = "https://deploy:s3cret-token@github.com/acme/thing.git"
    subprocess.run(["git", "remote", "add", "origin", origin], cwd=repo, check=True)
    (pyproject,) = _new("package", repo / "libs" / "demo")
    assert pyproject["project"]["urls"] == {
        "Homepage": "https://github.com/acme/thing",
        "Repository": "https://github.com/acme/thing",
        "Issues": "https://github.com/acme/thing/issues",
    }
    written = [p.read_bytes() for p in (repo / "libs").rglob("*") if p.is_file()]
    assert not [text for text in written if b"s3cret" in text]


@pytest.mark.parametrize("template", TEMPLATES)
def test_repository_answer_writes_project_urls(template: str, tmp_path: Path) -> None:
    url = "https://gitlab.example.com/team/demo"
    for pyproject in _new(template, tmp_path / "demo", "--repository", url):
        # Not a known forge: no guess at where its issues live.
        assert pyproject["project"]["urls"] == {"Homepage": url, "Repository": url}


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("git@github.com:acme/thing.git", "https://github.com/acme/thing"),
        ("ssh://git@gitlab.com:2222/group/sub/thing.git", "https://gitlab.com/group/sub/thing"),
        ("https://codeberg.org/acme/thing/", "https://codeberg.org/acme/thing"),
        ("https://user:token@github.com/acme/thing.git", "https://github.com/acme/thing"),
        ("git://example.org/thing", "https://example.org/thing"),
        ("/srv/git/thing.git", ""),
        ("file:///srv/git/thing.git", ""),
        ("../thing", ""),
        ("", ""),
    ],
)
def test_remotes_become_web_addresses_or_nothing(remote: str, url: str) -> None:
    assert repository_url(remote) == url


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--email", "ada at example.com", "--email 'ada at example.com' is not an email address"),
        ("--email", "ada@localhost", "is not an email address"),
        ("--repository", "github.com/acme/x", "--repository 'github.com/acme/x' is not a web"),
        ("--repository", "https://u:p@github.com/a/b", "is not a web address"),
    ],
)
@pytest.mark.parametrize("template", TEMPLATES)
def test_bad_email_or_repository_is_refused_in_one_line(
    template: str,
    option: str,
    value: str,
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra, _ = TEMPLATES[template]
    argv = ["new", template, "demo", *extra, option, value, "--dest", str(tmp_path / "demo")]
    assert_refused(argv, fragment, tmp_path, capsys)


SAMPLES = {
    "email": ["a@b.co", "zoe.o-neil+x@example.co.uk", "a b@c.de", "a\tb@c.de", "a@b", "<a@b.c>"],
    "repository": [
        "https://github.com/a/b",
        "http://host:8080/x?y=1",
        "https://h/a b",
        "ftp://h/x",
        "https://u:p@h/x",
        "github.com/a/b",
    ],
}


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("question", SAMPLES)
def test_template_validators_agree_with_scaffolds(template: str, question: str) -> None:
    """Plain `copier copy` refuses exactly what scaffold refuses (Copier's filters)."""
    config = yaml.safe_load((builtin_template(template) / "copier.yml").read_text("utf-8"))
    validator = Environment(extensions=[AnsibleCoreFiltersExtension]).from_string(
        config[question]["validator"]
    )
    pattern = EMAIL_PATTERN if question == "email" else REPOSITORY_PATTERN
    for value in ["", *SAMPLES[question]]:
        refused = bool(validator.render({question: value}).strip())
        assert refused == (bool(value) and not pattern.match(value)), value


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_terminal_run_offers_gits_values_as_the_defaults(
    tmp_path: Path, git_identity: None
) -> None:
    argv = [sys.executable, "-m", "scaffold", "new", "game", "pong", "--description", "d"]
    term = Terminal([*argv, "--no-git"], tmp_path)
    term.expect(b"Grace Hopper")
    term.send(b"\r")
    term.expect(b"grace@example.com")
    term.send(b"\x15ada@example.org\r")  # Ctrl-U clears the offered default
    term.expect(b"repository")
    term.send(b"\r")
    term.expect(b"Created game 'pong'")
    assert term.close() == 0
    project = tomllib.loads((tmp_path / "pong" / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["authors"] == [{"name": "Grace Hopper", "email": "ada@example.org"}]


# Configurations whose user.name, user.email and remote.origin.url `git config --get` reads
# in its own ways: the last of several values, sections and keys in any case (a
# subsection's case counts), includes, a repository's values over the user's, values with
# a newline or an `=`, and none at all.
GIT_CONFIGS = {
    "none": ("", ""),
    "several values": ("[user]\n\tname = A\n\tname = B\n\temail = a@x.org\n", ""),
    "any case": ('[USER]\n\tName = C\n[Remote "Origin"]\n\turl = https://h.org/o/r\n', ""),
    "included": ("[include]\n\tpath = included\n", ""),
    "repository over user": (
        "[user]\n\tname = Global\n",
        '[user]\n\tname = Local\n[remote "origin"]\n\turl = git@h.org:o/r.git\n',
    ),
    "odd values": ('[user]\n\tname = "two\\nlines = x"\n\temail = "b@x.org"\n', ""),
}


@pytest.mark.parametrize(("user", "repository"), GIT_CONFIGS.values(), ids=list(GIT_CONFIGS))
def test_git_defaults_ask_git_once_and_read_what_git_config_get_reads(
    user: str, repository: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "included").write_text("[user]\n\tname = Included\n", encoding="utf-8")
    (tmp_path / "gitconfig").write_text(user, encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    with (repo / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(repository)

    def get(key: str) -> str:
        found = subprocess.run(["git", "config", "--get", key], cwd=repo, capture_output=True)
        return " ".join(found.stdout.decode().split())

    expected = {
        "author": get("user.name"),
        "email": get("user.email"),
        "repository": repository_url(get("remote.origin.url")),
    }
    calls: list[list[str]] = []
    run = subprocess.run

    def counted(args: list[str], **kwargs: Any) -> Any:
        calls.append(args)
        return run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counted)
    assert git_defaults(repo / "demo") == {key: value for key, value in expected.items() if value}
    assert len(calls) == 1, calls


def test_a_git_identity_that_is_not_utf8_is_no_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `scaffold new` stopped with an internal UnicodeDecodeError; a project file cannot hold
    # the bytes, so the value is left out as a malformed email is.
    config = tmp_path / "gitconfig"
    config.write_bytes(b"[user]\n\tname = Gr\xffce\n\temail = grace@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert git_defaults(tmp_path) == {"email": "grace@example.com"}
    (pyproject,) = _new("package", tmp_path / "demo")
    assert pyproject["project"]["authors"] == [{"email": "grace@example.com"}]
