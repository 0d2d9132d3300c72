"""What the facts walk reads the whole text for (issue 20, session 13): a pattern only after
`str`'s search found its word, and the namespace-call hints only when code running at import
time calls one of the module's own functions; the same answers as before."""

from __future__ import annotations

import re

import pytest

from scaffold.check.facts import parse_source, whole_tree


class _Refusing:
    """A pattern that must not be searched."""

    def __init__(self, label: str) -> None:
        self.label = label

    def search(self, text: str) -> object:
        raise AssertionError(f"{self.label} searched the whole text")


def test_namespace_hints_are_read_only_when_an_own_function_runs_on_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        whole_tree, "_NAMESPACE_HINTS", {w: _Refusing(w) for w in ("exec", "globals", "vars")}
    )
    # print() runs on import, and the text says globals( and exec(: no function of the
    # module's own runs then, so nothing can bind through them.
    source = "print(1)\nx = sorted([])\ndef f():\n    globals()['y'] = exec('1')\n"
    assert not parse_source(source).dynamic


@pytest.mark.parametrize(
    ("source", "dynamic"),
    [
        ("print(1)\ndef f():\n    globals()['y'] = 1\n", False),
        ("def f():\n    globals()['y'] = 1\nf()\n", True),
        ("def f():\n    exec ('y = 1')\ndef g():\n    pass\ng()\nf()\n", True),
        ("def f():\n    return vars\nf()\n", False),  # the word, not a call
        ("def f():\n    x = 'globals('\nf()\n", False),  # the hint, no call in the tree
        ("__path__ += ['x']\n", True),
        ("__path__.append('x')\n", True),
        ("__path__ == 1\n", True),  # cautious, as the pattern always was
        ("import sys\nsys.modules[__name__] = object()\n", True),
        ("import sys\nsys.modules[\n'x'] = 1\n", False),  # the pattern's `[^\]\n]` as before
        ("modules = {}\nmodules ['a'] = 1\n", True),  # cautious, as the pattern always was
    ],
)
def test_whole_file_namespace_answers(source: str, dynamic: bool) -> None:
    assert parse_source(source).dynamic is dynamic


def test_a_text_without_the_word_is_not_searched_with_its_pattern(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searched: list[str] = []

    class Recording:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def search(self, text: str) -> re.Match[str] | None:
            searched.append(self.pattern.pattern)
            return self.pattern.search(text)

    monkeypatch.setattr(
        whole_tree, "_DYNAMIC", tuple((w, Recording(p)) for w, p in whole_tree._DYNAMIC)
    )
    assert not parse_source("x = 1\n").dynamic
    assert searched == []
    assert parse_source("import sys\nsys.modules['m'] = sys\n").dynamic
    assert len(searched) == 1 and searched[0].startswith("modules")  # no "__path__" said
