"""The walk builds its named tuples with `tuple.__new__` in their fields' order, and the
events set their fields through their slots (issue 20, session 13): the records are those
the classes' own constructors make, by keyword, and they pickle and go through the cache's
codec as before."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from scaffold.check import model
from scaffold.check.facts import parse_source
from scaffold.check.incremental.codec import records_of
from scaffold.check.incremental.records import decode_facts, encode_facts
from scaffold.check.model import (
    Access,
    Bind,
    ImportedName,
    ImportFact,
    ModuleFacts,
    RunImport,
    Span,
    Where,
)

SOURCE = (
    "import os.path as p, sys\n"
    "try:\n"
    "    from .core import (a,\n"
    "        b as c)\n"
    "except ImportError:\n"
    "    pass\n"
    "def f():\n"
    "    from x import y\n"
)


def test_import_records_equal_those_built_by_keyword() -> None:
    imports = parse_source(SOURCE).imports
    expected = [
        ImportFact(
            is_from=False,
            module="os.path",
            level=0,
            names=(ImportedName(name="os.path", asname="p", span=Span(1, 8, 1, 20)),),
            span=Span(1, 1, 1, 25),
            where=Where.MODULE,
            conditional=False,
            guarded=False,
            binds=True,
        ),
        ImportFact(
            is_from=False,
            module="sys",
            level=0,
            names=(ImportedName(name="sys", asname=None, span=Span(1, 22, 1, 25)),),
            span=Span(1, 1, 1, 25),
            where=Where.MODULE,
            conditional=False,
            guarded=False,
            binds=True,
        ),
        ImportFact(
            is_from=True,
            module="core",
            level=1,
            names=(
                ImportedName(name="a", asname=None, span=Span(3, 24, 3, 25)),
                ImportedName(name="b", asname="c", span=Span(4, 9, 4, 15)),
            ),
            span=Span(3, 5, 4, 16),
            where=Where.MODULE,
            conditional=False,
            guarded=True,
            binds=True,
        ),
        ImportFact(
            is_from=True,
            module="x",
            level=0,
            names=(ImportedName(name="y", asname=None, span=Span(8, 19, 8, 20)),),
            span=Span(8, 5, 8, 20),
            where=Where.FUNCTION,
            conditional=True,
            guarded=True,
            binds=False,
        ),
    ]
    assert list(imports) == expected
    assert [type(i) for i in imports] == [ImportFact] * 4
    assert all(type(n) is ImportedName and type(n.span) is Span for i in imports for n in i.names)
    assert imports[2].names[1].asname == "c" and imports[3].binds is False


def test_walked_records_pickle_and_encode_as_before() -> None:
    facts = parse_source(SOURCE)
    assert pickle.loads(pickle.dumps(facts)) == facts
    decoded = decode_facts(encode_facts(facts))
    assert decoded == facts
    assert [type(i) for i in decoded.imports] == [ImportFact] * 4


def test_events_set_through_their_slots_are_the_same_records() -> None:
    span = Span(2, 1, 2, 9)
    access = Access("os", ("path", "join"), span, True, False)
    assert access == Access(
        name="os", attrs=("path", "join"), span=span, conditional=True, guarded=False
    )
    assert (access.name, access.attrs, access.span, access.conditional, access.guarded) == (
        "os",
        ("path", "join"),
        span,
        True,
        False,
    )
    assert hash(access) == hash(Access("os", ("path", "join"), span, True, False))
    assert access != Access("os", ("path",), span, True, False)
    assert RunImport(3) == RunImport(index=3, maybe=False) != RunImport(3, True)
    assert dataclasses.replace(RunImport(3), maybe=True) == RunImport(3, True)
    assert Bind(("a", "b")).names == ("a", "b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        access.name = "sys"  # type: ignore[misc]
    with pytest.raises(TypeError):
        RunImport()  # type: ignore[call-arg]
    events = (access, RunImport(0), RunImport(1, True), Bind(("x",)))
    assert pickle.loads(pickle.dumps(events)) == events
    facts = ModuleFacts(events=events)
    decoded = decode_facts(encode_facts(facts))
    assert decoded == facts and [type(e) for e in decoded.events] == [type(e) for e in events]
    assert repr(access).startswith("Access(name='os', attrs=('path', 'join')")


def test_the_model_names_no_record_class_twice() -> None:
    # The cache's codec numbers every record class the module names: a helper's loop variable
    # left naming one would add a record and move every number after it.
    named = [name for name, value in vars(model).items() if value in records_of(model)]
    assert sorted(named) == sorted(cls.__name__ for cls in records_of(model))


@pytest.mark.parametrize("cls", [Access, RunImport, Bind])
def test_an_event_set_through_its_slots_takes_every_field_in_order(cls: type) -> None:
    # Its `__init__` is written by hand (model.py): a field added to the dataclass and not to
    # it would be left unset on every record the walk builds.
    import inspect

    parameters = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in parameters] == [f.name for f in fields]
    defaults = [None if p.default is inspect.Parameter.empty else p.default for p in parameters]
    assert defaults == [None if f.default is dataclasses.MISSING else f.default for f in fields]
