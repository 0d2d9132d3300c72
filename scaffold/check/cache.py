"""The on-disk facts cache: file stat → content hash → ModuleFacts, plus the last report.

One file per checked folder under `.scaffold_cache/` at the project root holds a stat index
(path → size, mtime_ns, content hash), the encoded facts of each content hash, and the
diagnostics of the last run with the digest of everything they depend on. Anything that
cannot be read or trusted is a miss, never an error.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import marshal
import os
import sys
import time
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, cast

import scaffold
from scaffold.check import model as _model
from scaffold.check.discover import Folder, SourceFile, Tree
from scaffold.check.imports import graph as _graph
from scaffold.check.imports import simulation as _simulation
from scaffold.check.model import Diagnostic, ModuleFacts
from scaffold.check.rules import registry as _registry
from scaffold.files import write_atomically

__all__ = [
    "CACHE_DIR",
    "FactsCache",
    "LazyFacts",
    "content_digest",
    "decode_facts",
    "decode_value",
    "encode_facts",
    "encode_value",
]

CACHE_DIR = ".scaffold_cache"
# Bump when the layout of the cache file changes (the fingerprint covers the analyser code).
_FORMAT = b"scaffold-check-cache/2\n"
_DIGEST_SIZE = 16
# A file modified this close to when the index was written may change again within the same
# mtime tick without its stat changing; such entries are re-hashed on the next run.
_RACY_NS = 2_000_000_000
_GITIGNORE = b"# Created by scaffold check: a cache, never commit it.\n*\n"

Stat = tuple[int, int]  # (size, mtime_ns)


def content_digest(data: bytes) -> bytes:
    """The key a file's facts are stored under."""
    return hashlib.blake2b(data, digest_size=_DIGEST_SIZE).digest()


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _record_types() -> tuple[type, ...]:
    # Every record a ModuleFacts, Diagnostic or stored rule result can hold, in a stable
    # order: dataclasses, named tuples and enums.
    found: dict[str, type] = {}
    for module in (_model, _graph, _simulation, _registry):
        for name, value in vars(module).items():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if (
                dataclasses.is_dataclass(value)
                or _is_named_tuple(value)
                or issubclass(value, enum.Enum)
            ):
                found[f"{module.__name__}.{name}"] = value
    return tuple(found[name] for name in sorted(found))


_TYPES = _record_types()
_TYPE_INDEX = {cls: index for index, cls in enumerate(_TYPES)}
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls))
    if dataclasses.is_dataclass(cls)
    else cls._fields  # type: ignore[attr-defined]
    for cls in _TYPES
    if not issubclass(cls, enum.Enum)
}
_HINTS: dict[type, dict[str, object]] = {cls: typing.get_type_hints(cls) for cls in _FIELDS}
_NONE = type(None)
_PLAIN = frozenset({str, int, bool, float, bytes, _NONE})
# A frozenset is encoded as [_SET, *sorted items]: marshal writes a frozenset in iteration
# order, which depends on the per-process string hash, and equal facts must encode to equal
# bytes (the report is keyed by a digest of the encoded facts).
_SET = -1


def _plain(hint: object) -> bool:
    """A value marshal gives back exactly as it was: builtins and tuples of them."""
    if hint in _PLAIN:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple or origin in (typing.Union, types.UnionType):
        return all(arg is Ellipsis or _plain(arg) for arg in args)
    return False


# Per record type, which fields need encoding; the others go to marshal as they are (the
# workers encode every file, and most fields are ints and strings).
_ENCODE_MASK: dict[type, tuple[bool, ...]] = {
    cls: tuple(not _plain(_HINTS[cls][name]) for name in fields) for cls, fields in _FIELDS.items()
}

# --- encoding -----------------------------------------------------------------------------------
#
# A dataclass record is encoded as the list [type index, *fields] (records hold tuples and
# frozensets, never lists, so a list marks a record), an enum as [type index, value]. A
# named tuple (Span, ImportedName: the most numerous records) is a plain tuple of its
# fields: it is only ever decoded where its type is known from an annotation.


def _encode(value: object) -> object:
    kind = type(value)
    if kind in _PLAIN:
        return value
    encoder = _ENCODERS.get(kind)
    if encoder is not None:
        return encoder(value)
    if kind is tuple:
        return tuple([_encode(item) for item in value])  # type: ignore[attr-defined]
    if kind is frozenset:
        return [_SET, *sorted(cast(frozenset[str], value))]
    raise TypeError(f"cannot encode {kind.__name__} in the facts cache")


