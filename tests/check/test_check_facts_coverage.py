"""Every AST node class of the running Python is accounted for by the fact collector.

Statements are dispatched through the tables of `scaffold.check.facts.dispatch`; a class
they neither handle nor ignore fails here, so new syntax is never skipped unnoticed (at run
time it would only have its expressions read). Expressions and match patterns are walked
generically: each class has a sample below showing what a read or a binding inside it
becomes, and a new class fails until it has one.
"""

from __future__ import annotations

import ast

import pytest

from scaffold.check.facts import parse_source
from scaffold.check.facts.collector import Collector
from scaffold.check.facts.dispatch import (
    BINDING_PATTERNS,
    FUNCTION_STATEMENTS,
    IGNORED_AT_IMPORT_TIME,
    IGNORED_IN_FUNCTIONS,
    IMPORT_TIME_STATEMENTS,
    MAY_SKIP_CHILDREN,
    READ_SPECIALLY,
)
from scaffold.check.model import Access

# Deprecated aliases the ast module still defines on some versions; ast.parse never
# produces them (Constant, Module, Load and a plain slice expression stand in).
_NEVER_PARSED = frozenset(
    {"Num", "Str", "Bytes", "NameConstant", "Ellipsis", "Suite"}
    | {"AugLoad", "AugStore", "Param", "slice", "Index", "ExtSlice"}
)

# Each kind of node (a direct subclass of ast.AST) and how the collector reaches it.
_KINDS = {
    "mod": "only ast.Module is parsed; its body is the first block the collector walks",
    "stmt": "dispatched on its class (the tables of dispatch.py), checked below",
    "expr": "walked by Collector.expression, checked below with one sample per class",
    "pattern": "walked by Collector.match_statement, checked below with one sample per class",
    "expr_context": "Load/Store/Del: read off an Attribute; no facts of its own",
    "boolop": "an operator token: no names, nothing to read",
    "operator": "an operator token: no names, nothing to read",
    "unaryop": "an operator token: no names, nothing to read",
    "cmpop": "an operator token: no names, nothing to read",
    "comprehension": "part of a comprehension expression, walked with it (MAY_SKIP_CHILDREN)",
    "arguments": "a signature: function_def and the Lambda case read its defaults",
    "arg": "one parameter of a signature: its annotation is not evaluated as a fact",
    "keyword": "a keyword argument of a call or class: walked with its parent",
    "alias": "one name of an import: read by Collector.add_import",
    "withitem": "read by Collector.with_statement",
    "match_case": "read by Collector.match_statement",
    "excepthandler": "an except clause: its body is a block of try_statement / nested_blocks",
    "type_ignore": "a `# type: ignore` comment, produced only with type_comments=True",
    "type_param": "`[T: bound]` of a def, class or type alias (3.12+): evaluated lazily",
    "slice": "a deprecated base (Index, ExtSlice) that ast.parse no longer produces",
}


def _classes(base: type[ast.AST]) -> list[type[ast.AST]]:
    """Every class ast.parse can produce below `base`, on the running Python."""
    found: list[type[ast.AST]] = []
    pending = list(base.__subclasses__())
    while pending:
        kind = pending.pop()
        if kind.__module__ == "ast" and kind.__name__ not in _NEVER_PARSED:
            found.append(kind)
        pending.extend(kind.__subclasses__())
    return sorted(found, key=lambda kind: kind.__name__)


def test_every_kind_of_node_is_accounted_for() -> None:
    kinds = {kind.__name__ for kind in ast.AST.__subclasses__() if kind.__module__ == "ast"}
    assert kinds <= set(_KINDS), sorted(kinds - set(_KINDS))


@pytest.mark.parametrize("kind", _classes(ast.stmt), ids=lambda kind: kind.__name__)
def test_every_statement_is_handled_or_ignored_at_import_time(kind: type[ast.AST]) -> None:
    handled, ignored = kind in IMPORT_TIME_STATEMENTS, kind in IGNORED_AT_IMPORT_TIME
    assert handled != ignored, f"{kind.__name__}: handled {handled}, ignored {ignored}"


