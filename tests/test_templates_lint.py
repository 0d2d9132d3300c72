"""`scaffold templates lint`: a clean template, one broken in each way, the built-in ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scaffold.cli import main
from scaffold.template_testing.lint import LINT_RULES
from scaffold.templates import BUILTIN_TEMPLATES
from tests.conftest import assert_refused
from tests.template_repos import commit_version, git_environment, write_tree

GOOD = {
    "copier.yml": (
        "_subdirectory: template\n"
        "_exclude: ['*.tmp', '__pycache__']\n"
        "name:\n"
        "  type: str\n"
        "  default: demo\n"
        "  help: The {{ 'name' }}\n"
        "flavour:\n"
        "  type: str\n"
        "  choices: [plain, fancy]\n"
        "  default: plain\n"
    ),
    "template/{{ name }}/__init__.py.jinja": '"""{{ name }}."""\n',
    "template/{{ name }}/core.py": '"""Core."""\n',
    "template/notes.tmp": "scratch\n",
    # Excluded, so never rendered: its Jinja need not compile.
    "template/draft.tmp.jinja": "{% if %}\n",
    "README.md": "not rendered\n",
}

BROKEN = {
    "copier.yml": (
        "_subdirectory: template\n"
        "_exclud: []\n"  # 2: TPL002
        "_exclude: ['*.log']\n"  # 3: TPL009
        "_tasks: ['touch x']\n"  # 4: TPL010
        "_scaffold_test: {answers: [{nmae: x}]}\n"  # 5: TPL013
        "name:\n"  # 6: TPL004, TPL008
        "  hepl: typo\n"  # 7: TPL003
        "count:\n"
        "  type: int\n"
        "  default: three\n"  # 10: TPL005
        "flavour:\n"
        "  type: str\n"
        "  choices: [plain, fancy]\n"
        "  default: spicy\n"  # 14: TPL006
        "shown:\n"
        "  type: bool\n"
        "  default: true\n"
        "  when: '{{ name == }}'\n"  # 18: TPL007
        "kind:\n"
        "  type: string\n"  # 20: TPL005
        "  default: x\n"
    ),
    "template/{{ name }}/__init__.py.jinja": '"""Package."""\n',
    "template/{{ name }}/my-module.py": "x = 1\n",  # TPL011
    "template/{{ name }}/bad.py.jinja": "ok\n{% if %}\n",  # TPL007 at line 2
    "template/{{ name | nofilter }}.txt": "x\n",  # TPL007 in the path
    "template/{{ '..' }}/escape.txt": "x\n",  # TPL012
}

BROKEN_TEXT = """\
copier.yml:2:1: TPL002 unknown setting '_exclud', which Copier ignores (did you mean '_exclude'?)
copier.yml:3:1: TPL009 _exclude pattern '*.log' matches no file of the template
copier.yml:4:1: TPL010 _tasks runs code on the user's machine (task 'touch x'): scaffold refuses \
the template without --trust
copier.yml:5:1: TPL013 the template's _scaffold_test answers answers 'nmae', which the template \
does not ask; did you mean 'name'? its questions are: count, flavour, kind, name, shown
copier.yml:6:1: TPL004 question 'name' has no type
copier.yml:6:1: TPL008 question 'name' has no default: only a person can answer it, so \
`--defaults` and CI need `--data name=...`; give it a default
copier.yml:7:3: TPL003 question 'name' has the key 'hepl', which Copier ignores \
(did you mean 'help'?)
copier.yml:10:3: TPL005 question 'count' default 'three' is not an integer (type: int)
copier.yml:14:3: TPL006 question 'flavour' default 'spicy' is not one of its choices \
('plain', 'fancy')
copier.yml:18:3: TPL007 question 'shown' when: unexpected 'end of print statement'
copier.yml:20:3: TPL005 question 'kind' has the unknown type 'string' (did you mean 'str'?); \
Copier knows bool, float, int, json, str, yaml
template/{{ '..' }}:1:1: TPL012 the path renders a `..`: it writes outside the project
template/{{ '..' }}/escape.txt:1:1: TPL012 the path renders a `..`: it writes outside the project
template/{{ name | nofilter }}.txt:1:1: TPL007 path name: No filter named 'nofilter'.
template/{{ name }}/bad.py.jinja:2:1: TPL007 Expected an expression, got 'end of statement block'
template/{{ name }}/my-module.py:1:1: TPL011 renders to the module name 'my-module' (with each \
expression as x), which `import` cannot name; use letters, digits and underscores
Found 16 findings (12 errors, 4 warnings) in 8 files.
"""


def test_a_clean_template_has_no_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_tree(tmp_path / "good", GOOD)
    assert main(["templates", "lint", str(template)]) == 0
    assert capsys.readouterr().out == "All checks passed (6 files checked).\n"


def test_each_defect_is_one_finding_with_its_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_tree(tmp_path / "broken", BROKEN)
    assert main(["templates", "lint", str(template)]) == 1
    assert capsys.readouterr().out == BROKEN_TEXT
    codes = set(re.findall(r": (TPL\d{3}) ", BROKEN_TEXT))
    assert codes == set(LINT_RULES) - {"TPL001"}


def test_json_and_github_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = write_tree(tmp_path / "broken", BROKEN)
    assert main(["templates", "lint", str(template), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["findings"] == 16
    first = document["diagnostics"][0]
    assert (first["code"], first["name"], first["path"], first["line"]) == (
        "TPL002",
        "unknown-setting",
        "copier.yml",
        2,
    )
    assert main(["templates", "lint", str(template), "--format", "github"]) == 1
    assert (
        capsys.readouterr()
        .out.splitlines()[0]
        .startswith(
            "::error file=copier.yml,line=2,col=1,endLine=2,endColumn=1,"
            "title=TPL002 unknown-setting::"
        )
    )


def test_copier_yml_that_is_not_yaml_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_tree(tmp_path / "t", {"copier.yml": "name:\n  type: str\n  default: [x\n"})
    assert main(["templates", "lint", str(template)]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("copier.yml:4:1: TPL001 copier.yml is not valid YAML: ")


@pytest.mark.parametrize("name", list(BUILTIN_TEMPLATES))
def test_the_builtin_templates_are_clean(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "lint", name]) == 0, capsys.readouterr().out


def test_a_missing_template_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_refused(["templates", "lint", "nope"], "no template named 'nope'", tmp_path, capsys)


def test_a_git_template_is_linted_at_its_latest_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git_environment(monkeypatch, tmp_path / "cache")
    repo = tmp_path / "repo"
    commit_version(repo, BROKEN, "v1")
    commit_version(repo, GOOD, "v2")  # GOOD's files beside BROKEN's: still broken
    assert main(["templates", "lint", f"git+file://{repo}", "--vcs-ref", "v1"]) == 1
    assert capsys.readouterr().out == BROKEN_TEXT


def test_lint_offers_every_format_check_has() -> None:
    from scaffold.check.output import FORMATS
    from scaffold.cli.templates import LintFormat

    assert [f.value for f in LintFormat] == list(FORMATS)
