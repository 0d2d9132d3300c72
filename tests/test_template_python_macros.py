"""The templates' Python-writing macros (templates/*/python.jinja) against ruff itself:
many random name lists and texts rendered through them must pass `ruff check` and
`ruff format --check` untouched, the way the generated projects are checked."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
#: Every template whose .py files import the macros keeps its own copy (Copier refuses
#: files outside the template), so the copies must not drift apart.
COPIES = sorted(TEMPLATES.glob("*/python.jinja"))
RUFF_RULES = "E,F,W,I,B,UP,RUF,SIM"


def _environment() -> SandboxedEnvironment:
    # Copier's own Jinja settings: its default filters and trailing newlines kept.
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES / "package")),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        keep_trailing_newline=True,
    )


def _render(source: str, **values: object) -> str:
    return _environment().from_string(source).render(**values)


def _ruff(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--isolated", "--no-cache", "--line-length", "100"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def _assert_ruff_clean(folder: Path) -> None:
    lint = _ruff(folder, "check", "--select", RUFF_RULES, "--target-version", "py311", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    form = _ruff(folder, "format", "--check", "--diff", ".")
    assert form.returncode == 0, form.stdout + form.stderr


def _random_names(rng: random.Random) -> list[str]:
    # Digit runs of every shape (mod9/mod10, leading zeros, runs longer than ten digits)
    # are where a plain sort and ruff's natural sort disagree.
    pieces = ["mod", "a", "b_", "x_y", "z", "__v__", "m0", "q"]
    digits = ["0", "00", "01", "010", "1", "2", "9", "10", "11", "99", "100", "12345678901234"]
    names: set[str] = set()
    for _ in range(rng.randint(1, 14)):
        name = rng.choice(pieces)
        for _ in range(rng.randint(0, 3)):
            name += rng.choice(digits) + rng.choice(["", "_", "b", "_c"])
        names.add(name.lower())
    return sorted(names, key=lambda _: rng.random())


def test_the_macro_copies_are_identical() -> None:
    assert len(COPIES) >= 3
    first = COPIES[0].read_text(encoding="utf-8")
    for copy in COPIES[1:]:
        assert copy.read_text(encoding="utf-8") == first, f"{copy} differs from {COPIES[0]}"


def test_natural_sort_matches_ruffs_imports_and_all(tmp_path: Path) -> None:
    rng = random.Random(17)
    source = (
        '{%- from "python.jinja" import from_import, natsorted, str_list -%}\n'
        "{%- set ordered = natsorted(names).split() -%}\n"
        '"""Sorted names."""\n\n'
        "{{ from_import('.', ordered, 100) }}\n\n"
        "{{ str_list('__all__', ordered, 100) }}\n"
    )
    for index in range(200):
        names = _random_names(rng)
        package = tmp_path / f"case{index}"
        package.mkdir()
        (package / "__init__.py").write_text(_render(source, names=names), encoding="utf-8")
    _assert_ruff_clean(tmp_path)


def test_mod9_sorts_before_mod10() -> None:
    rendered = _render(
        '{% from "python.jinja" import natsorted %}{{ natsorted(names) }}',
        names=["mod10", "mod9", "mod01", "__version__"],
    )
    assert rendered.split() == ["__version__", "mod01", "mod9", "mod10"]


TEXTS = [
    "",
    "A Python package.",
    "word " * 40,
    'Says "hi" \\o/ 🎉 over "two" lines ' * 5,
    "It's Zoë's 'tool' " * 8,
    "see https://example.com/" + "x" * 150 + " for more",
    "漢字のテキスト " * 20,
    "\\" * 150,
    "x" * 86,
    "y" * 87,
    "z" * 77,
    "w" * 78,
    'ends with a quote "' * 6,
    "a\x07bell and tabs\tand\nnewlines " * 4,
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_long_texts_become_ruff_clean_docstrings_and_strings(text: str, tmp_path: Path) -> None:
    source = (
        '{%- from "python.jinja" import docstring, keyword_str -%}\n'
        "{{ docstring(text, 100) }}\n\n"
        "import argparse\n\n\n"
        "def build_parser() -> argparse.ArgumentParser:\n"
        '    """A parser described by the text."""\n'
        "    return argparse.ArgumentParser(\n"
        '        prog="tool",\n'
        '{{ keyword_str("description", text, "        ", 100) }}\n'
        "    )\n"
    )
    module = tmp_path / "mod.py"
    module.write_text(_render(source, text=text), encoding="utf-8")
    _assert_ruff_clean(tmp_path)
    folded = " ".join(text.split())
    namespace: dict[str, object] = {}
    exec(compile(module.read_text(encoding="utf-8"), str(module), "exec"), namespace)
    # The docstring keeps every word; the description is the text, exactly.
    assert " ".join(str(namespace["__doc__"]).split()) == folded
    parser = namespace["build_parser"]
    assert callable(parser)
    assert parser().description == folded