@pytest.mark.parametrize("kind", _classes(ast.stmt), ids=lambda kind: kind.__name__)
def test_every_statement_is_handled_or_ignored_in_functions(kind: type[ast.AST]) -> None:
    handled, ignored = kind in FUNCTION_STATEMENTS, kind in IGNORED_IN_FUNCTIONS
    assert handled != ignored, f"{kind.__name__}: handled {handled}, ignored {ignored}"


def test_every_handler_is_a_collector_method() -> None:
    for name in {*IMPORT_TIME_STATEMENTS.values(), *FUNCTION_STATEMENTS.values()}:
        assert callable(getattr(Collector, name, None)), name


READ = ("os", ("sep",), False)  # an unconditional read of `os.sep`

# Per expression class: a module-level sample (after `import os`) that holds the class, the
# reads it records (name, attrs, conditional), the names it binds besides `os`, and how many
# side effects it reports. A class outside READ_SPECIALLY and MAY_SKIP_CHILDREN is only
# descended into, so a read inside it is recorded as anywhere else.
_EXPRESSIONS: dict[str, tuple[str, set[tuple[str, tuple[str, ...], bool]], set[str], int]] = {
    # Read specially.
    "Attribute": ("os.path.sep", {("os", ("path", "sep"), False)}, set(), 0),
    "Call": ("print(os.sep)", {READ}, set(), 1),
    "Lambda": ("(lambda a=os.sep: os.path)", {READ}, set(), 0),  # the body does not run
    "NamedExpr": ("(y := os.sep)", {READ}, {"y"}, 0),
    # May skip children.
    "BoolOp": ("os.sep or os.path", {READ, ("os", ("path",), True)}, set(), 0),
    "IfExp": ("os.path if os.sep else 1", {READ, ("os", ("path",), True)}, set(), 0),
    "ListComp": ("[a for a in os.sep if os.path]", {READ, ("os", ("path",), True)}, set(), 0),
    "SetComp": ("{os.path for a in os.sep}", {READ, ("os", ("path",), True)}, set(), 0),
    "DictComp": ("{a: os.path for a in os.sep}", {READ, ("os", ("path",), True)}, set(), 0),
    "GeneratorExp": ("(os.path for a in os.sep)", {READ, ("os", ("path",), True)}, set(), 0),
    # Leaves: nothing inside to read.
    "Constant": ("1", set(), set(), 0),
    "Name": ("os", set(), set(), 0),
    # Descended into.
    "Await": ("await os.sep", {READ}, set(), 0),
    "BinOp": ("os.sep + 1", {READ}, set(), 0),
    "Compare": ("os.sep == 1", {READ}, set(), 0),
    "Dict": ("{os.sep: 1}", {READ}, set(), 0),
    "FormattedValue": ('f"{os.sep}"', {READ}, set(), 0),
    "Interpolation": ('t"{os.sep}"', {READ}, set(), 0),
    "JoinedStr": ('f"{os.sep}"', {READ}, set(), 0),
    "List": ("[os.sep]", {READ}, set(), 0),
    "Set": ("{os.sep}", {READ}, set(), 0),
    "Slice": ("x[os.sep :]", {READ}, set(), 0),
    "Starred": ("[*os.sep]", {READ}, set(), 0),
    "Subscript": ("os.sep[0]", {READ}, set(), 0),
    "TemplateStr": ('t"{os.sep}"', {READ}, set(), 0),
    "Tuple": ("(os.sep,)", {READ}, set(), 0),
    "UnaryOp": ("-os.sep", {READ}, set(), 0),
    "Yield": ("yield os.sep", {READ}, set(), 0),
    "YieldFrom": ("yield from os.sep", {READ}, set(), 0),
}


# Classes that do not compile outside a function: at module level they are a SYN001.
_OUTSIDE_FUNCTION = frozenset({"Await", "Yield", "YieldFrom"})


