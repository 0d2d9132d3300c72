"""File names with control characters or bytes that are not UTF-8, in every output format:
escaped, so that no name breaks a line of a line-oriented format or a terminal, and JSON,
SARIF and JUnit XML stay valid UTF-8 documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from scaffold.check.output import FORMATS

# A newline, ESC (a terminal colour sequence), tab, DEL, the C1 line break NEL, the Unicode
# line separator, and a byte that is not UTF-8 (Linux names are bytes).
NAMES = [
    b"new\nline.py",
    b"esc\x1b[31mred.py",
    b"tab\tx.py",
    b"del\x7f.py",
    "nel\x85.py".encode(),
    "sep\u2028.py".encode(),
    b"latin\xe9.py",
]
RAW = ["\n", "\x1b", "\t", "\x7f", "\x85", "\u2028"]
LINE_FORMATS = ["text", "concise", "full", "github", "json-lines"]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    # The checked folder's own name is not UTF-8 either (SARIF's root URI names it).
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/proj\xff\x1b"))
    root.mkdir()
    for name in NAMES:
        (root / os.fsdecode(name)).write_text('__all__ = ["missing"]\n', encoding="utf-8")
    return root


def _check(root: Path, output_format: str) -> str:
    # In a child: what reaches stdout is bytes, as a terminal or a CI log gets them.
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "check", os.fsdecode(root), "--format", output_format],
        cwd=root.parent,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert b"internal error" not in done.stderr
    return done.stdout.decode("utf-8")  # valid UTF-8, whatever the format


def test_every_format_is_covered() -> None:
    assert set(FORMATS) == {*LINE_FORMATS, "json", "sarif", "gitlab", "junit"}


@pytest.mark.parametrize("output_format", LINE_FORMATS)
def test_line_formats_escape_control_characters_in_names(hostile: Path, output_format: str) -> None:
    out = _check(hostile, output_format)
    finding_lines = [line for line in out.splitlines() if "EXP001" in line and "missing" in line]
    assert len(finding_lines) == len(NAMES)  # one line per finding: no name split one
    for line in out.split("\n"):
        assert not any(raw in line for raw in RAW), line
    if output_format != "json-lines":
        newline = "new%0Aline.py" if output_format == "github" else "new\\nline.py"
        assert "esc\\x1b[31mred.py" in out and newline in out  # GitHub's own escape
        assert "proj\\xff\\x1b" in out or output_format == "github"


@pytest.mark.parametrize("output_format", ["json", "sarif", "gitlab", "json-lines"])
def test_json_formats_are_valid_json_in_utf_8(hostile: Path, output_format: str) -> None:
    out = _check(hostile, output_format)
    documents = (
        [json.loads(line) for line in out.splitlines()]
        if output_format == "json-lines"
        else [json.loads(out)]
    )
    text = json.dumps(documents, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogate: every string is real Unicode
    if output_format != "sarif":  # SARIF names files by URI (below)
        assert "new\\nline.py" in text  # the newline survives, escaped by JSON itself


def test_sarif_uris_keep_the_names_bytes(hostile: Path) -> None:
    sarif = json.loads(_check(hostile, "sarif"))
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for location in result["locations"]
    }
    # The checked folder's bytes as they are; a name below it as discovery shows it.
    assert "proj%FF%1B/latin%EF%BF%BD.py" in uris
    assert "proj%FF%1B/new%0Aline.py" in uris


def test_junit_is_well_formed_xml(hostile: Path) -> None:
    suites = ElementTree.fromstring(_check(hostile, "junit").encode("utf-8"))
    names = sorted(suite.get("name", "") for suite in suites)
    assert len(names) == len(NAMES)
    assert any("esc\\x1b[31mred.py" in name for name in names)


def test_printable_text_is_returned_as_it_is_and_every_other_character_escaped() -> None:
    # printable() returns text that str.isprintable() passes untouched: that is only right
    # while every character the escaping pattern matches is one isprintable() refuses.
    from scaffold.errors import _UNPRINTABLE, printable

    escaped = [chr(c) for c in range(0x110000) if _UNPRINTABLE.match(chr(c))]
    assert not [char for char in escaped if char.isprintable()]
    assert printable("path/é €.py") == "path/é €.py"
    assert printable("new\nline\udcff") == "new\\nline\\xff"
