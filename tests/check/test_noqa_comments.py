"""noqa comments are comments: what the tokenizer calls a comment, never text in a string
(issue 13's refine_noqa, after parsing), and a file-level `# scaffold: noqa`."""

from __future__ import annotations

import io
import tokenize

import pytest

from scaffold.check.facts import parse_source

CASES = [
    'x = "# noqa"\n',
    "x = '# noqa: IMP009'  # noqa: EXP001\n",
    'def f():\n    """Example.\n\n    >>> f()  # noqa: F821\n    """\n',
    's = """\n# noqa\n"""  # noqa: IMP009\nprint(1)  # NOQA\n',
    "r'\\'# noqa'\n",
    'b = b"\\"# noqa"  # noqa:IMP001,IMP002\n',
    "# scaffold: noqa: EXP001\nx = 1\n",
    "x = f'{1}# noqa'\ny = 2  # noqa\n",
    "'''a # noqa'''  # noqa: EXP003\n'''\n# noqa\n'''\n",
]


def _tokenizer_answer(text: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {t.start[0] for t in tokens if t.type == tokenize.COMMENT and "noqa" in t.string.lower()}


@pytest.mark.parametrize("text", CASES)
def test_noqa_lines_are_the_tokenizers_comment_lines(text: str) -> None:
    found = {line for line, _ in parse_source(text).noqa}
    expected = _tokenizer_answer(text)
    if "scaffold: noqa" in text:
        expected = {0 if text.splitlines()[n - 1].startswith("# scaffold") else n for n in expected}
    assert found == expected


def test_codes_are_read_from_the_comment() -> None:
    assert parse_source("x = '# noqa: IMP009'  # noqa: EXP001, imp002\n").noqa == (
        (1, frozenset({"EXP001", "IMP002"})),
    )