@pytest.mark.parametrize("kind", _classes(ast.expr), ids=lambda kind: kind.__name__)
def test_every_expression_is_walked(kind: type[ast.AST]) -> None:
    assert kind.__name__ in _EXPRESSIONS, f"no sample for {kind.__name__}: add one"
    sample, reads, bound, effects = _EXPRESSIONS[kind.__name__]
    source = f"import os\n{sample}\n"
    assert any(isinstance(node, kind) for node in ast.walk(ast.parse(source)))
    facts = parse_source(source)
    if kind.__name__ in _OUTSIDE_FUNCTION:
        # ast.parse accepts it at module level; the compiler, and so `import`, does not.
        with pytest.raises(SyntaxError):
            compile(source, "<module>", "exec", dont_inherit=True)
        assert facts.error is not None and facts.error.kind == "syntax"
        return
    assert facts.error is None
    recorded = {(e.name, e.attrs, e.conditional) for e in facts.events if isinstance(e, Access)}
    assert recorded == reads
    assert facts.bindings == {"os", *bound}
    assert len(facts.side_effects) == effects


def test_the_special_expressions_have_samples() -> None:
    special = {kind.__name__ for kind in READ_SPECIALLY | MAY_SKIP_CHILDREN}
    assert special - {"comprehension"} <= set(_EXPRESSIONS)


# Per pattern class: a `case` pattern that holds it and the names it binds. The classes of
# BINDING_PATTERNS bind a name; the others bind only through the patterns nested in them.
_PATTERNS = {
    "MatchAs": ("[1] as whole", {"whole"}),
    "MatchClass": ("str(a)", {"a"}),
    "MatchMapping": ('{"k": a, **rest}', {"a", "rest"}),
    "MatchOr": ("[a] | (a, 1)", {"a"}),
    "MatchSequence": ("[a, b]", {"a", "b"}),
    "MatchSingleton": ("None", set()),
    "MatchStar": ("[*rest]", {"rest"}),
    "MatchValue": ("os.name", set()),
}


@pytest.mark.parametrize("kind", _classes(ast.pattern), ids=lambda kind: kind.__name__)
def test_every_pattern_is_walked(kind: type[ast.AST]) -> None:
    assert kind.__name__ in _PATTERNS, f"no sample for {kind.__name__}: add one"
    pattern, bound = _PATTERNS[kind.__name__]
    source = f"import os\nmatch os.sep:\n    case {pattern}:\n        pass\n"
    assert any(isinstance(node, kind) for node in ast.walk(ast.parse(source)))
    facts = parse_source(source)
    assert facts.bindings == {"os", *bound}
    if kind in BINDING_PATTERNS:
        assert bound


class _FutureStatement(ast.stmt):
    """A statement class no table knows, as a newer Python may bring."""

    _fields = ("value",)
    value: ast.expr


def _future_statement(value: ast.expr) -> _FutureStatement:
    node = _FutureStatement()
    node.value = value
    return node


def test_an_unknown_statement_reads_its_expressions_and_binds_nothing() -> None:
    source = "import os\ndef f():\n    pass\n"
    tree = ast.parse(source)
    value = ast.parse("os.sep", mode="eval").body
    tree.body.append(_future_statement(value))
    function = tree.body[1]
    assert isinstance(function, ast.FunctionDef)
    function.body.append(_future_statement(value))
    facts = Collector().collect(tree, source, (), is_package=False)
    assert [(e.name, e.attrs) for e in facts.events if isinstance(e, Access)] == [("os", ("sep",))]
    assert facts.bindings == {"os", "f"}


@pytest.mark.skipif(not hasattr(ast, "TypeAlias"), reason="`type X = ...` is Python 3.12+")
def test_a_type_alias_binds_and_reads_nothing() -> None:
    facts = parse_source("import os\ntype X = os.PathLike\ndef f():\n    type Y = int\n")
    assert facts.error is None
    # The value is evaluated lazily: nothing is read at import.
    assert not [e for e in facts.events if isinstance(e, Access)]
    # X is bound at module level (test_check_bindings.py runs this on 3.12+ from 3.11).
    assert facts.bindings == {"os", "f", "X"}
