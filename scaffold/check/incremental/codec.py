"""Records (dataclasses, named tuples, enums) as builtins marshal can write, and back.

A Codec is built for a given set of record types; it imports none of them. Which records
the cache holds is decided by the module that stores them (incremental.store), which sits
above every module that defines one.

A dataclass record is encoded as the list [type index, *fields] (records hold tuples and
frozensets, never lists, so a list marks a record), an enum as [type index, value]. A
named tuple (Span, ImportedName: the most numerous records) is a plain tuple of its
fields: it is only ever decoded where its type is known from an annotation. Decoding is
most of a run that re-checks a few files but simulates the whole project, so each record
type gets a straight-line encoder and decoder written from its field annotations: a
`tuple[ImportFact, ...]` field becomes one list comprehension calling ImportFact's decoder
directly, a `Where` field one dictionary lookup, a Span one C call, a field of builtins
nothing at all. Only a union of records (an Event) goes through the dispatch.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Iterable
from typing import NamedTuple, cast

__all__ = ["Codec", "LazyCodec", "records_of"]

_NONE = type(None)
_PLAIN = frozenset({str, int, bool, float, bytes, _NONE})
# A frozenset is encoded as [_SET, *sorted items]: marshal writes a frozenset in iteration
# order, which depends on the per-process string hash, and equal facts must encode to equal
# bytes (the report is keyed by a digest of the encoded facts).
_SET = -1

Encoder = Callable[[object], object]
Decoder = Callable[[list[object]], object]


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _is_frozen_dataclass(cls: type) -> bool:
    return dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def records_of(*modules: types.ModuleType) -> tuple[type, ...]:
    """Every frozen dataclass, named tuple and enum the modules define, in a stable order."""
    found: dict[str, type] = {}
    for module in modules:
        for name, value in vars(module).items():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if (
                _is_frozen_dataclass(value)
                or _is_named_tuple(value)
                or issubclass(value, enum.Enum)
            ):
                found[f"{module.__name__}.{name}"] = value
    return tuple(found[name] for name in sorted(found))


def _plain(hint: object) -> bool:
    """A value marshal gives back exactly as it was: builtins and tuples of them."""
    if hint in _PLAIN:
        return True
    known = _PLAIN_HINTS.get(hint)
    if known is None:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        plain = origin is tuple or origin in (typing.Union, types.UnionType)
        known = _PLAIN_HINTS[hint] = plain and all(arg is Ellipsis or _plain(arg) for arg in args)
    return known


# What building a codec works out from the record types alone, kept for the next codec of
# the same process: a run that re-checks an edited file builds model's codec to encode its
# facts, then the full one (model's records again, and the graph's and simulation's) to
# read the stored results. Each of the three costs about a third of a build (~7 ms).
_PLAIN_HINTS: dict[object, bool] = {}
_HINTS: dict[type, dict[str, object]] = {}
_COMPILED: dict[str, types.CodeType] = {}


def _hints(cls: type) -> dict[str, object]:
    """`typing.get_type_hints(cls)`, once per process."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _define(source: str, namespace: dict[str, object]) -> None:
    """exec(source, namespace), compiling each source once per process."""
    code = _COMPILED.get(source)
    if code is None:
        code = _COMPILED[source] = compile(source, "<codec>", "exec")
    exec(code, namespace)  # generated from the records' own annotations


class _Spelling(NamedTuple):
    """How one direction (encoding or decoding) writes each kind of value, as source."""

    enum: str
    record: str
    plain_named_tuple: str
    named_tuple: str
    union: str
    frozenset: str
    other: str


_ENCODING = _Spelling(
    enum="{var}.value",
    record="E{index}({var})",
    plain_named_tuple="tuple({var})",
    named_tuple="({parts},)",
    union="encode({var})",  # tagged: [type index, *fields]
    frozenset=f"([{_SET}, *sorted({{var}})] if {{var}} else [{_SET}])",
    other="encode({var})",
)
_DECODING = _Spelling(
    enum="M{index}[{var}]",
    record="D{index}({var})",
    plain_named_tuple="new(C{index}, {var})",
    named_tuple="new(C{index}, ({parts},))",
    union="decoders[{var}[0]]({var})",
    frozenset="frozenset({var}[1:])",
    other="decode({var})",
)


