"""Random small projects for the differential fuzz of IMP003's import-time simulation.

`generate(seed)` makes a package `p` (sometimes with a subpackage `p.s`, sometimes with a
second package `q`) of 3 to 9 modules whose top levels import each other in cycles, bind
names before or after their imports, read attributes of modules they import, star-import
and read a bare name, catch failures in `try:`, call a function that imports, define a
module `__getattr__`; some modules are imported by none (outside every loop), some import
nothing. Every name a statement asks a module for is bound by that module's top level,
unconditionally: an import can fail only because its target is still initialising, which
is what IMP003 simulates. With `exact=False` it also writes `if` tests the simulator cannot
decide (it follows their branches without reporting what fails in them) and constructs it
approximates, which the CPython oracle cannot hold it to. Deterministic: the same seed
gives the same files.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.check.imports.located import locate
from scaffold.check.imports.simulation import Failure
from scaffold.check.project import Project

__all__ = ["Generated", "Raised", "cpython_imports", "generate", "kind_of", "located", "where"]

NAMES = ("NAME", "OTHER", "Klass", "func")
_BINDINGS = {
    "NAME": "NAME = 1",
    "OTHER": "OTHER = 2",
    "Klass": "class Klass:\n    pass",
    "func": "def func():\n    return 0",
}
_STEMS = ("a", "b", "c", "d", "e", "f", "g", "h")
_HANDLERS = ("ImportError", "AttributeError", "Exception", "(ImportError, AttributeError)")
_GETATTR = "def __getattr__(attr):\n    raise AttributeError(attr)"


@dataclass
class Module:
    """One generated module: its dotted name, whether it is a package, its names, and its
    role: "" (any), "outsider" (imports into the others, none imports it: in no loop, the
    runs the pruning leaves out) or "leaf" (imports nothing: its run cannot report)."""

    name: str
    package: bool
    names: list[str]
    role: str = ""

    @property
    def path(self) -> str:
        folder = self.name.replace(".", "/")
        return f"{folder}/__init__.py" if self.package else f"{folder}.py"

    @property
    def parent(self) -> str:
        """The package the module is in (a package's own parent for a package)."""
        return self.name.rpartition(".")[0]


@dataclass
class Generated:
    """A generated project: its files by relative path, and its modules' dotted names."""

    seed: int
    files: dict[str, str] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)

    def show(self) -> str:
        """The seed and every file, to reproduce a failing case."""
        parts = [f"seed {self.seed}:"]
        for path, text in sorted(self.files.items()):
            parts.append(f"--- {path}\n{text}")
        return "\n".join(parts)


def _layout(rng: random.Random) -> list[Module]:
    count = rng.randint(3, 9)
    packages = ["p"]
    if count >= 4 and rng.random() < 0.5:
        packages.append("p.s")
    if count >= 4 and rng.random() < 0.3:
        packages.append("q")  # a second top-level package: loops between packages
    modules = [Module(name, True, []) for name in packages]
    stems = list(_STEMS)
    rng.shuffle(stems)
    while len(modules) < count:
        modules.append(Module(f"{rng.choice(packages)}.{stems.pop()}", False, []))
    for module in modules:
        module.names = sorted(rng.sample(NAMES, rng.randint(1, len(NAMES))))
        if not module.package:
            module.role = rng.choices(["", "outsider", "leaf"], [6, 2, 1])[0]
    return modules


