"""Star imports in the simulated interpreter: what `from m import *` binds, and what raises.

`from m import *` reads `m.__all__` when m has bound it (imports.listed tells its names),
a package first importing each submodule it lists and has not bound, then reads each name
listed from m (AttributeError for one m binds only later, or a submodule still
initialising); without `__all__` it binds m's public names bound so far. A bare read after
it raises NameError when the star import ran before its module bound the name.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from scaffold.check.discover import SourceFile
from scaffold.check.imports.execution import EventRunner, Ref
from scaffold.check.imports.listed import listed_all
from scaffold.check.imports.memo import IdleMemo, ImportMemo
from scaffold.check.imports.state import LOADING
from scaffold.check.model import ModuleFacts
from scaffold.check.project import Project, Target

__all__ = ["StarImports"]


class StarImports(EventRunner):
    """The star imports of the simulator (imports.simulator), its base."""

    project: Project
    facts: Mapping[str, ModuleFacts]
    memo: ImportMemo | IdleMemo
    dropping: bool

    def __init__(self) -> None:
        super().__init__()
        self._listed: dict[str, tuple[str, ...] | None] = {}

    # What the simulator provides.
    def find(self, name: str, scope: str) -> Target | None:
        raise NotImplementedError

    def import_module(self, name: str, scope: str) -> Target | None:
        raise NotImplementedError

    def submodule(self, package: Target, name: str, scope: str) -> Target | None:
        raise NotImplementedError

    def report(self, key: str, at: Ref, loop_key: str, message: str, kind: str) -> None:
        raise NotImplementedError

    def public(self, names: Set[str]) -> Set[str]:
        raise NotImplementedError

    def eventually_binds(self, source: SourceFile, name: str) -> bool:
        raise NotImplementedError

    def later(self, source: SourceFile, name: str) -> str:
        raise NotImplementedError

    def loop_text(self, key: str) -> str:
        raise NotImplementedError

    def star(self, source: SourceFile, index: int, package: Target, owner: SourceFile) -> Set[str]:
        """What `from package import *` (`owner` its file) binds, reporting what raises."""
        bound = self.state.get_bound(owner.key)
        listed = self.listed(owner) if "__all__" in bound else None
        if listed is None:
            return self.public(bound)
        subs: dict[str, str] = {}
        if owner.is_package:
            for name in listed:
                sub = None if name in bound else self.submodule(package, name, source.scope)
                if sub is not None and sub.file is not None:
                    subs[name] = sub.file.key
                    self.import_module(sub.name, source.scope)
                    if self.dropping:  # `__import__(sub)`: the top package too
                        self.import_module(sub.name.partition(".")[0], source.scope)
            bound = self.state.get_bound(owner.key)
        if not self.shaky:
            for name in listed:
                if name not in bound and self.unread(owner, name, subs.get(name)):
                    loop_key = subs.get(name, owner.key)
                    self.report(
                        source.key,
                        ("import", index),
                        loop_key,
                        f"module '{package.name}' has no attribute '{name}' yet, which its"
                        f" `__all__` lists for `import *` (import loop"
                        f" {self.loop_text(loop_key)}): {self.why(owner, package, name, subs)}",
                        "AttributeError",
                    )
                    break
        return set(listed)

    def unread(self, owner: SourceFile, name: str, sub: str | None) -> bool:
        """Whether `name`, listed and not bound, raises when a star import reads it: a
        submodule still initialising, or a name its module binds later while it initialises."""
        if sub is not None:
            return self.state.get_status(sub) == LOADING
        return self.state.get_status(owner.key) == LOADING and self.eventually_binds(owner, name)

    def why(self, owner: SourceFile, package: Target, name: str, subs: dict[str, str]) -> str:
        if name in subs:
            return f"submodule '{package.name}.{name}' is still initialising"
        return self.later(owner, package.name)

    def listed(self, source: SourceFile) -> tuple[str, ...] | None:
        """`listed_all` of the module, remembered."""
        if source.key not in self._listed:
            facts = self.facts.get(source.key)
            self._listed[source.key] = listed_all(facts) if facts is not None else None
        return self._listed[source.key]

    def starred_read(self, source: SourceFile, name: str, at: Ref) -> None:
        """A bare read of `name` after star imports: NameError when a star import ran while
        its module was initialising and had not bound `name` yet."""
        self.memo.touch_member(source.key, name)
        if name in self.state.get_bound(source.key):
            return
        loading: list[tuple[Target, SourceFile]] = []
        for imp in self.facts[source.key].imports:
            if not (imp.is_star and imp.binds):
                continue
            module = self.project.absolute(source, imp)
            target = self.find(module, source.scope) if module else None
            if target is None or target.file is None:
                return  # a star import of a module not in the project may bring the name
            self.memo.touch_status(target.file.key)
            if self.state.get_status(target.file.key) == LOADING:
                loading.append((target, target.file))
        for target, owner in loading:
            if self.eventually_binds(owner, name):
                message = (
                    f"name '{name}' is not defined: `from {target.name} import *` ran while"
                    f" '{target.name}' was still initialising (import loop"
                    f" {self.loop_text(owner.key)}), before it binds '{name}'"
                )
                self.report(source.key, at, owner.key, message, "NameError")
                return
