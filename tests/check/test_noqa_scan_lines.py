"""The first noqa scan reads only the lines that say "noqa" (issue 20, session 12): the same
lines and numbers as reading every line, whatever the file's line breaks and letter cases."""

from __future__ import annotations

import pytest

import scaffold.check.facts.noqa as noqa_module
from scaffold.check.facts.noqa import scan_noqa
from scaffold.edit import source_lines


def _every_line(text: str) -> tuple[tuple[int, frozenset[str] | None], ...]:
    """The scan as it was: every line lower-cased and searched."""
    found: list[tuple[int, frozenset[str] | None]] = []
    for number, line in enumerate(source_lines(text), start=1):
        if "noqa" not in line.lower():
            continue
        whole_file = noqa_module._FILE_NOQA.search(line)
        match = whole_file or noqa_module._NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        names = None if codes is None else frozenset(c.strip().upper() for c in codes.split(","))
        found.append((0 if whole_file else number, names))
    return tuple(found)


TEXTS = [
    "a = 1  # noqa",  # no newline at the end
    "a = 1\n\n\nb = 2  # NoQA: imp001, Exp002\n",
    "x = 1  # noqa  # noqa: IMP001\ny = 'noqa'\n",  # two on a line, one in a string
    "# scaffold: noqa: EXP001\nx = 1  # noqa\n",
    "\nnoqa\n\n# NOQA\n",
    "x = 'İstanbul'  # noqa: IMP009\n# noqa\n",  # lower() lengthens İ: the places move
    "a = 1\r\nb = 2  # noqa\r\n",
    "a = 1\rb = 2  # noqa\r",
    "a = 1\x0cb\n# noqa\n",
    "a = '\u2028'\n# noqa: IMP001\n",
    "a = '\x85'  # noqa\n",
    "x = 1\n" * 50 + "y = 2  # noqa: EXP003\n" + "z = 3\n" * 50 + "# NOQA\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_lines_and_codes_are_those_of_reading_every_line(text: str) -> None:
    assert scan_noqa(text) == _every_line(text)
    assert scan_noqa(text)  # every text here has a noqa comment


def test_a_file_of_newline_breaks_is_not_cut_into_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    def cut(text: str, keepends: bool = False) -> list[str]:
        raise AssertionError("the whole file was cut into lines")

    monkeypatch.setattr(noqa_module, "source_lines", cut)
    text = "import os\n" + "x = 1\n" * 200 + "y = os.sep  # noqa: IMP009\n"
    assert scan_noqa(text) == ((202, frozenset({"IMP009"})),)


def test_a_file_of_other_breaks_still_numbers_its_lines_as_python() -> None:
    # A form feed is no line break for Python: the noqa is on line 2, not 3.
    assert scan_noqa("a = 1\nb = 2\x0c  # noqa\n") == ((2, None),)


MORE_TEXTS = [
    "#\nnoqa\n# x\n#   \n  noqa  # noqa\n",  # a "#" whose blanks run into the next line
    "# scaffold:\n# noqa: IMP001\n",  # `scaffold:` and noqa on two lines
    "#" * 80 + "\n" + "x = 1  ## NoQa:IMP001,EXP002\n" + "#" * 80 + "\n",
    "#noqa\n#\tnoqa\n#\n\n# scaffold:noqa\n",
    "x = 1  # no qa\ny = 2  # n#oqa\n# NOQA:  imp001 ,  imp002\n",
    "s = '#'  # noqa\n",
    "x = 1  # \u017fcaffold: noqa\n# KEEP\n",  # re.I lets a long s be s: as before
]


@pytest.mark.parametrize("text", MORE_TEXTS)
def test_comments_found_from_their_hash_are_those_of_reading_every_line(text: str) -> None:
    assert scan_noqa(text) == _every_line(text)
    crlf = text.replace("\n", "\r\n")  # not breaking at "\n" only: the lines are read
    assert scan_noqa(crlf) == _every_line(crlf)


def test_the_noqa_pattern_is_tried_only_where_a_hash_is(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[int] = []
    pattern = noqa_module._NOQA_START

    class Counting:
        def match(self, text: str, position: int) -> object:
            tried.append(position)
            return pattern.match(text, position)

    monkeypatch.setattr(noqa_module, "_NOQA_START", Counting())
    text = "x = 1\n" * 100 + "y = 2  # a comment\n" + "z = 'noqa NOQA'\n" * 20 + "# noqa\n"
    assert scan_noqa(text) == ((122, None),)
    assert tried == [text.index("#"), text.rindex("#")]
    tried.clear()
    assert scan_noqa("a = 'noqa'\n" * 50) == ()  # no "#": nothing tried, no line read
    assert tried == []