_ENCODER_NAMESPACE: dict[str, object] = {"encode": _encode}


def _record_encoder(cls: type, index: int) -> Callable[[object], object]:
    # Enum fields are stored as their value and named tuples untagged: the field's type
    # says how to decode them. A value of a union type (an Event) is tagged by `_encode`.
    fields = ", ".join(
        _codec_expr(_HINTS[cls][name], f"v.{name}", 0, _ENCODING) for name in _FIELDS[cls]
    )
    body = f"({fields},)" if _is_named_tuple(cls) else f"[{index}, {fields}]"
    exec(f"def E{index}(v):\n    return {body}\n", _ENCODER_NAMESPACE)  # from the annotations
    return cast(Callable[[object], object], _ENCODER_NAMESPACE[f"E{index}"])


def _enum_encoder(index: int) -> Callable[[object], object]:
    return lambda v: [index, cast(enum.Enum, v).value]


# --- decoding -----------------------------------------------------------------------------------
#
# Decoding is most of a run that re-checks a few files but simulates the whole project, so
# each record type gets a straight-line decoder written from its field annotations: a
# `tuple[ImportFact, ...]` field becomes one list comprehension calling ImportFact's decoder
# directly, a `Where` field one dictionary lookup, a Span one C call, a field of builtins
# nothing at all. Only a union of records (an Event) goes through the `_decode` dispatch.


def _decode(value: object) -> object:
    kind = type(value)
    if kind is list:
        items: list[object] = value  # type: ignore[assignment]
        return _DECODERS[items[0]](items)  # type: ignore[index]
    if kind is tuple:
        return tuple([_decode(item) for item in value])  # type: ignore[attr-defined]
    return value


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
    frozenset=f"[{_SET}, *sorted({{var}})]",
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


def _codec_expr(hint: object, var: str, depth: int, spelling: _Spelling) -> str:
    """Python source that encodes or decodes `var`, of type `hint`, without dispatching on
    the value's type at run time wherever the annotation already says it."""
    if _plain(hint):
        return var
    if isinstance(hint, type) and hint in _TYPE_INDEX:
        index = _TYPE_INDEX[hint]
        if issubclass(hint, enum.Enum):
            return spelling.enum.format(index=index, var=var)
        if not _is_named_tuple(hint):
            return spelling.record.format(index=index, var=var)
        if not any(_ENCODE_MASK[hint]):
            return spelling.plain_named_tuple.format(index=index, var=var)
        parts = ", ".join(
            _codec_expr(_HINTS[hint][name], f"{var}[{i}]", depth, spelling)
            for i, name in enumerate(_FIELDS[hint])
        )
        return spelling.named_tuple.format(index=index, var=var, parts=parts)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        others = [arg for arg in args if arg is not _NONE]
        if len(others) == 1:
            inner = _codec_expr(others[0], var, depth, spelling)
            return f"(None if {var} is None else {inner})"
        if not all(dataclasses.is_dataclass(arg) for arg in others):
            raise TypeError(f"only dataclasses are told apart in a union, not in {hint}")
        return spelling.union.format(var=var)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = f"x{depth}"
        inner = _codec_expr(args[0], item, depth + 1, spelling)
        return f"tuple([{inner} for {item} in {var}])"
    if origin is tuple:
        parts = ", ".join(
            _codec_expr(arg, f"{var}[{i}]", depth, spelling) for i, arg in enumerate(args)
        )
        return f"({parts},)"
    if origin is frozenset and all(_plain(arg) for arg in args):
        return spelling.frozenset.format(var=var)
    if origin is dict and _plain(args[0]):
        key, item = f"k{depth}", f"x{depth}"
        inner = _codec_expr(args[1], item, depth + 1, spelling)
        return f"{{{key}: {inner} for {key}, {item} in {var}.items()}}"
    return spelling.other.format(var=var)


_NAMESPACE: dict[str, object] = {"decode": _decode, "new": tuple.__new__}
_DECODERS: dict[int, Callable[[list[object]], object]] = {}
_NAMESPACE["decoders"] = _DECODERS


