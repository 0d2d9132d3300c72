"""One source file in, one picklable ModuleFacts record out; no AST survives the call.

`parse_source` decodes (source.py), finds the noqa comments (noqa.py), parses, and hands the
tree to the statement walker (collector.py; its expression walk in expressions.py), which
reads `__all__` (all_value.py) and the whole-file facts (whole_tree.py) and notes syntax the
compiler may still reject (compiles.py).
"""

from __future__ import annotations

import ast
import dataclasses
import warnings

from scaffold.check.facts.noqa import noqa_directives, scan_noqa
from scaffold.check.facts.source import decode_source
from scaffold.check.model import FILE_SPAN, ModuleFacts, SourceError

__all__ = ["decode_source", "parse_source", "scan_noqa"]


def parse_source(data: bytes | str, *, is_package: bool = False) -> ModuleFacts:
    """Parse one file's content into facts; never raises for bad input.

    `is_package` (an `__init__`) adds the names the module reads, which only the package
    rules need and which cost a walk over every node.
    """
    if isinstance(data, bytes):
        try:
            text = decode_source(data)
        except ValueError as exc:
            return ModuleFacts(error=SourceError("decode", str(exc), FILE_SPAN))
    else:
        text = data
    noqa = scan_noqa(text)
    # `x is 1` and friends make the compiler warn on stderr; the user ran a checker. One
    # filter for the parse and the walk (entering one costs as much as a small file's walk).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _parsed(text, noqa, is_package)


def _parsed(
    text: str, noqa: tuple[tuple[int, frozenset[str] | None], ...], is_package: bool
) -> ModuleFacts:
    # Imported here: what only reads sources (decode_source, scan_noqa: a check that keeps
    # its stored report) does not load the walker.
    from scaffold.check.facts.collector import Collector
    from scaffold.check.facts.compiles import compile_error, syntax_error

    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        return ModuleFacts(error=syntax_error(exc), noqa=noqa)
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return ModuleFacts(error=_unparsable(exc), noqa=noqa)
    noqa, directives = noqa_directives(tree, text, noqa)
    collector = Collector()
    try:
        facts = collector.collect(tree, text, noqa, is_package=is_package)
    except (RecursionError, MemoryError) as exc:
        return ModuleFacts(error=_unparsable(exc), noqa=noqa)
    # Only when the walk saw syntax that may not compile: the compiler has the last word.
    error = compile_error(tree) if collector.suspect else None
    if error is not None:
        return ModuleFacts(error=error, noqa=noqa)
    return dataclasses.replace(facts, noqa_directives=directives) if directives else facts


def _unparsable(exc: BaseException) -> SourceError:
    if isinstance(exc, RecursionError):
        return SourceError("nesting", "", FILE_SPAN)
    if isinstance(exc, MemoryError):
        return SourceError("size", "", FILE_SPAN)
    return SourceError("invalid", str(exc) or type(exc).__name__, FILE_SPAN)
