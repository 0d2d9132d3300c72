"""A flow keeps whether its statements run at import time as a field (issue 20, session 13):
it follows `where` through every copy `but` makes."""

from __future__ import annotations

import pytest

from scaffold.check.facts.flow import FUNCTION_BODY, Flow
from scaffold.check.model import Where


@pytest.mark.parametrize("where", list(Where))
def test_runs_is_where_module_through_every_copy(where: Where) -> None:
    flow = Flow(where, True, False, False)
    assert flow.runs is (where is Where.MODULE)
    for other in Where:
        copy = flow.but(where=other, conditional=True)
        assert copy.runs is (other is Where.MODULE)
        assert copy.but(maybe=True).runs is copy.runs
    assert flow.runs is (where is Where.MODULE)  # the original is not changed
    assert not FUNCTION_BODY.runs


def test_runs_is_no_part_of_equality_or_repr() -> None:
    flow = Flow(Where.MODULE, True, False, False)
    assert flow == Flow(Where.MODULE, True, False, False)
    assert "runs" not in repr(flow)
