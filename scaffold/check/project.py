"""First-party module resolution, the names each module binds, and star-import expansion."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from keyword import iskeyword
from typing import TypeVar

from scaffold.check.discover import SourceFile, Tree
from scaffold.check.model import ImportFact, ModuleFacts, Span, Where

__all__ = ["MODULE_ATTRIBUTES", "Asks", "Project", "Target"]

_T = TypeVar("_T")

# Every module has these without binding them.
MODULE_ATTRIBUTES = frozenset(
    {
        "__doc__",
        "__name__",
        "__file__",
        "__spec__",
        "__loader__",
        "__package__",
        "__builtins__",
        "__dict__",
        "__cached__",
        "__annotations__",
    }
)


_INIT = ".__init__"


def _init_module(name: str, modules: Mapping[str, SourceFile]) -> Target | None:
    """`pkg.__init__` (`name`) when `pkg` is a regular package among `modules`: the import
    system finds `__init__.py` in the package's folder like any module file."""
    package = modules.get(name[: -len(_INIT)])
    if package is None or not package.is_package:
        return None
    return Target(name, package)


# What `can_import` answered, by (module, scope): the files the answers were taken from,
# and each name's answer.
Asks = dict[tuple[str, str], tuple[set[str], dict[str, "bool | None"]]]


@dataclass(frozen=True, slots=True)
class Target:
    """What an import resolved to: a first-party file, or a namespace package (file None)."""

    name: str
    file: SourceFile | None

    @property
    def is_init_module(self) -> bool:
        """`pkg.__init__`: a package's `__init__.py` imported again as a plain module of that
        name (CPython runs the file a second time; the module is no package)."""
        return self.file is not None and self.name != self.file.module


# Entered for every simulated import run of a cached check: a third of a generator's cost.
class _Recording:
    """`Project.recording()`: a record of reads on top of the open ones while it lasts;
    on leaving, what it recorded counts as read by the block around it too."""

    __slots__ = ("open", "record")

    def __init__(self, open_records: list[set[str]]) -> None:
        self.open = open_records
        self.record: set[str] = set()

    def __enter__(self) -> set[str]:
        self.open.append(self.record)
        return self.record

    def __exit__(self, *exc_info: object) -> None:
        self.open.pop()
        if self.open:
            self.open[-1] |= self.record


class _Reads(Mapping[str, ModuleFacts]):
    """The facts of every file, noting which files' facts a rule reads (see Project.recording)."""

    def __init__(self, facts: Mapping[str, ModuleFacts], open_records: list[set[str]]) -> None:
        self._facts = facts
        self._open = open_records

    def __getitem__(self, key: str) -> ModuleFacts:
        if self._open:
            self._open[-1].add(key)
        return self._facts[key]

    def get(self, key: str, default: object = None) -> ModuleFacts | None:  # type: ignore[override]
        if self._open:
            self._open[-1].add(key)
        return self._facts.get(key, default)  # type: ignore[arg-type]

    def __contains__(self, key: object) -> bool:
        if self._open and isinstance(key, str):
            self._open[-1].add(key)
        return key in self._facts

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def values(self) -> ValuesView[ModuleFacts]:
        if self._open:  # all read at once: asked_in over every file (a first run) made a call each
            self._open[-1].update(self._facts)
        return self._facts.values()