class _Writer:
    """Draws the statements of one module, given every module of the project."""

    def __init__(self, rng: random.Random, modules: list[Module], exact: bool) -> None:
        self.rng = rng
        # What an import may name: no outsider (none imports it).
        self.modules = [m for m in modules if m.role != "outsider"]
        self.exact = exact
        self.count = 0
        # How often a name is bound before the module's imports: the fewer, the more of
        # its imports fail (a project of its own per seed, from cycles that all fail to
        # cycles that rarely do).
        self.early = rng.random()
        self.every = modules

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def target(self) -> Module:
        return self.rng.choice(self.modules)

    def named(self) -> tuple[Module, str]:
        """A module and one of the names it binds."""
        module = self.target()
        return module, self.rng.choice(module.names)

    def submodule(self) -> Module | None:
        subs = [m for m in self.modules if "." in m.name]
        return self.rng.choice(subs) if subs else None

    def plain_import(self, me: Module, maybe: bool = False) -> str:
        """One single-line import statement that binds nothing read later (but by a star
        import's bare read, which finds what ran: `maybe`, in a `try:` or an `if`, it may not
        have)."""
        rng = self.rng
        module, name = self.named()
        sub = self.submodule()
        choices = [
            f"import {module.name}",
            f"import {module.name} as {self.fresh('x')}",
            f"from {module.name} import {name} as {self.fresh('y')}",
        ]
        choices.append(f"from {module.name} import {name}")
        if sub is not None:
            choices.append(f"from {sub.parent} import {sub.name.rpartition('.')[2]}")
        choices += self.relative(me, maybe)
        return rng.choice(choices)

    def relative(self, me: Module, maybe: bool) -> list[str]:
        """Relative imports from `me`'s package: of a sibling, and of a sibling's name."""
        package = me.name if me.package else me.parent
        found = []
        siblings = [m for m in self.modules if m.parent == package and m.name != package]
        if siblings:
            sibling = self.rng.choice(siblings)
            stem = sibling.name.rpartition(".")[2]
            found.append(f"from . import {stem}")
            found.append(f"from .{stem} import {self.rng.choice(sibling.names)}{self.alias(maybe)}")
        above = package.rpartition(".")[0]
        if above:
            up = self.rng.choice([m for m in self.modules if above in (m.parent, m.name)])
            if up.name == above:
                found.append(f"from .. import {self.rng.choice(up.names)}{self.alias(maybe)}")
            else:
                stem = up.name.rpartition(".")[2]
                found.append(f"from ..{stem} import {up.names[0]}{self.alias(maybe)}")
        return found

    def alias(self, maybe: bool) -> str:
        """` as yN`, or nothing: a name of NAMES bound (where it may not run too, `maybe`)."""
        return f" as {self.fresh('y')}" if maybe and self.rng.random() < 0.5 else ""

    def read(self) -> str:
        """An import, then a read of an attribute through what it bound."""
        rng = self.rng
        module, name = self.named()
        value = self.fresh("R")
        kind = rng.randrange(3)
        if kind == 0:
            return f"import {module.name}\n{value} = {module.name}.{name}"
        if kind == 1:
            alias = self.fresh("x")
            return f"import {module.name} as {alias}\n{value} = {alias}.{name}"
        sub = self.submodule()
        if sub is None:
            return f"import {module.name}"
        stem = sub.name.rpartition(".")[2]
        return f"from {sub.parent} import {stem}\n{value} = {stem}.{rng.choice(sub.names)}"

    def star(self) -> str:
        module, name = self.named()
        return f"from {module.name} import *\n{self.fresh('U')} = {name}"

    def guarded(self, me: Module) -> str:
        """A `try:` around an import (or an import and a read), another in its handler."""
        body = self.read() if self.rng.random() < 0.4 else self.plain_import(me, True)
        handler = self.plain_import(me, True) if self.rng.random() < 0.7 else "pass"
        caught = self.rng.choice(_HANDLERS)
        return f"try:\n{_indent(body)}\nexcept {caught}:\n{_indent(handler)}"

    def called(self, me: Module) -> str:
        """A function holding an import, called at import time."""
        function = self.fresh("load")
        module, name = self.named()
        body = f"from {module.name} import {name}\nreturn {name}"
        if self.rng.random() < 0.3:
            body = f"{self.plain_import(me, True)}\nreturn None"
        return f"def {function}():\n{_indent(body)}\n\n\n{self.fresh('L')} = {function}()"

    def branch(self, me: Module) -> str:
        """An `if` the simulator decides (`sys.version_info`), or, unless exact, one it
        cannot decide."""
        body = _indent(self.plain_import(me, True))
        if self.exact or self.rng.random() < 0.5:
            if self.rng.random() < 0.5:
                return f"import sys\nif sys.version_info >= (3, 0):\n{body}"
            other = _indent(self.plain_import(me, True))
            return f"import sys\nif sys.version_info < (3, 0):\n{body}\nelse:\n{other}"
        return f"import os\nif os.environ.get('FUZZ_NEVER_SET'):\n{body}"

    def statement(self, me: Module) -> str:
        weights = {
            "import": 6,
            "read": 3,
            "star": 1,
            "try": 2,
            "call": 1,
            "branch": 1,
        }
        kind = self.rng.choices(list(weights), list(weights.values()))[0]
        if kind == "import":
            return self.plain_import(me)
        if kind == "read":
            return self.read()
        if kind == "star":
            return self.star()
        if kind == "try":
            return self.guarded(me)
        if kind == "call":
            return self.called(me)
        return self.branch(me)

    def body(self, me: Module) -> str:
        rng = self.rng
        count = 0 if me.role == "leaf" else rng.randint(1, 4)
        statements = [self.statement(me) for _ in range(count)]
        for name in me.names:
            # Bound before the imports (as the project tends to), or anywhere (after: what
            # fails in a cycle).
            early = rng.random() < self.early
            place = 0 if early else rng.randint(0, len(statements))
            statements.insert(place, _BINDINGS[name])
        if rng.random() < 0.15:
            statements.insert(rng.randint(0, len(statements)), _GETATTR)
        if rng.random() < 0.1:
            # Bound, then deleted before anything runs: as if bound only where bound again.
            name = rng.choice(me.names)
            statements.insert(0, f"{name} = 0\ndel {name}")
        if rng.random() < 0.15:
            # Star imports then take what it lists, once bound (a package's submodules it
            # lists first imported), and fail on a name listed but bound later.
            listed = list(me.names)
            subs = [m for m in self.modules if m.parent == me.name and not m.package]
            if me.package and subs and rng.random() < 0.5:
                listed.append(rng.choice(subs).name.rpartition(".")[2])
            statements.insert(rng.randint(0, len(statements)), f"__all__ = {listed!r}")
        return '"""Generated."""\n' + "\n".join(statements) + "\n"


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.split("\n"))