def _dispatch_encoder(encoders: dict[type, Encoder]) -> Encoder:
    def encode(value: object) -> object:
        kind = type(value)
        if kind in _PLAIN:
            return value
        encoder = encoders.get(kind)
        if encoder is not None:
            return encoder(value)
        if kind is tuple:
            return tuple([encode(item) for item in value])  # type: ignore[attr-defined]
        if kind is frozenset:
            return [_SET, *sorted(cast(frozenset[str], value))]
        raise TypeError(f"cannot encode {kind.__name__} in the facts cache")

    return encode


def _dispatch_decoder(decoders: dict[int, Decoder]) -> Callable[[object], object]:
    def decode(value: object) -> object:
        kind = type(value)
        if kind is list:
            items: list[object] = value  # type: ignore[assignment]
            return decoders[items[0]](items)  # type: ignore[index]
        if kind is tuple:
            return tuple([decode(item) for item in value])  # type: ignore[attr-defined]
        return value

    return decode


def _set_decoder(v: list[object]) -> object:
    return frozenset(v[1:])


class Codec:
    """Encodes and decodes the given record types (and builtins, tuples, frozensets)."""

    def __init__(self, records: Iterable[type]) -> None:
        self._types = tuple(records)
        self._index = {cls: index for index, cls in enumerate(self._types)}
        self._fields: dict[type, tuple[str, ...]] = {
            cls: tuple(f.name for f in dataclasses.fields(cls))
            if dataclasses.is_dataclass(cls)
            else cls._fields  # type: ignore[attr-defined]
            for cls in self._types
            if not issubclass(cls, enum.Enum)
        }
        self._hints = {cls: _hints(cls) for cls in self._fields}
        # Per record type, which fields need encoding; the others go to marshal as they are
        # (the workers encode every file, and most fields are ints and strings).
        self._mask = {
            cls: tuple(not _plain(self._hints[cls][name]) for name in fields)
            for cls, fields in self._fields.items()
        }
        encoders: dict[type, Encoder] = {}
        decoders: dict[int, Decoder] = {_SET: _set_decoder}
        #: A record (or builtins holding records) as builtins marshal can write.
        self.encode = _dispatch_encoder(encoders)
        #: The inverse of `encode`; raises ValueError (or a LookupError) for foreign data.
        self.decode = _dispatch_decoder(decoders)
        self._trusted: Callable[[object], object] | None = None
        self._build(encoders, decoders)

    def _build(self, encoders: dict[type, Encoder], decoders: dict[int, Decoder]) -> None:
        encoding: dict[str, object] = {"encode": self.encode}
        for index, cls in enumerate(self._types):
            if issubclass(cls, enum.Enum):
                encoders[cls] = lambda v, index=index: [index, cast(enum.Enum, v).value]  # type: ignore[misc]
            else:
                encoders[cls] = self._record_encoder(cls, index, encoding)
                encoding[f"E{index}"] = encoders[cls]
        self._decoders(decoders, self.decode, checked=True)

    def _decoders(
        self, decoders: dict[int, Decoder], decode: Callable[[object], object], *, checked: bool
    ) -> None:
        """Fill `decoders` with each record type's decoder (`decode`: their dispatch)."""
        decoding: dict[str, object] = {
            "decode": decode,
            "new": tuple.__new__,
            "decoders": decoders,
            "join": "".join,
        }
        for index, cls in enumerate(self._types):
            decoding[f"C{index}"] = cls
            if issubclass(cls, enum.Enum):
                members = {member.value: member for member in cls}
                decoding[f"M{index}"] = members
                decoders[index] = lambda v, members=members: members[v[1]]  # type: ignore[misc]
        for index, cls in enumerate(self._types):
            if cls in self._fields and not _is_named_tuple(cls):
                decoders[index] = self._record_decoder(cls, index, decoding, checked)

    def decode_trusted(self, value: object) -> object:
        """`decode` without checking the length and type of each record's fields: only for
        what this process's own code encoded (a pool worker's facts, sent down a pipe), never
        for a file read back from disk, which may be forged or damaged. Several times quicker
        for a large tree's facts (docs/decisions.md, issue 20, session 13)."""
        trusted = self._trusted
        if trusted is None:
            decoders: dict[int, Decoder] = {_SET: _set_decoder}
            trusted = self._trusted = _dispatch_decoder(decoders)
            self._decoders(decoders, trusted, checked=False)
        return trusted(value)

    def _record_encoder(self, cls: type, index: int, namespace: dict[str, object]) -> Encoder:
        # Enum fields are stored as their value and named tuples untagged: the field's type
        # says how to decode them. A value of a union type (an Event) is tagged by `encode`.
        fields = ", ".join(
            self._expr(self._hints[cls][name], f"v.{name}", 0, _ENCODING)
            for name in self._fields[cls]
        )
        body = f"({fields},)" if _is_named_tuple(cls) else f"[{index}, {fields}]"
        _define(f"def E{index}(v):\n    return {body}\n", namespace)
        return cast(Encoder, namespace[f"E{index}"])

    def _record_decoder(
        self, cls: type, index: int, namespace: dict[str, object], checked: bool
    ) -> Decoder:
        fields = self._fields[cls]
        build = self._construction(cls, index, self._field_values(cls), namespace)
        if not checked:
            _define(f"def D{index}(v):\n{build}", namespace)
            return cast(Decoder, namespace[f"D{index}"])
        size = len(fields)
        # A cache file with a valid checksum can still hold values of the wrong type (a
        # forged or foreign file): each field's type is checked before it is trusted.
        checks = [
            check
            for i, name in enumerate(fields, 1)
            if (check := self._check(self._hints[cls][name], f"v[{i}]")) is not None
        ]
        wrong = " or ".join(f"not ({check})" for check in checks) or "False"
        source = (
            f"def D{index}(v):\n"
            f"    if len(v) != {size + 1}:\n"
            f"        raise ValueError('record {index} has {{len(v) - 1}} fields, not {size}')\n"
            f"    if {wrong}:\n"
            f"        raise ValueError('record {index} holds a value of the wrong type')\n"
            f"{build}"
        )
        _define(source, namespace)
        return cast(Decoder, namespace[f"D{index}"])

    def _construction(
        self, cls: type, index: int, values: list[str], namespace: dict[str, object]
    ) -> str:
        """The decoder's last lines, which make the record from `args` (its fields' decoded
        values, as source). A slotted dataclass without `__post_init__` is made empty and
        each slot set through its descriptor: what its generated frozen `__init__` does, at
        about half the cost (0.48 against 0.90 µs for an `Access`)."""
        fields = self._fields[cls]
        slots = [getattr(cls, name, None) for name in fields]
        if (
            not fields
            or hasattr(cls, "__post_init__")
            or not all(isinstance(slot, types.MemberDescriptorType) for slot in slots)
        ):
            return f"    return C{index}({', '.join(values)})\n"
        namespace["make"] = object.__new__
        for i, slot in enumerate(slots):
            namespace[f"S{index}_{i}"] = cast(types.MemberDescriptorType, slot).__set__
        sets = "".join(f"    S{index}_{i}(o, {value})\n" for i, value in enumerate(values))
        return f"    o = make(C{index})\n{sets}    return o\n"

    def _field_values(self, cls: type) -> list[str]:
        """Source decoding each field of a record `v` of type `cls`."""
        return [
            self._expr(self._hints[cls][name], f"v[{i}]", 0, _DECODING)
            for i, name in enumerate(self._fields[cls], 1)
        ]

    def _check(self, hint: object, var: str) -> str | None:
        """Python source that is true when the encoded `var` has the shape `hint` encodes to
        (None: nothing cheap to check here; a nested record checks its own fields)."""
        if hint is bool:
            return f"{var} is True or {var} is False"
        if hint in _PLAIN:
            return f"{var} is None" if hint is _NONE else f"type({var}) is {hint.__name__}"  # type: ignore[attr-defined]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            alternatives = [self._check(arg, var) for arg in args]
            if any(alternative is None for alternative in alternatives):
                return None
            return " or ".join(f"({alternative})" for alternative in alternatives)
        if origin is tuple or (isinstance(hint, type) and _is_named_tuple(hint)):
            return self._tuple_check(hint, args, var)
        if origin is frozenset:
            items = self._items_check(args[0] if args else object, f"{var}[1:]")
            return f"type({var}) is list and {var}[:1] == [{_SET}]{items}"
        if origin is dict:
            return f"type({var}) is dict"
        if isinstance(hint, type) and hint in self._fields:
            return f"type({var}) is list"  # a record: its decoder checks its fields
        return None

    def _items_check(self, hint: object, var: str) -> str:
        """The check of every item of the sequence `var` (" and ..."; "" when unchecked)."""
        if hint is str:
            # Most sets and tuples hold names: `"".join` checks them all in C (TypeError on
            # anything else; decoding turns that into a miss) where a generator costs ~5x.
            return f" and join({var}) is not None"
        item = self._check(hint, "x") if _plain(hint) else None
        return "" if item is None else f" and all({item} for x in {var})"

    def _tuple_check(self, hint: object, args: tuple[object, ...], var: str) -> str:
        """The check of a tuple field, or of a named tuple, which is stored as one."""
        check = f"type({var}) is tuple"
        if isinstance(hint, type) and _is_named_tuple(hint):
            args = tuple(self._hints[hint][name] for name in self._fields[hint])
        if len(args) == 2 and args[1] is Ellipsis:
            return check + self._items_check(args[0], var)
        parts = [self._check(arg, f"{var}[{i}]") for i, arg in enumerate(args)]
        fields = "".join(f" and ({part})" for part in parts if part is not None)
        return f"{check} and len({var}) == {len(args)}{fields}"

    def _expr(self, hint: object, var: str, depth: int, spelling: _Spelling) -> str:
        """Python source that encodes or decodes `var`, of type `hint`, without dispatching
        on the value's type at run time wherever the annotation already says it."""
        if _plain(hint):
            return var
        if isinstance(hint, type) and hint in self._index:
            return self._record_expr(hint, var, depth, spelling)
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            others = [arg for arg in args if arg is not _NONE]
            if len(others) == 1:
                inner = self._expr(others[0], var, depth, spelling)
                return f"(None if {var} is None else {inner})"
            if not all(dataclasses.is_dataclass(arg) for arg in others):
                raise TypeError(f"only dataclasses are told apart in a union, not in {hint}")
            return spelling.union.format(var=var)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = f"x{depth}"
            inner = self._expr(args[0], item, depth + 1, spelling)
            # Most such fields are empty, and a comprehension costs a call even then.
            return f"(tuple([{inner} for {item} in {var}]) if {var} else ())"
        if origin is tuple:
            parts = ", ".join(
                self._expr(arg, f"{var}[{i}]", depth, spelling) for i, arg in enumerate(args)
            )
            return f"({parts},)"
        if origin is frozenset and all(_plain(arg) for arg in args):
            return spelling.frozenset.format(var=var)
        if origin is dict and _plain(args[0]):
            key, item = f"k{depth}", f"x{depth}"
            inner = self._expr(args[1], item, depth + 1, spelling)
            return f"{{{key}: {inner} for {key}, {item} in {var}.items()}}"
        return spelling.other.format(var=var)

    def _record_expr(self, hint: type, var: str, depth: int, spelling: _Spelling) -> str:
        index = self._index[hint]
        if issubclass(hint, enum.Enum):
            return spelling.enum.format(index=index, var=var)
        if not _is_named_tuple(hint):
            return spelling.record.format(index=index, var=var)
        if not any(self._mask[hint]):
            return spelling.plain_named_tuple.format(index=index, var=var)
        parts = ", ".join(
            self._expr(self._hints[hint][name], f"{var}[{i}]", depth, spelling)
            for i, name in enumerate(self._fields[hint])
        )
        return spelling.named_tuple.format(index=index, var=var, parts=parts)


class LazyCodec:
    """A Codec built, and the modules that `records` imports imported, on first use."""

    def __init__(self, records: Callable[[], Iterable[type]]) -> None:
        self._records = records
        self.built: Codec | None = None

    def encode(self, value: object) -> object:
        """`Codec.encode`."""
        return self._build().encode(value)

    def decode(self, value: object) -> object:
        """`Codec.decode`."""
        return self._build().decode(value)

    def decode_trusted(self, value: object) -> object:
        """`Codec.decode_trusted`: only for what this process's own code encoded."""
        return self._build().decode_trusted(value)

    def _build(self) -> Codec:
        if self.built is None:
            self.built = Codec(self._records())
        return self.built