def _record_decoder(cls: type, index: int) -> Callable[[list[object]], object]:
    fields = _FIELDS[cls]
    args = ", ".join(
        _codec_expr(_HINTS[cls][name], f"v[{i}]", 0, _DECODING) for i, name in enumerate(fields, 1)
    )
    source = (
        f"def D{index}(v):\n"
        f"    if len(v) != {len(fields) + 1}:\n"
        f"        raise ValueError('record {index} has {{len(v) - 1}} fields, not {len(fields)}')\n"
        f"    return C{index}({args})\n"
    )
    exec(source, _NAMESPACE)  # generated from the record's own annotations
    return cast(Callable[[list[object]], object], _NAMESPACE[f"D{index}"])


def _set_decoder(v: list[object]) -> object:
    return frozenset(v[1:])


_DECODERS[_SET] = _set_decoder
_ENCODERS: dict[type, Callable[[object], object]] = {}
for _index, _cls in enumerate(_TYPES):
    _NAMESPACE[f"C{_index}"] = _cls
    if issubclass(_cls, enum.Enum):
        _members = {member.value: member for member in _cls}
        _NAMESPACE[f"M{_index}"] = _members
        _DECODERS[_index] = lambda v, members=_members: members[v[1]]  # type: ignore[misc]
        _ENCODERS[_cls] = _enum_encoder(_index)
    else:
        _ENCODERS[_cls] = _record_encoder(_cls, _index)
        _ENCODER_NAMESPACE[f"E{_index}"] = _ENCODERS[_cls]
for _index, _cls in enumerate(_TYPES):
    if _cls in _FIELDS and not _is_named_tuple(_cls):
        _DECODERS[_index] = _record_decoder(_cls, _index)


def encode_value(value: object) -> object:
    """Records (facts, findings, edges) as builtins marshal can write; see `decode_value`."""
    return _encode(value)


def decode_value(value: object) -> object:
    """The inverse of `encode_value`; raises ValueError (or a LookupError) for foreign data."""
    return _decode(value)


def encode_facts(facts: ModuleFacts) -> bytes:
    """ModuleFacts as marshal bytes of builtins: compact, and fast to load."""
    return marshal.dumps(_encode(facts))  # type: ignore[arg-type]


def decode_facts(data: bytes) -> ModuleFacts:
    """The inverse of `encode_facts`; raises ValueError for data it did not write."""
    try:
        facts = _decode(marshal.loads(data))
    except (EOFError, TypeError, IndexError, KeyError, ValueError) as exc:
        raise ValueError(f"bad cache entry: {exc}") from exc
    if not isinstance(facts, ModuleFacts):
        raise ValueError("bad cache entry: not a ModuleFacts")
    return facts