def generate(seed: int, exact: bool = True) -> Generated:
    """A random project for `seed`: files by path, modules by dotted name."""
    rng = random.Random(seed)
    modules = _layout(rng)
    writer = _Writer(rng, modules, exact)
    generated = Generated(seed)
    for module in modules:
        generated.files[module.path] = writer.body(module)
        generated.modules.append(module.name)
    return generated


# Imports each module named on the command line in a fresh interpreter state: a child
# forked from this one before it imported any module of the project (the project's modules
# are never in the parent's sys.modules), so each `import m` starts as `python -c "import
# m"` would, at a fork's cost instead of an interpreter's start. Prints, per module, null or
# [exception type, path relative to the root, line, message] of the last frame in the project (not
# a module `__getattr__`'s: what raises there is the read that called it).
_ORACLE = r"""
import importlib, json, os, sys, traceback
root = os.path.realpath(sys.argv[1])
sys.dont_write_bytecode = True
found = {}
for name in sys.argv[2:]:
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        sys.path.insert(0, root)
        result = None
        try:
            importlib.import_module(name)
        except Exception as error:
            frames = [
                f for f in traceback.extract_tb(error.__traceback__)
                if os.path.realpath(f.filename).startswith(root + os.sep)
                and f.name != "__getattr__"
            ]
            last = frames[-1]
            path = os.path.relpath(os.path.realpath(last.filename), root)
            kind = type(error).__name__
            result = [kind, path.replace(os.sep, "/"), last.lineno, str(error)]
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(child, 0)
    found[name] = json.loads(b"".join(chunks))
print(json.dumps(found))
"""

# What CPython raised: (exception type, path relative to the root, line, message); None if
# nothing.
Raised = tuple[str, str, int, str] | None


def cpython_imports(root: Path, modules: list[str]) -> dict[str, Raised]:
    """What `import m` raises in a fresh interpreter, for each module `m` of `modules`."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", _ORACLE, str(root), *modules],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(result.stdout)
    return {name: None if raised is None else tuple(raised) for name, raised in found.items()}


def where(raised: Raised) -> tuple[str, str, int] | None:
    """What CPython raised, without its message: as `located` gives a simulated failure."""
    return None if raised is None else raised[:3]


_KINDS = (
    ("cannot import name", "ImportError"),
    ("cannot access submodule", "AttributeError"),
    ("module '", "AttributeError"),
    ("name '", "NameError"),
)


def kind_of(message: str) -> str:
    """The exception a simulation failure stands for, by its message."""
    for start, kind in _KINDS:
        if message.startswith(start):
            return kind
    raise AssertionError(f"a failure message of no known kind: {message}")


def located(project: Project, failure: Failure) -> tuple[str, str, int]:
    """A failure as CPython's oracle reports one: (kind, path, line)."""
    span = locate(project, failure).span
    return kind_of(failure.message), project.files[failure.key].rel, span.line
