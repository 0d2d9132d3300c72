"""The simulated interpreter that imports first-party modules statement by statement.

`_Simulator` runs one import-time simulation's runs (imports.simulation orders them): each
import executed, or replayed from the import memo (imports.memo), and what raises reported.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Set

from scaffold.check.discover import SourceFile
from scaffold.check.imports.execution import Caught, Ref
from scaffold.check.imports.memo import IdleMemo, ImportMemo, Kept
from scaffold.check.imports.run_memory import EndsAsBefore, Failure
from scaffold.check.imports.stars import StarImports
from scaffold.check.imports.state import DONE, LOADING, State
from scaffold.check.model import Access, ImportFact, ModuleFacts, RunImport
from scaffold.check.project import MODULE_ATTRIBUTES, Project, Target

__all__ = ["NO_TAILS", "Simulator"]

_LOADING = LOADING
_DONE = DONE
NO_TAILS: Mapping[str, int] = {}
_NO_FILES: frozenset[str] = frozenset()


class Simulator(StarImports):
    """Run first-party modules the way the import system would, statement by statement."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.facts: Mapping[str, ModuleFacts] = project.facts
        # Whether the files each import reads are recorded (Project.recording), for a
        # RunMemory: a kept import's, noted again when it is replayed.
        self.records = True
        self.failures: dict[tuple[str, Ref], Failure] = {}  # of the current run
        self.stack: list[str] = []
        self.running: list[Ref | None] = []  # the import each frame of `stack` is executing
        self.steps = 0  # modules executed (or replayed from `memo`), over all runs
        self.executed = 0  # modules executed, not replayed (what Failable weighs)
        self.reports = 0  # calls of `report`: an import that made none may be kept
        self.runs = 0
        self.kept_runs: Container[str] | None = None  # the modules a run's first import keeps
        self.memo: ImportMemo | IdleMemo = IdleMemo()  # keeping from the second run (memo.py)
        self._found: dict[tuple[str, str], Target | None] = {}
        self._subs: dict[tuple[str, str, str, bool], Target | None] = {}
        self._public: dict[frozenset[str], tuple[frozenset[str], Set[str]]] = {}
        # The run now executing: modules whose events from the index on are new (RunMemory.tails)
        self.tails = NO_TAILS
        # Whether the state has a module a caught failure removed: only then may a loaded
        # module's package be missing, or not bind it (what `read_submodules` and `missing`
        # look for); imports kept where none was are replayed only where none is.
        self.dropping = False

    def find(self, name: str, scope: str) -> Target | None:
        """`project.find_to_run`, remembered: the simulation asks for the same modules often."""
        try:
            return self._found[name, scope]
        except KeyError:
            found = self._found[name, scope] = self.project.find_to_run(name, scope)
            return found

    def submodule(self, package: Target, name: str, scope: str) -> Target | None:
        """`project.submodule`, remembered (asked for each name a from-import or a read
        takes from a module)."""
        key = (package.name, name, scope, package.file is None)
        try:
            return self._subs[key]
        except KeyError:
            found = self._subs[key] = self.project.submodule(package, name, scope)
            return found

    def run(self, name: str, scope: str, state: State) -> list[Failure]:
        """Import `name` into `state`, as a fresh `import name` would; what raised in it."""
        self.state = state
        if self.runs and isinstance(self.memo, IdleMemo):
            self.memo = ImportMemo()
        self.runs += 1
        self.memo.start(state)
        self.dropping = state.has_drops()
        self.stack = []
        self.running = []
        self.shaky = 0
        self.catching = []
        self.failures = {}
        if self.kept_runs is None or name in self.kept_runs:
            self.import_module(name, scope)
        else:
            self.import_unkept(name, scope)
        return list(self.failures.values())

    def import_unkept(self, name: str, scope: str) -> None:
        """`import_module(name)` as a run's first import, not kept: no module imports it, so
        it cannot be replayed (`plan.imported_modules`), and what it reads is not noted."""
        target = self.find(name, scope)
        source = target.file if target is not None else None
        if source is None or isinstance(self.memo, IdleMemo):
            self.import_module(name, scope)
        elif not self.state.get_status(source.key):
            self.load(name, scope, source)

    def import_module(self, name: str, scope: str) -> Target | None:
        target = self.find(name, scope)
        if target is None:
            return None
        source = target.file
        if source is None:
            # A namespace package: nothing runs but its parents.
            if "." in name:
                self.import_module(name.rpartition(".")[0], scope)
            return target
        memo = self.memo
        memo.touch_status(source.key)
        if self.state.get_status(source.key):
            # Loaded or loading: its packages were imported before it and nothing changes.
            return target
        kept = memo.replay(name, scope, self.shaky > 0, self.dropping)
        if kept is not None:
            self.steps += kept.steps
            if self.records:
                self.project.note_reads(kept.files)
            return target
        if isinstance(memo, IdleMemo):
            self.load(name, scope, source)
            return target
        outer = memo.open()
        memo.touch_status(source.key)
        steps, reports, keep = self.steps, self.reports, None
        files: Set[str] = _NO_FILES
        try:
            if self.records:
                with self.project.recording() as files:
                    self.load(name, scope, source)
            else:
                self.load(name, scope, source)
            if self.reports == reports:
                keep = Kept(self.steps - steps, files, self.shaky > 0, self.dropping)
        finally:
            memo.close(outer, (scope, name), keep)
        return target

    def load(self, name: str, scope: str, source: SourceFile) -> None:
        """Import the packages of `name`, then run its module `source`."""
        parent, _, last = name.rpartition(".")
        parent_target = self.import_module(parent, scope) if parent else None
        key = source.key
        if self.state.get_status(key):
            return
        self.state.status[key] = _LOADING
        # The import system sets these before the first statement runs.
        bound = self.state.writable(key)
        bound.update(MODULE_ATTRIBUTES)
        if source.is_package:
            bound.add("__path__")
        self.stack.append(key)
        self.running.append(None)
        self.steps += 1
        self.executed += 1
        try:
            self.execute(source)
        except Caught as caught:
            # A module that raises is removed from sys.modules, names and all.
            caught.dropped = True
            self.state.status[key] = 0
            self.state.bound[key] = set()
            self.state.drops = self.dropping = True
            raise
        else:
            self.state.status[key] = _DONE
        finally:
            self.stack.pop()
            self.running.pop()
        if parent_target is not None and parent_target.file is not None:
            # The import system binds a submodule on its parent only once it has loaded.
            self.memo.added(parent_target.file.key, last)
            self.state.writable(parent_target.file.key).add(last)

    def execute(self, source: SourceFile) -> None:
        facts = self.facts.get(source.key)
        if facts is None or facts.error is not None:
            return
        events = facts.events
        tail = self.tails.get(source.key, len(events))
        self.run_events(source, events, 0, tail)
        steps, reports = self.steps, self.reports
        self.run_events(source, events, tail, len(events))
        if tail < len(events) and self.steps == steps and self.reports == reports:
            raise EndsAsBefore  # its new statements changed nothing the rest can observe

    def report(self, key: str, at: Ref, loop_key: str, message: str, kind: str) -> None:
        """A statement raises `kind`: caught by a running `try:`, or a failure to report."""
        self.reports += 1
        self.raise_if_caught(kind)
        self.loud += 1
        # Python stops at the first name it cannot import: one finding per statement.
        ident = (key, at)
        if ident not in self.failures:
            start = 0
            if loop_key in self.stack:
                start = self.stack.index(loop_key)
            # The failing module's own frame is the finding's location, not related to it.
            chain = tuple(zip(self.stack[start:-1], self.running[start:-1], strict=True))
            self.failures[ident] = Failure(key, at, message, chain)

    def run_import(self, source: SourceFile, event: RunImport) -> None:
        index = event.index
        facts = self.facts[source.key]
        imp = facts.imports[index]
        module = self.project.absolute(source, imp)
        if module is None or module == "__future__":
            return
        shaky = event.maybe
        self.shaky += shaky
        if self.running:
            self.running[-1] = ("import", index)
        try:
            self._run_import(source, imp, index, module)
        finally:
            self.shaky -= shaky

    def _run_import(self, source: SourceFile, imp: ImportFact, index: int, module: str) -> None:
        key = source.key
        scope = source.scope
        if not imp.is_from:
            self.import_module(module, scope)
            if self.dropping and "." in module:
                self.import_top(source, imp, index, module)
            if imp.binds:
                asname = imp.names[0].asname
                local = asname or module.partition(".")[0]
                self.state.writable(key).add(local)
                self.state.writable_aliases(key)[local] = module if asname else local
            return
        package = self.import_module(module, scope)
        if package is None:
            if imp.binds:
                self.state.writable(key).update(
                    a.asname or a.name for a in imp.names if a.name != "*"
                )
            return
        pkg_key = package.file.key if package.file is not None else None
        if pkg_key is not None:
            self.memo.touch_status(pkg_key)
        for alias in imp.names:
            if alias.name == "*":
                if pkg_key is not None and imp.binds and package.file is not None:
                    self.memo.touch(pkg_key)
                    self.state.writable(key).update(self.star(source, index, package, package.file))
                continue
            local = alias.asname or alias.name
            sub = self.submodule(package, alias.name, scope)
            if pkg_key is not None:
                self.memo.touch_member(pkg_key, alias.name)
            if pkg_key is not None and alias.name in self.state.get_bound(pkg_key):
                pass
            elif sub is not None:
                self.import_module(sub.name, scope)
                if self.dropping:  # `__import__(sub)` binds, so imports, the top package
                    self.import_module(sub.name.partition(".")[0], scope)
            elif (
                pkg_key is not None
                and self.state.get_status(pkg_key) == _LOADING
                and not self.shaky
                and package.file is not None
                and self.eventually_binds(package.file, alias.name)
            ):
                self.cannot_import(key, index, package, package.file, alias.name)
            if imp.binds:
                self.state.writable(key).add(local)
                aliases = self.state.writable_aliases(key)
                if sub is not None:
                    aliases[local] = sub.name
                else:
                    aliases.pop(local, None)

    def cannot_import(
        self, key: str, index: int, package: Target, owner: SourceFile, name: str
    ) -> None:
        """`from package import name` in module `key` while `package` initialises."""
        self.report(
            key,
            ("import", index),
            owner.key,
            f"cannot import name '{name}' from partially initialized module '{package.name}'"
            f" (import loop {self.loop_text(owner.key)}): {self.later(owner, package.name)}",
            "ImportError",
        )

    def import_top(self, source: SourceFile, imp: ImportFact, index: int, module: str) -> None:
        """After `import a.b.c` ran, where a caught failure removed a module: a loaded `a.b.c`
        is found without importing `a.b`, then `a` is imported (again, if it was removed), and
        `as d` reads `b`, then `c`, from it."""
        self.import_module(module.partition(".")[0], source.scope)
        if imp.names[0].asname and not self.shaky:
            self.read_submodules(source, index, module)

    def read_submodules(self, source: SourceFile, index: int, module: str) -> None:
        """`import a.b.c as d` reads `b` from `a`, then `c` from `a.b`, each an attribute or
        else a module in sys.modules: neither when a caught failure removed `a.b` (which left
        `a.b.c` loaded) and it was never bound on `a`."""
        scope = source.scope
        parts = module.split(".")
        owner = self.find(parts[0], scope)
        for end in range(1, len(parts)):
            sub = self.find(".".join(parts[: end + 1]), scope)
            if owner is None or owner.file is None or sub is None or sub.file is None:
                return  # a namespace package: its attributes are not followed
            okey, attr = owner.file.key, parts[end]
            self.memo.touch_member(okey, attr)
            if attr not in self.state.get_bound(okey):
                self.memo.touch_status(sub.file.key)
                if not self.state.get_status(sub.file.key) and not self.serves(owner.file):
                    self.report(
                        source.key,
                        ("import", index),
                        okey,
                        f"cannot import name '{attr}' from module '{owner.name}' (`import"
                        f" {module} as ...`): {self.dropped_why(owner.name, sub)}",
                        "ImportError",
                    )
                    return
            owner = sub

    def serves(self, source: SourceFile) -> bool:
        """Whether module `source` may have a name its facts do not show bound: it writes its
        own namespace, or its module `__getattr__` is defined."""
        facts = self.facts.get(source.key)
        if facts is None or facts.dynamic:
            return True
        if not facts.has_getattr:
            return False
        self.memo.touch_member(source.key, "__getattr__")
        return "__getattr__" in self.state.get_bound(source.key)

    def dropped_why(self, owner: str, sub: Target) -> str:
        """Why the submodule `sub` (loaded, or removed after it raised) is not bound on its
        package `owner`: only a submodule's first load binds it."""
        if sub.file is not None and self.state.get_status(sub.file.key):
            return (
                f"'{sub.name}' was loaded before a caught failure removed '{owner}', which was"
                " imported again without it"
            )
        return f"'{sub.name}' raised (caught) and was removed from sys.modules"

    def public(self, names: Set[str]) -> Set[str]:
        """The names a star import of a module binding `names` brings: computed once for a
        module's names a replayed import left (a frozenset, shared by the runs)."""
        if type(names) is not frozenset:
            return {n for n in names if not n.startswith("_")}
        found = self._public.get(names)
        if found is None or found[0] is not names:
            found = self._public[names] = (names, {n for n in names if not n.startswith("_")})
        return found[1]

    def eventually_binds(self, source: SourceFile, name: str) -> bool:
        facts = self.facts.get(source.key)
        if facts is None or facts.dynamic:
            return False
        self.memo.touch(source.key)
        if facts.has_getattr:
            if "__getattr__" not in self.state.get_bound(source.key):
                return True  # until its `__getattr__` is defined, it serves only what it binds
            # Its `__getattr__` may serve any name, but hardly one a later statement binds.
            return name in facts.bindings
        if name in facts.bindings:
            return True  # no need to expand star imports, which may loop
        if name in facts.global_names:
            return False  # bound by a function call at a time no one can tell
        names = self.project.names(source)
        return names is not None and name in names

    def later(self, source: SourceFile, name: str) -> str:
        """Why a name of the initialising module `name` is missing yet."""
        facts = self.facts.get(source.key)
        if facts is None or not facts.has_getattr:
            return f"it is bound only later in '{name}'"
        self.memo.touch(source.key)
        if "__getattr__" not in self.state.get_bound(source.key):
            return f"its module `__getattr__` is defined only later in '{name}'"
        return f"it is bound only later in '{name}', and not by its module `__getattr__`"

    def loop_text(self, key: str) -> str:
        chain = self.stack[self.stack.index(key) :] if key in self.stack else list(self.stack)
        names = [self.project.files[k].module or k for k in chain]
        return " -> ".join([*names, names[0]])

    def access(self, source: SourceFile, event: Access, at: Ref) -> None:
        if self.shaky or event.conditional:
            return
        if not event.attrs:
            self.starred_read(source, event.name, at)
            return
        target_name = self.alias(source.key, event.name)
        if not target_name:
            return
        target = self.find(target_name, source.scope)
        for attr in event.attrs:
            owner = target.file if target is not None else None
            if target is None or owner is None:
                return
            tkey = owner.key
            self.memo.touch_member(tkey, attr)
            if attr in self.state.get_bound(tkey):
                target = self.submodule(target, attr, source.scope)
                continue
            self.missing(source, at, target, owner, attr)
            return

    def missing(
        self, source: SourceFile, at: Ref, target: Target, owner: SourceFile, attr: str
    ) -> None:
        """`target.attr` is read, and `attr` is not bound on module `target` (`owner`): an
        AttributeError where the simulation can tell it raises."""
        tkey = owner.key
        sub = self.submodule(target, attr, source.scope)
        skey = sub.file.key if sub is not None and sub.file is not None else None
        if skey is not None:
            self.memo.touch_status(skey)
        sub_loading = skey is not None and self.state.get_status(skey) == _LOADING
        status = self.state.get_status(tkey)
        # The import system sets `pkg.sub` only once `pkg.sub` has finished loading.
        if sub_loading or (
            status == _LOADING and (sub is not None or self.eventually_binds(owner, attr))
        ):
            loop_key = skey if sub_loading and skey is not None else tkey
            loop = self.loop_text(loop_key)
            if sub is not None:
                message = (
                    f"cannot access submodule '{attr}' of module '{target.name}' while it"
                    f" is still initialising (import loop {loop})"
                )
            else:
                message = (
                    f"module '{target.name}' has no attribute '{attr}' yet (import loop"
                    f" {loop}): {self.later(owner, target.name)}"
                )
            self.report(source.key, at, loop_key, message, "AttributeError")
        elif (
            self.dropping
            and status == _DONE
            and sub is not None
            and skey is not None
            and (self.state.get_status(skey) or self.state.dropped(skey))
            and not self.serves(owner)
        ):
            # Imported, yet not bound on its package: a caught failure removed one of them.
            message = (
                f"module '{target.name}' has no attribute '{attr}':"
                f" {self.dropped_why(target.name, sub)}"
            )
            self.report(source.key, at, tkey, message, "AttributeError")

    def alias(self, key: str, local: str) -> str | None:
        return self.state.get_aliases(key).get(local)
