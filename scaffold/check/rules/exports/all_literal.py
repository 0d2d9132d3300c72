"""The fix EXP003 and EXP007 share: rewrite one `__all__` literal, dropping repeats, sorting.

Both rules may point into the same literal, so their findings are planned together: one
set of edits per literal, never two that overlap.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Sequence

from scaffold.check.model import Diagnostic
from scaffold.check.rules.unit import FixContext
from scaffold.edit import TextEdit, ruf022_key

__all__ = ["fix_all_literals"]

_Plan = tuple[ast.List | ast.Tuple, set[int], bool, int]  # literal, drop, sort, findings


def fix_all_literals(ctx: FixContext, diagnostics: Sequence[Diagnostic]) -> None:
    """Drop the repeated items (EXP003) and sort the literals (EXP007) the findings name."""
    plans: dict[int, _Plan] = {}
    for diagnostic in diagnostics:
        if diagnostic.code == "EXP003":
            for node, parent in ctx.nodes_at(diagnostic):
                if isinstance(parent, ast.List | ast.Tuple) and node in parent.elts:
                    literal, drop, sort, count = plans.get(id(parent), (parent, set(), False, 0))
                    drop.add(parent.elts.index(node))
                    plans[id(parent)] = (literal, drop, sort, count + 1)
                    break
    for diagnostic in diagnostics:
        if diagnostic.code == "EXP007":
            for node, _ in ctx.nodes_at(diagnostic):
                if isinstance(node, ast.List | ast.Tuple):
                    literal, drop, _sort, count = plans.get(id(node), (node, set(), False, 0))
                    plans[id(node)] = (literal, drop, True, count + 1)
                    break
    for literal, drop, sort, count in plans.values():
        edits, sorted_too = _rewrite_literal(ctx, literal, drop, sort)
        if edits is not None:
            ctx.edits += edits
            ctx.fixed += count - (1 if sort and not sorted_too else 0)


def _rewrite_literal(
    ctx: FixContext, literal: ast.List | ast.Tuple, drop: set[int], sort: bool
) -> tuple[list[TextEdit] | None, bool]:
    """Edits that drop items `drop` and sort the rest; also whether it sorts."""
    text, offsets = ctx.text, ctx.offsets
    elts = literal.elts
    spans = [(offsets.start(e), offsets.end(e)) for e in elts]
    start, end = offsets.start(literal), offsets.end(literal)
    bracketed = text[start] in "[("
    inner = (start + 1, end - 1) if bracketed else (start, end)
    # The gaps between items hold commas, spaces and comments; sorting moves items
    # across them, so a literal with comments inside is sorted by a human instead.
    gaps = [text[inner[0] : spans[0][0]]] if spans else []
    gaps += [text[a[1] : b[0]] for a, b in itertools.pairwise(spans)]
    gaps += [text[spans[-1][1] : inner[1]]] if spans else []
    edits: list[TextEdit] = []
    keep = [i for i in range(len(elts)) if i not in drop]
    if sort and any("#" in gap for gap in gaps[1:]):
        if not drop:
            return None, False
        sort = False  # still drop the repeats
    if sort:
        texts = [text[a:b] for a, b in spans]
        values = [e.value if isinstance(e, ast.Constant) else "" for e in elts]
        order = sorted(keep, key=lambda i: ruf022_key(str(values[i])))
        for slot, index in zip(keep, order, strict=True):
            if slot != index:
                edits.append(TextEdit(spans[slot][0], spans[slot][1], texts[index]))
    if drop and not keep:
        return ([*edits, TextEdit(inner[0], inner[1], "")] if bracketed else None), sort
    for index in sorted(drop):
        removal = _removal(ctx, spans, index, inner)
        if removal is None:
            return None, False
        edits.append(removal)
    return edits, sort


def _removal(
    ctx: FixContext, spans: list[tuple[int, int]], index: int, inner: tuple[int, int]
) -> TextEdit | None:
    """Delete item `index`: its whole line when it stands alone there, else with a comma."""
    text, offsets = ctx.text, ctx.offsets
    a, b = spans[index]
    line_start, line_end = offsets.line_start(a), offsets.line_end(b)
    before, after = text[line_start:a], text[b:line_end]
    if not before.strip() and after.strip() in ("", ",") and line_end < len(text):
        return TextEdit(line_start, line_end + 1, "")
    if index > 0:
        cut = TextEdit(spans[index - 1][1], b, "")
    elif index + 1 < len(spans):
        cut = TextEdit(a, spans[index + 1][0], "")
    else:
        cut = TextEdit(a, inner[1], "")
    removed = text[cut.start : cut.end].replace(text[a:b], "", 1)
    if removed.strip(" \t\n,\\"):
        return None  # a comment would go with it
    return cut
