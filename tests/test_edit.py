"""register_submodule: only the import and the `__all__` span change, byte for byte."""

from __future__ import annotations

import ast

import pytest

from scaffold.edit import SourceEditError, TextEdit, apply_edits, register_submodule

CASES = {
    "template-style": (
        '"A package."\n\nfrom . import bar, baz\n\n__version__ = "0.1.0"\n\n'
        '__all__ = ["__version__", "bar", "baz"]\n',
        '"A package."\n\nfrom . import bar, baz, mid\n\n__version__ = "0.1.0"\n\n'
        '__all__ = ["__version__", "bar", "baz", "mid"]\n',
    ),
    "tuple-single-quotes": (
        "'''Doc.'''\nfrom . import a\n__all__ = ('a',)\n",
        "'''Doc.'''\nfrom . import a, mid\n__all__ = ('a', 'mid')\n",
    ),
    "list-one-per-line-with-comments": (
        '"""Doc."""\n\nfrom . import (\n    alpha,  # first\n    zeta,\n)\n\n'
        '__all__ = [\n    "alpha",\n    # the last one\n    "zeta",\n]\n',
        '"""Doc."""\n\nfrom . import (\n    alpha,  # first\n    mid,\n    zeta,\n)\n\n'
        '__all__ = [\n    "alpha",\n    # the last one\n    "mid",\n    "zeta",\n]\n',
    ),
    "one-per-line-no-trailing-comma": (
        'from . import x\n\n__all__ = [\n    "a",\n    "b"  # last\n]\n',
        'from . import mid, x\n\n__all__ = [\n    "a",\n    "b",  # last\n    "mid"\n]\n',
    ),
    "unsorted-appends": (
        'from . import z, a\n__all__ = ["z", "a"]  # keep me\n',
        'from . import z, a, mid\n__all__ = ["z", "a", "mid"]  # keep me\n',
    ),
    "annotated-empty": (
        "__all__: list[str] = []\n",
        'from . import mid\n\n__all__: list[str] = ["mid"]\n',
    ),
    "empty-tuple": (
        "from . import a\n__all__ = ()\n",
        'from . import a, mid\n__all__ = ("mid",)\n',
    ),
    "crlf-and-unicode": (
        '"""Dökümän ☃."""\r\nfrom . import ü_mod\r\n__all__ = ["ü_mod"]  # ☃\r\n',
        '"""Dökümän ☃."""\r\nfrom . import mid, ü_mod\r\n__all__ = ["mid", "ü_mod"]  # ☃\r\n',
    ),
    "long-line-wraps": (
        "from . import aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccccc"
        "\n",
        "from . import (\n    aaaaaaaaaaaaaaaaaaaa,\n    bbbbbbbbbbbbbbbbbbbbbbbb,\n"
        "    cccccccccccccccccccccccccc,\n    mid,\n)\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), CASES.values(), ids=CASES.keys())
def test_register_changes_only_the_spans(before: str, after: str) -> None:
    result = register_submodule(before, "mid")
    assert result.text == after
    ast.parse(result.text)
    assert register_submodule(result.text, "mid").text == result.text  # idempotent


def test_missing_all_is_left_absent_and_said() -> None:
    source = '"""Doc."""\n\nimport os\n\nfrom .core import thing\n'
    result = register_submodule(source, "mid")
    assert result.text == '"""Doc."""\n\nimport os\n\nfrom . import mid\nfrom .core import thing\n'
    assert any("no __all__" in note and "EXP005" in note for note in result.notes)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("from .core import *\nfrom . import core\n__all__ = core.__all__ + ['x']\n", "computed"),
        ("__all__ = ['a']\n__all__ = ['b']\n", "more than once"),
        ("__all__ += ['b']\n", "built with += and no first list"),
        ("__all__ = ['a']\n__all__.remove('a')\n", "__all__.remove()"),
        ("__all__.extend(['b'])\n__all__ = ['a']\n", "extended before it is assigned"),
        ("try:\n    __all__ = ['a']\nexcept Exception:\n    pass\n", "inside a block"),
    ],
)
def test_dynamic_all_is_left_alone_and_said(source: str, reason: str) -> None:
    result = register_submodule(source, "mid")
    assert "from . import" in result.text
    assert any(reason in note and "left it as is" in note for note in result.notes)
    tail = result.text[result.text.index("__all__") :]
    assert tail == source[source.index("__all__") :]


@pytest.mark.parametrize(
    "extension", ["__all__ += ['b']\n", "__all__.extend(['b'])\n", "__all__.append('b')\n"]
)
def test_an_extended_all_takes_the_name_in_its_first_list(extension: str) -> None:
    # Issue 17, bug 9: ruff and the star import read the first list and its extensions
    # together, so the name joins the first list instead of being left out (F401).
    result = register_submodule("__all__ = ['a']\n" + extension, "mid")
    assert result.text == "from . import mid\n\n__all__ = ['a', 'mid']\n" + extension
    assert "added 'mid' to __all__" in result.notes


def test_new_import_goes_after_the_docstring_when_there_are_no_imports() -> None:
    result = register_submodule('"""Doc."""\n\n__all__ = ["a"]\n\na = 1\n', "mid")
    assert result.text == '"""Doc."""\n\nfrom . import mid\n\n__all__ = ["a", "mid"]\n\na = 1\n'


def test_unparseable_source_is_refused() -> None:
    with pytest.raises(SourceEditError, match="line 1"):
        register_submodule("def (:\n", "mid")


def test_apply_edits_refuses_overlaps() -> None:
    assert apply_edits("abcdef", [TextEdit(1, 2, "X"), TextEdit(4, 4, "Y")]) == "aXcdYef"
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [TextEdit(1, 4, "X"), TextEdit(2, 5, "Y")])
