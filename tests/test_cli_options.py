"""The command line's shared options: --format choices mirror the checker's formats exactly."""

from __future__ import annotations

import pytest

from scaffold.check.output import FORMATS
from scaffold.check.output.graph import GRAPH_FORMATS
from scaffold.cli import check, graph
from scaffold.cli.options import FormatChoice
from scaffold.errors import UsageError


def test_check_formats_are_the_checkers() -> None:
    assert [f.value for f in check.CheckFormat] == list(FORMATS)


def test_rule_formats_are_the_rule_renderers() -> None:
    from scaffold.check.output.rule_docs import RULE_FORMATS

    assert tuple(f.value for f in check.RuleFormat) == RULE_FORMATS


def test_graph_formats_are_the_graph_renderers() -> None:
    # svg is dot drawn by Graphviz, not a renderer of its own
    assert [f.value for f in graph.GraphFormat] == [*GRAPH_FORMATS, "svg"]


def test_format_choice_takes_any_case() -> None:
    assert FormatChoice(["text", "json"]).convert("JSON", None, None) == "json"


def test_format_choice_refuses_others_on_one_line() -> None:
    with pytest.raises(UsageError, match=r"^unknown --format 'xml' \(choose one of: text, json\)$"):
        FormatChoice(["text", "json"]).convert("xml", None, None)