class Project:
    """The resolved first-party world: every module by name, and what names each one binds.

    Every read of another file's facts goes through `self.facts`, so `recording()` can tell
    which files a rule's result depends on; the names memoised per module carry the files
    they were computed from, and a later reader inherits them.
    """

    def __init__(
        self,
        files: Iterable[SourceFile],
        facts: Mapping[str, ModuleFacts],
        folders: Iterable[str] = (),
        roots: Iterable[str] = (),
    ) -> None:
        """`folders` are the dotted names of every folder: any of them imports as a namespace;
        `roots` the source roots, deepest first, which place script folders (`portion_of`)."""
        self._records: list[set[str]] = []
        self._asks: list[Asks] = []
        self.facts: Mapping[str, ModuleFacts] = _Reads(facts, self._records)
        self.unrecorded = facts  # read unnoted: a file's own, which its record starts with
        self.files: dict[str, SourceFile] = {}
        self.by_name: dict[str, SourceFile] = {}
        self.stubs: dict[tuple[str, str], SourceFile] = {}
        self.scopes: dict[str, dict[str, SourceFile]] = {}
        self.namespaces: set[str] = set()
        self._roots = [r if r.endswith(os.sep) else r + os.sep for r in roots]
        self.scope_namespaces: dict[str, set[str]] = {}
        for source in files:
            self.files[source.key] = source
            if not source.module:
                continue
            if source.is_stub:
                self.stubs.setdefault((source.scope, source.module), source)
                continue
            if source.key.endswith("#file"):
                continue  # shadowed by a package or an earlier root
            if source.scope:
                self.scopes.setdefault(source.scope, {})[source.module] = source
            else:
                self.by_name.setdefault(source.module, source)
        for name in folders:
            if name and name not in self.by_name:
                self.namespaces.add(name)
        for name in list(self.by_name):
            parts = name.split(".")
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix not in self.by_name:
                    self.namespaces.add(prefix)
        # A namespace portion loses to any regular module of the same name on sys.path.
        self.top_level = {name.partition(".")[0] for name in self.by_name} | {
            n.partition(".")[0]
            for n in self.namespaces
            if n.partition(".")[0] not in sys.stdlib_module_names
        }
        # names()/exports() by (which, file key): the result and the files it was read from.
        self._memo: dict[tuple[str, str], tuple[frozenset[str] | None, frozenset[str]]] = {}
        self._busy: set[tuple[str, str]] = set()

    @classmethod
    def of(cls, tree: Tree, facts: Mapping[str, ModuleFacts]) -> Project:
        """The project of a discovered tree: its files, and its folders below packages."""
        return cls(
            tree.files,
            facts,
            (f.module for f in tree.folders if f.module and f.parent_is_package),
            sorted((str(r) for r in tree.roots), key=len, reverse=True),
        )

    # --- what a result depends on -----------------------------------------------------------

    def recording(self) -> _Recording:
        """Collect the keys of every file whose facts are read inside the block."""
        return _Recording(self._records)

    def recorded(self, first: str, compute: Callable[[], _T]) -> tuple[_T, set[str], Asks]:
        """`compute()` inside a `recording()` (its reads start with `first`), collecting the
        answers of `can_import` by module with the files each answer was taken from (which
        the recording then does not count as read): one call per file of a cached run."""
        reads: set[str] = {first}
        asks: Asks = {}
        self._records.append(reads)
        self._asks.append(asks)
        try:
            result = compute()
        finally:
            self._records.pop()
            self._asks.pop()
            if self._records:
                self._records[-1] |= reads
        return result, reads, asks

    def reading(self, compute: Callable[[], _T]) -> tuple[_T, set[str]]:
        """`compute()` inside a `recording()`, and what it read, in one call (per run)."""
        reads: set[str] = set()
        records = self._records
        records.append(reads)
        try:
            result = compute()
        finally:
            records.pop()
            if records:
                records[-1] |= reads
        return result, reads

    def _note(self, keys: Iterable[str]) -> None:
        if self._records:
            self._records[-1].update(keys)

    def note_reads(self, keys: Iterable[str]) -> None:
        """Count the facts of `keys` as read inside the open `recording()` blocks: a result
        taken again from one computed inside such a block read them too."""
        self._note(keys)

    # --- finding modules --------------------------------------------------------------------

    def find(self, name: str, scope: str = "") -> Target | None:
        """Resolve an absolute module name as seen from a file in `scope`."""
        if scope:
            local = self.scopes.get(scope, {})
            if name.partition(".")[0] in local:
                found = local.get(name)
                if found is not None:
                    return Target(name, found)
                return _init_module(name, local) if name.endswith(_INIT) else None
        found = self.by_name.get(name)
        if found is not None:
            return Target(name, found)
        if name in self.namespaces:
            return Target(name, None)
        return _init_module(name, self.by_name) if name.endswith(_INIT) else None

    def find_to_run(self, name: str, scope: str = "") -> Target | None:
        """`find` for the import simulation, which keeps one state per file and so cannot
        run `pkg/__init__.py` a second time as `pkg.__init__`: that module resolves as a
        namespace package does (its parents run, its names are unknown)."""
        found = self.find(name, scope)
        return Target(name, None) if found is not None and found.is_init_module else found

    def is_first_party(self, name: str, scope: str = "") -> bool:
        """True when the top-level name of `name` is a module or package found under the roots."""
        top = name.partition(".")[0]
        if scope and top in self.scopes.get(scope, {}):
            return True
        return top in self.top_level

    def absolute(self, source: SourceFile, imp: ImportFact) -> str | None:
        """The absolute module an import names; None when a relative import climbs too far."""
        if imp.level == 0:
            return imp.module
        package = source.module.split(".") if source.module else []
        if not source.is_package:
            package = package[:-1]
        if source.scope or imp.level > len(package) or not source.module:
            return None
        base = package[: len(package) - imp.level + 1]
        return ".".join([*base, imp.module] if imp.module else base)

    def portion_of(self, source: SourceFile) -> str:
        """The PEP 420 namespace package a script folder's file also belongs to: `a/c/d.py`
        below a root, with no `__init__.py` on the way, imports as `a.c.d` too ("a.c").
        "" when the file is no script or a folder name is no identifier."""
        if not source.scope:
            return ""
        path = str(source.path)
        root = next((r for r in self._roots if path.startswith(r)), None)
        if root is None:
            return ""
        folders = path[len(root) :].split(os.sep)[:-1]
        if not folders or not all(f.isidentifier() and not iskeyword(f) for f in folders):
            return ""
        return ".".join(folders)

    def submodule(self, package: Target, name: str, scope: str) -> Target | None:
        """`package.name` when that is a module or package of its own."""
        if package.file is not None and (not package.file.is_package or package.is_init_module):
            return None
        return self.find(f"{package.name}.{name}", scope)

    def ancestors_of(self, source: SourceFile) -> set[str]:
        """Every package above `source` (its own package included for an `__init__`)."""
        parts = source.module.split(".")
        return {".".join(parts[:i]) for i in range(1, len(parts) + (1 if source.is_package else 0))}

    # --- names ------------------------------------------------------------------------------

    def stub_names(self, source: SourceFile) -> frozenset[str]:
        """Names a `.pyi` stub beside the module binds (empty when there is none)."""
        stub = self.stubs.get((source.scope, source.module))
        if stub is None:
            return frozenset()
        facts = self.facts.get(stub.key)
        if facts is None or facts.error is not None:
            return frozenset()
        return facts.bindings | facts.typing_bindings | facts.declared

    def _memoised(
        self,
        which: str,
        source: SourceFile,
        compute: Callable[[SourceFile], frozenset[str] | None],
    ) -> frozenset[str] | None:
        """`compute(source)` once per module, kept with the files it read: a later caller
        depends on them too. A loop back into a computation in progress (star imports that
        import each other) gives None rather than a guess, and depends on that module."""
        ident = (which, source.key)
        if ident in self._memo:
            result, reads = self._memo[ident]
            self._note(reads)
            return result
        if ident in self._busy:
            self._note((source.key,))
            return None
        self._busy.add(ident)
        try:
            with self.recording() as read:
                result = compute(source)
        finally:
            self._busy.discard(ident)
        self._memo[ident] = (result, frozenset(read))
        return result

    def names(self, source: SourceFile) -> frozenset[str] | None:
        """Every name the module binds at run time; None when that cannot be known."""
        return self._memoised("names", source, self._compute_names)

    def _compute_names(self, source: SourceFile) -> frozenset[str] | None:
        facts = self.facts.get(source.key)
        if facts is None or facts.error is not None or facts.has_getattr or facts.dynamic:
            return None
        names = set(facts.bindings) | facts.global_names | MODULE_ATTRIBUTES
        if source.is_package:
            names.add("__path__")
        for imp in facts.imports:
            if not imp.is_star or imp.where is not Where.MODULE or not imp.binds:
                continue
            brought = self.star_names(source, imp)
            if brought is None:
                return None
            names |= brought
        names |= self.stub_names(source)
        return frozenset(names)

    def star_names(self, source: SourceFile, imp: ImportFact) -> frozenset[str] | None:
        """What `from X import *` binds in `source`; None when X is not first-party or opaque."""
        module = self.absolute(source, imp)
        if module is None:
            return None
        target = self.find(module, source.scope)
        if target is None or target.file is None:
            return None
        if target.file is source:
            return frozenset()  # a module star-importing itself binds nothing new
        return self.exports(target.file)

    def exports(self, source: SourceFile) -> frozenset[str] | None:
        """The names `from module import *` brings: its `__all__`, or its public names."""
        return self._memoised("exports", source, self._compute_exports)

    def _compute_exports(self, source: SourceFile) -> frozenset[str] | None:
        facts = self.facts.get(source.key)
        if facts is None or facts.error is not None:
            return None
        if facts.defines_all:
            return self.all_names(source)
        names = self.names(source)
        if names is None:
            return None
        return frozenset(n for n in names if not n.startswith("_") and n not in MODULE_ATTRIBUTES)

    def all_names(self, source: SourceFile) -> frozenset[str] | None:
        """The full `__all__` of a module, following `+= other.__all__`; None if unknown."""
        facts = self.facts.get(source.key)
        if facts is None or not facts.defines_all or not facts.all_complete:
            return None
        names = {entry.name for entry in facts.all_entries}
        for _, brought in self.borrowed_alls(source):
            if brought is None:
                return None
            names |= brought
        return frozenset(names)

    def borrowed_alls(self, source: SourceFile) -> list[tuple[Span, frozenset[str] | None]]:
        """Each other module's `__all__` added to this one, with its names (None: unknown)."""
        facts = self.facts.get(source.key)
        if facts is None:
            return []
        targets: list[tuple[Span, Target | None]] = []
        for index, span in facts.all_imports:
            module = self.absolute(source, facts.imports[index])
            targets.append((span, self.find(module, source.scope) if module else None))
        for dotted, span in facts.all_sources:
            targets.append((span, self.resolve_local(source, dotted)))
        result: list[tuple[Span, frozenset[str] | None]] = []
        for span, target in targets:
            other = self.facts.get(target.file.key) if target and target.file else None
            if target is None or target.file is None or other is None or not other.defines_all:
                # Not first-party, or `other.__all__` raises AttributeError (EXP002 says so).
                result.append((span, None))
            else:
                # Through exports(), whose guard stops `a.__all__ += b.__all__` loops.
                result.append((span, self.exports(target.file)))
        return result

    def resolve_local(self, source: SourceFile, dotted: str) -> Target | None:
        """The module a dotted local name (`core`, `pkg.core`) of `source` refers to."""
        facts = self.facts.get(source.key)
        if facts is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self.local_module(source, facts, head)
        if target is None:
            return None
        for part in rest.split(".") if rest else []:
            nxt = self.submodule(target, part, source.scope)
            if nxt is None:
                return None
            target = nxt
        return target

    def local_module(self, source: SourceFile, facts: ModuleFacts, local: str) -> Target | None:
        """The first-party module bound to the name `local` by one of `source`'s imports."""
        found: Target | None = None
        for imp in facts.imports:
            if not imp.binds or imp.where is Where.FUNCTION or imp.is_star:
                continue
            for alias in imp.names:
                if imp.is_from:
                    if (alias.asname or alias.name) != local:
                        continue
                    module = self.absolute(source, imp)
                    if module is None:
                        continue
                    package = self.find(module, source.scope)
                    if package is not None:
                        found = self.submodule(package, alias.name, source.scope) or found
                elif alias.asname == local:
                    found = self.find(alias.name, source.scope) or found
                elif alias.asname is None and alias.name.partition(".")[0] == local:
                    found = self.find(local, source.scope) or found
        return found

    def can_import(self, target: Target, name: str, scope: str) -> bool | None:
        """Whether `from target import name` finds something, for a type checker too
        (None: unknowable).

        A rule that asks this depends on the answer, not on the module's facts: inside
        `recorded()`, the files the answer was taken from are kept with it instead of being
        noted as read, and a later run asks again only when one of them has changed.
        """
        taken: set[str] = set()
        self._records.append(taken)
        try:
            facts = self.facts.get(target.file.key) if target.file is not None else None
            if facts is not None and (name in facts.typing_bindings or name in facts.declared):
                answer: bool | None = True
            else:
                answer = self.has_name(target, name, scope)
        finally:
            self._records.pop()
        if self._asks:
            files, answers = self._asks[-1].setdefault((target.name, scope), (set(), {}))
            files |= taken
            answers[name] = answer
        else:
            self._note(taken)
        return answer

    def has_name(self, target: Target, name: str, scope: str) -> bool | None:
        """Whether `from target import name` finds something; None when unknowable."""
        if self.submodule(target, name, scope) is not None:
            return True
        if target.file is None:
            return None  # a namespace package: portions may live outside the tree
        names = self.names(target.file)
        if names is None:
            return None
        return name in names