def _fingerprint() -> bytes:
    """What the cached facts and reports depend on besides the files: the analyser itself.

    The version alone is not enough while the checker is developed (or patched in place),
    so the source of every module of `scaffold.check` counts too; reading them is cheap.
    """
    digest = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    digest.update(_FORMAT)
    digest.update(f"{scaffold.__version__}\0{sys.version}\0{sys.implementation.name}".encode())
    package = Path(_model.__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.digest()


def cache_root(tree: Tree) -> Path:
    """The project root: the folder of the pyproject.toml that configures PATH, else PATH."""
    for config in tree.configs:
        if config.pyproject is not None and tree.base.is_relative_to(config.directory):
            return config.directory
    return tree.base


def _cache_file(tree: Tree) -> Path:
    # One file per checked folder, so checking a subfolder never evicts the whole project.
    name = hashlib.blake2b(os.fsencode(tree.base), digest_size=8).hexdigest()
    return cache_root(tree) / CACHE_DIR / f"check-{name}.bin"


class FactsCache:
    """The cache of one checked folder for one run; `save()` writes it back atomically."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.fingerprint = _fingerprint()
        self._index: dict[str, tuple[int, int, bytes]] = {}
        self._loaded_index: dict[str, tuple[int, int, bytes]] = {}
        self._entries: dict[bytes, bytes] = {}
        self._result: tuple[bytes, bytes] | None = None
        self._analysis: bytes | None = None
        self._stats: dict[str, Stat | None] = {}
        self._facts_digests: dict[str, bytes | None] = {}
        self._structure: dict[tuple[int, tuple[object, ...]], bytes] = {}
        self._dirty = False

    @classmethod
    def open(cls, tree: Tree) -> FactsCache:
        """Load the cache file of `tree`; a missing, stale or corrupt one starts empty."""
        cache = cls(_cache_file(tree))
        cache._load()
        return cache

    def _load(self) -> None:
        assert self.path is not None
        try:
            blob = self.path.read_bytes()
        except OSError:
            return
        head = len(_FORMAT) + _DIGEST_SIZE
        if not blob.startswith(_FORMAT) or len(blob) < head:
            return
        # The checksum keeps a truncated or garbled file away from marshal entirely.
        payload = blob[head:]
        if hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() != blob[len(_FORMAT) : head]:
            return
        try:
            fingerprint, index, entries, result, analysis = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return
        if fingerprint != self.fingerprint:
            return
        if isinstance(index, dict) and isinstance(entries, dict):
            self._index = index
            self._loaded_index = dict(index)
            self._entries = entries
        if isinstance(result, tuple) and len(result) == 2:
            self._result = result
        if isinstance(analysis, bytes):
            self._analysis = analysis

    def stat(self, source: SourceFile) -> Stat | None:
        """(size, mtime_ns) of a file, once per run; None when it cannot be stat'ed."""
        key = str(source.path)
        if key not in self._stats:
            try:
                info = os.stat(source.path)
            except OSError:
                self._stats[key] = None
            else:
                self._stats[key] = (info.st_size, info.st_mtime_ns)
        return self._stats[key]

    def known_digest(self, source: SourceFile) -> bytes | None:
        """The content hash of an unchanged file, from the stat index alone (no read)."""
        entry = self._index.get(str(source.path))
        stat = self.stat(source)
        if entry is None or stat is None or entry[:2] != stat:
            return None
        return entry[2]

    def encoded(self, source: SourceFile) -> bytes | None:
        """The cached encoded facts of a file, or None when it must be parsed.

        An unchanged stat means an unchanged file (no read). A known file whose stat changed
        (touched, checked out again, or too recent to trust its mtime) is read and hashed:
        identical content still needs no parse.
        """
        digest = self.known_digest(source)
        stat = self.stat(source)
        if digest is None and stat is not None and str(source.path) in self._index:
            try:
                digest = content_digest(source.path.read_bytes())
            except OSError:
                return None
            if _entry_key(digest, source.is_package) in self._entries:
                self._index[str(source.path)] = (*stat, digest)
                self._dirty = True
        if digest is None:
            return None
        return self._entries.get(_entry_key(digest, source.is_package))

    def previous_encoded(self, source: SourceFile) -> bytes | None:
        """The encoded facts the file had when the cache was last written, if any."""
        entry = self._loaded_index.get(str(source.path))
        if entry is None:
            return None
        return self._entries.get(_entry_key(entry[2], source.is_package))

    def facts(self, source: SourceFile) -> ModuleFacts | None:
        """The cached facts of a file (see `encoded`), or None when it must be parsed."""
        encoded = self.encoded(source)
        if encoded is None:
            return None
        try:
            return decode_facts(encoded)
        except ValueError:
            return None

    def store(self, source: SourceFile, digest: bytes, encoded: bytes, stat: Stat) -> None:
        """Remember the facts of a file just parsed; `stat` is from before it was read."""
        self._index[str(source.path)] = (*stat, digest)
        self._entries[_entry_key(digest, source.is_package)] = encoded
        self._facts_digests.pop(source.key, None)
        self._dirty = True

    def facts_digest(self, source: SourceFile) -> bytes | None:
        """The digest of a file's encoded facts (None: not cached), once per run."""
        key = source.key
        if key not in self._facts_digests:
            encoded = b"extension" if source.is_extension else self.encoded(source)
            self._facts_digests[key] = None if encoded is None else content_digest(encoded)
        return self._facts_digests[key]

    def structure_key(self, tree: Tree, options: Sequence[object]) -> bytes:
        """Digest of what results depend on besides the facts: the analyser, the options,
        the configuration, and which files and folders there are (not what they hold)."""
        memo = (id(tree), tuple(options))
        if memo not in self._structure:
            self._structure[memo] = self._structure_key(tree, options)
        return self._structure[memo]

    def _structure_key(self, tree: Tree, options: Sequence[object]) -> bytes:
        digest = hashlib.blake2b(self.fingerprint, digest_size=_DIGEST_SIZE)
        digest.update(repr((tree.base, tree.roots, tuple(options))).encode())
        for config in tree.configs:
            digest.update(repr((config.directory, config.pyproject)).encode())
            if config.pyproject is not None:
                try:
                    digest.update(config.pyproject.read_bytes())
                except OSError:
                    digest.update(b"\0unreadable")
        for source in tree.files:
            digest.update(_describe(source, b""))
        for folder in tree.folders:
            digest.update(_describe(folder, b""))
        return digest.digest()

    def report_key(self, tree: Tree, options: Sequence[object]) -> bytes | None:
        """Digest of everything a report depends on, or None when a file's facts are unknown.

        A file counts by its encoded facts, not its bytes: the rules see only facts, so an
        edit that leaves them equal (a comment, a change inside a function body that moves
        no line) keeps the report.
        """
        digest = hashlib.blake2b(self.structure_key(tree, options), digest_size=_DIGEST_SIZE)
        for source in tree.files:
            facts_digest = self.facts_digest(source)
            if facts_digest is None:
                return None
            digest.update(facts_digest)
        return digest.digest()

    def report(self, key: bytes | None) -> list[Diagnostic] | None:
        """The diagnostics stored under `key` by an earlier run, if any."""
        if key is None or self._result is None or self._result[0] != key:
            return None
        try:
            value = _decode(marshal.loads(self._result[1]))
        except (EOFError, TypeError, IndexError, KeyError, ValueError):
            return None
        if not isinstance(value, tuple) or not all(isinstance(d, Diagnostic) for d in value):
            return None
        return list(value)

    def store_report(self, key: bytes | None, diagnostics: Iterable[Diagnostic]) -> None:
        """Remember a report for the next run with the same inputs."""
        if key is None:
            return
        self._result = (key, marshal.dumps(_encode(tuple(diagnostics))))  # type: ignore[arg-type]
        self._dirty = True

    @property
    def analysis(self) -> bytes | None:
        """What the last run stored for reuse (see scaffold.check.incremental), if anything."""
        return self._analysis

    def store_analysis(self, blob: bytes) -> None:
        """Keep what this run's rules found, for the next run to reuse."""
        self._analysis = blob
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically (temp file + os.replace); a failure only loses it."""
        if self.path is None or not self._dirty:
            return
        now = time.time_ns()
        index: dict[str, tuple[int, int, bytes]] = {}
        for path, (size, mtime_ns, digest) in self._index.items():
            # An mtime of -1 never matches, so a racy file is hashed again next time; its
            # facts stay cached under the hash, so it is not parsed again.
            index[path] = (size, mtime_ns if now - mtime_ns > _RACY_NS else -1, digest)
        live = {digest for _, _, digest in index.values()}
        entries = {k: v for k, v in self._entries.items() if k[:_DIGEST_SIZE] in live}
        payload = marshal.dumps((self.fingerprint, index, entries, self._result, self._analysis))
        checksum = hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                write_atomically(ignore, _GITIGNORE)
            write_atomically(self.path, _FORMAT + checksum + payload)
        except OSError:
            return
        self._dirty = False


def _describe(item: SourceFile | Folder, content: bytes) -> bytes:
    # Every field a rule may read, with the config named by its folder (the config's own
    # content is covered by its pyproject.toml's bytes).
    values = [getattr(item, name) for name in _DESCRIBED[type(item)]]
    return repr((values, item.config.directory)).encode() + content


_DESCRIBED = {
    cls: tuple(f.name for f in dataclasses.fields(cls) if f.name != "config")
    for cls in (SourceFile, Folder)
}


def _entry_key(digest: bytes, is_package: bool) -> bytes:
    # The facts of an `__init__` hold more (the names it reads), so the same content parsed
    # as a package and as a module are two entries.
    return digest + (b"P" if is_package else b"M")


class LazyFacts(Mapping[str, ModuleFacts]):
    """The facts of every file of a tree, decoded from the cache only when something asks.

    A run that reuses most of the last one's results reads the facts of a few files only;
    decoding all of them would be most of its time. `fallback` parses a file whose cache
    entry cannot be decoded.
    """

    def __init__(
        self,
        cache: FactsCache,
        files: Iterable[SourceFile],
        known: Mapping[str, ModuleFacts],
        fallback: Callable[[SourceFile], ModuleFacts],
    ) -> None:
        self._cache = cache
        self._sources = {source.key: source for source in files if not source.is_extension}
        self._decoded = dict(known)
        self._fallback = fallback

    def __getitem__(self, key: str) -> ModuleFacts:
        try:
            return self._decoded[key]
        except KeyError:
            pass
        source = self._sources[key]
        facts = self._cache.facts(source)
        if facts is None:
            facts = self._fallback(source)
        self._decoded[key] = facts
        return facts

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)
