"""`scaffold templates test`: answer sets, renders, declared checks, the table, JSON and JUnit."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from scaffold import __version__
from scaffold.cli import main
from scaffold.template_testing import runner
from scaffold.template_testing.answer_sets import answer_sets, expand_answers
from scaffold.template_testing.report import (
    CHECK_WIDTH,
    Outcome,
    SetResult,
    StepResult,
    TestReport,
)
from scaffold.template_testing.report import render_table as table_of
from scaffold.templates import BUILTIN_TEMPLATES
from tests.conftest import assert_refused
from tests.template_repos import commit_version, git_environment, write_tree

#: A template whose declared test fails for one of its two answer sets.
GREETER = {
    "copier.yml": (
        "_scaffold_test:\n"
        "  run:\n"
        "    - python check_greeting.py\n"
        "  answers:\n"
        "    - {greeting: hello}\n"
        "    - {greeting: bye}\n"
        "greeting:\n"
        "  type: str\n"
        "  default: hello\n"
    ),
    "check_greeting.py.jinja": (
        '"""Fails unless the greeting is hello."""\n\n'
        "import sys\n\n"
        'GREETING = "{{ greeting }}"\n\n\n'
        "def main() -> int:\n"
        '    if GREETING != "hello":\n'
        '        print(f"wrong greeting: {GREETING}")\n'
        '        print("second line")\n'
        "        return 1\n"
        "    return 0\n\n\n"
        'if __name__ == "__main__":\n'
        "    sys.exit(main())\n"
    ),
}


@pytest.fixture
def greeter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Every time is 0.0 s, so the table is the same bytes on every run.
    monkeypatch.setattr(runner, "clock", lambda: 0.0)
    return write_tree(tmp_path / "greeter", GREETER)


def test_a_matrix_expands_as_a_ci_matrix_does() -> None:
    document = {
        "matrix": {"layout": ["flat", "src"], "license": ["MIT", "BSD"]},
        "exclude": [{"layout": "src", "license": "BSD"}],
        "include": [{"layout": "flat", "modules": ["a"]}, {"license": "GPL"}],
    }
    assert expand_answers(document, "here") == [
        {"layout": "flat", "license": "MIT", "modules": ["a"]},
        {"layout": "flat", "license": "BSD", "modules": ["a"]},
        {"layout": "src", "license": "MIT"},
        {"license": "GPL"},
    ]


def test_sets_are_labelled_by_their_own_answers_and_take_the_fixed_ones() -> None:
    sets = answer_sets([{"a": "x"}, {"a": "x"}, {"b": [1, 2]}], {"fixed": "y"})
    assert [s.label for s in sets] == ["a=x #1", "a=x #2", "b=[1, 2]"]
    assert sets[2].answers == {"b": [1, 2], "fixed": "y"}
    assert [s.label for s in answer_sets([], {})] == ["defaults"]


def test_the_declared_test_fails_for_one_answer_set(
    greeter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["templates", "test", str(greeter), "-j", "2"]) == 1
    out = capsys.readouterr().out
    assert out == (
        "ANSWER SET      CHECK                     RESULT  TIME\n"
        "greeting=hello  render                    pass    0.0s\n"
        "                scaffold check            pass    0.0s\n"
        "                python check_greeting.py  pass    0.0s\n"
        "greeting=bye    render                    pass    0.0s\n"
        "                scaffold check            pass    0.0s\n"
        "                python check_greeting.py  FAIL    0.0s\n"
        "                  | wrong greeting: bye\n"
        "                  | second line\n"
        f"1 of 2 answer sets failed ({greeter}).\n"
    )


def _checks(failing: str) -> list[dict[str, object]]:
    scaffold_check = "All checks passed (1 file checked).\n"
    return [
        {"name": "render", "result": "pass", "seconds": 0.0, "output": ""},
        {"name": "scaffold check", "result": "pass", "seconds": 0.0, "output": scaffold_check},
        {
            "name": "python check_greeting.py",
            "result": "fail" if failing else "pass",
            "seconds": 0.0,
            "output": failing,
        },
    ]


def test_json_carries_every_check_and_its_whole_output(
    greeter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["templates", "test", str(greeter), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "version": 1,
        "tool": {"name": "scaffold", "version": __version__},
        "template": str(greeter),
        "summary": {"sets": 2, "passed": 1, "failed": 1},
        "sets": [
            {
                "label": "greeting=hello",
                "answers": {"greeting": "hello"},
                "passed": True,
                "kept": None,
                "checks": _checks(""),
            },
            {
                "label": "greeting=bye",
                "answers": {"greeting": "bye"},
                "passed": False,
                "kept": None,
                "checks": _checks("wrong greeting: bye\nsecond line\n"),
            },
        ],
    }


def test_junit_is_a_suite_per_answer_set(greeter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "test", str(greeter), "--format", "junit"]) == 1
    out = capsys.readouterr().out
    suite = '  <testsuite name="greeting={0}" tests="3" failures="{1}" skipped="0" time="0.000">\n'
    case = '    <testcase classname="greeting={0}" name="{1}" time="0.000"'
    assert out == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<testsuites name="scaffold templates test" tests="6" failures="1" skipped="0"'
        ' time="0.000">\n'
        + suite.format("hello", 0)
        + case.format("hello", "render")
        + " />\n"
        + case.format("hello", "scaffold check")
        + " />\n"
        + case.format("hello", "python check_greeting.py")
        + " />\n"
        "  </testsuite>\n"
        + suite.format("bye", 1)
        + case.format("bye", "render")
        + " />\n"
        + case.format("bye", "scaffold check")
        + " />\n"
        + case.format("bye", "python check_greeting.py")
        + ">\n"
        '      <failure message="wrong greeting: bye">wrong greeting: bye\n'
        "second line\n"
        "</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )
    assert ET.fromstring(out).get("failures") == "1"


def test_data_file_run_and_keep(
    greeter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sets = tmp_path / "sets.toml"
    sets.write_text('sets = [{greeting = "hello"}]\n', encoding="utf-8")
    keep = tmp_path / "kept"
    argv = ["templates", "test", str(greeter), "--data-file", str(sets), "--keep", str(keep)]
    assert main([*argv, "--run", "python -c 'print(1)'", "--name", "proj"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"All 1 answer set passed ({greeter})."
    assert (keep / "set-01" / "proj" / "check_greeting.py").is_file()


def test_a_failed_render_skips_the_checks_and_defaults_test_the_defaults(
    greeter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (greeter / "broken.txt.jinja").write_text("{{ greeting | no_such_filter }}\n")
    assert main(["templates", "test", str(greeter), "--defaults", "--check-only"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["defaults", "render", "FAIL", "0.0s"]
    assert "no_such_filter" in lines[2]
    assert lines[3].split() == ["scaffold", "check", "skip", "0.0s"]


def test_a_command_that_runs_too_long_is_stopped(
    greeter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sleep = f"{sys.executable} -c 'import time; time.sleep(60)'"
    argv = ["templates", "test", str(greeter), "--defaults", "--run", sleep, "--timeout", "0.5"]
    assert main(argv) == 1
    assert "timed out after 0.5 s and was stopped" in capsys.readouterr().out


@pytest.mark.slow
def test_venv_runs_install_and_commands_in_a_fresh_environment(
    greeter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = greeter / "copier.yml"
    config.write_text(
        config.read_text().replace(
            "  run:\n    - python check_greeting.py\n",
            "  install:\n    - python -c \"open('installed', 'w').close()\"\n"
            '  run:\n    - python -c "import os, sys;'
            " assert sys.prefix == os.environ['VIRTUAL_ENV'] and os.path.exists('installed')\"\n",
        )
    )
    code = main(["templates", "test", str(greeter), "--defaults", "--venv", "--format", "json"])
    checks = json.loads(capsys.readouterr().out)["sets"][0]["checks"]
    assert [(c["name"].split(":")[0], c["result"]) for c in checks] == [
        ("render", "pass"),
        ("venv", "pass"),
        ("install", "pass"),
        ("scaffold check", "pass"),
        (checks[4]["name"], "pass"),
    ]
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["no-such-template"], "no template named 'no-such-template'"),
        (["./missing"], "not found"),
        (["GREETER", "--data", "greting=hi"], "answers 'greting', which the template does not"),
        (["GREETER", "--data", "nokeyvalue"], "is not KEY=VALUE"),
        (["GREETER", "--data-file", "SETS"], "is not valid YAML"),
        (["GREETER", "--data-file", "MISSING.yml"], "cannot read --data-file"),
        (["GREETER", "--data-file", "LIST"], "must be a list of answer mappings or a mapping"),
        (["GREETER", "--defaults", "--data-file", "LIST"], "cannot be combined with --data-file"),
        (["GREETER", "-j", "0"], "-j 0 must be at least 1"),
        (["GREETER", "--timeout", "0"], "--timeout 0 must be a positive"),
        (["GREETER", "--name", "a/b"], "must be a single folder name"),
        (["UNSAFE"], "would run code on this machine"),
        (["BADTEST"], "copier.yml _scaffold_test.run must be a list of commands"),
        (["GREETER", "--format", "xml"], "unknown --format 'xml'"),
        (["GREETER", "--keep", "FULL"], "exists and is not an empty folder"),
    ],
)
def test_bad_input_is_refused_in_one_line(
    argv: list[str],
    fragment: str,
    greeter: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "bad.yml").write_text("matrix: [unclosed\n")
    (tmp_path / "list.yml").write_text("- 1\n- 2\n")
    unsafe = write_tree(tmp_path / "unsafe", {"copier.yml": "_tasks: ['touch x']\n"})
    bad_test = write_tree(tmp_path / "badtest", {"copier.yml": "_scaffold_test: {run: pytest}\n"})
    paths = {
        "GREETER": str(greeter),
        "SETS": str(tmp_path / "bad.yml"),
        "LIST": "7",
        "MISSING.yml": str(tmp_path / "missing.yml"),
        "UNSAFE": str(unsafe),
        "BADTEST": str(bad_test),
        "FULL": str(unsafe),
    }
    (tmp_path / "seven.yml").write_text("7\n")
    paths["LIST"] = str(tmp_path / "seven.yml")
    monkeypatch.chdir(tmp_path)
    argv = [paths.get(arg, arg) for arg in argv]
    assert_refused(["templates", "test", *argv], fragment, tmp_path, capsys)


def test_a_git_template_is_tested_at_its_latest_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git_environment(monkeypatch, tmp_path / "cache")
    monkeypatch.setattr(runner, "clock", lambda: 0.0)
    repo = tmp_path / "repo"
    commit_version(repo, GREETER, "v1")
    assert main(["templates", "test", f"git+file://{repo}", "--data", "greeting=hello"]) == 0
    assert "greeting=hello  render" in capsys.readouterr().out


def test_the_table_renders_a_report_exactly() -> None:
    failing = StepResult("pytest", Outcome.FAIL, 1.25, "\nE  boom\n" + "line\n" * 9)
    report = TestReport(
        "tpl",
        (
            SetResult("a=1", {"a": 1}, (StepResult("render", Outcome.PASS, 0.5), failing)),
            SetResult("a=22", {"a": 22}, (StepResult("x" * 60, Outcome.PASS, 0.04),)),
        ),
    )
    column = CHECK_WIDTH + 2  # the widest name, cut to CHECK_WIDTH, then two spaces
    assert table_of(report) == (
        "ANSWER SET  " + "CHECK".ljust(column) + "RESULT  TIME\n"
        "a=1         " + "render".ljust(column) + "pass    0.5s\n"
        "            " + "pytest".ljust(column) + "FAIL    1.2s\n"
        "              | E  boom\n"
        "              | line\n"
        "              | line\n"
        "              | line\n"
        "              | line\n"
        "a=22        " + "x" * (CHECK_WIDTH - 1) + "…  pass    0.0s\n"
        "1 of 2 answer sets failed (tpl).\n"
    )


BUILTINS = list(BUILTIN_TEMPLATES)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_templates_render_every_declared_set_and_pass_scaffold_check(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["templates", "test", name, "--check-only", "-j", "1"]) == 0, (
        capsys.readouterr().out
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_templates_pass_their_own_declared_tests(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest, ruff, ruff format and mypy in every project of the template's own matrix."""
    assert main(["templates", "test", name, "-j", "1"]) == 0, capsys.readouterr().out


def test_progress_goes_to_a_terminal_one_line_per_finished_set(
    greeter: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["templates", "test", str(greeter), "-j", "1"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "[1/2] greeting=hello: pass (0.0s)",
        "[2/2] greeting=bye: FAIL (0.0s)",
    ]


def test_no_progress_when_stderr_is_not_a_terminal(
    greeter: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert main(["templates", "test", str(greeter), "-j", "1"]) == 1
    assert capsys.readouterr().err == ""


def test_ctrl_c_stops_the_run_and_removes_its_temporary_folder(
    greeter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.template_testing import TestOptions, plan_template_tests, run_template_tests

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def interrupted(*args: object, **kwargs: object) -> tuple[bool, str]:
        raise KeyboardInterrupt

    # The fault is injected where the first check would start, after the render.
    monkeypatch.setattr(runner, "run_command", interrupted)
    request = plan_template_tests(TestOptions(str(greeter), jobs=2))
    with pytest.raises(KeyboardInterrupt):
        run_template_tests(request)
    assert list(scratch.iterdir()) == []
