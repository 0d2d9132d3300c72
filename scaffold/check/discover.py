"""Which files to check and what module each one is: roots, script folders, skips."""

from __future__ import annotations

import keyword
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from scaffold.check.config import CheckConfig, Settings, nearest_config
from scaffold.check.ignores import folder_prefix
from scaffold.check.members import package_root
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.paths import is_file_path
from scaffold.check.walk import FolderFiles, Walk
from scaffold.errors import UsageError

__all__ = [
    "Folder",
    "SourceFile",
    "Tree",
    "discover",
    "display_path",
]

_TEST_DIRS = frozenset({"tests", "test"})
_EXEMPT_FILES = frozenset({"setup.py", "__main__.py", "conftest.py"})


def display_path(text: str) -> str:
    """Make a path printable: undecodable file-name bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def _made_path(item: object, text: str) -> Path:
    path = Path(text)
    object.__setattr__(item, "_path", path)  # a frozen dataclass's cache slot
    return path


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A `.py`/`.pyi` file and the module Python would import it as."""

    file: str  # the absolute path, as a string (`path` is the same as a Path)
    rel: str  # POSIX, relative to the checked folder
    module: str  # dotted import name; "" when no import can reach it
    key: str  # unique across the tree
    scope: str  # "" for modules of a root; the script folder's rel for its scripts
    is_package: bool
    is_stub: bool
    is_extension: bool  # a compiled module (.so/.pyd): importable, names unknown
    in_package: bool  # its folder is a regular package
    exempt: bool  # a test file, setup.py or __main__.py
    is_test: bool
    selected: bool  # findings on it are reported
    config: CheckConfig
    _path: Path | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def path(self) -> Path:
        """The absolute path, made when first asked (a Path per file cost a third of discovery)."""
        return self._path or _made_path(self, self.file)


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of the tree, for the layout rules."""

    directory: str  # the absolute path, as a string (`path` is the same as a Path)
    rel: str
    module: str
    has_init: bool
    parent_is_package: bool
    holds_code: bool
    is_root: bool
    selected: bool
    config: CheckConfig
    _path: Path | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def path(self) -> Path:
        """The absolute path, made when first asked (a warm run asks for none)."""
        return self._path or _made_path(self, self.directory)


@dataclass
class Tree:
    """The discovered tree: roots, files, folders, the projects whose entry points to check."""

    base: Path
    roots: list[Path]
    files: list[SourceFile] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    configs: list[CheckConfig] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Named files checked in their whole project: that project's folder, walked as
    # `scaffold check .` there walks it (its cache is that run's: incremental.location).
    project: Path | None = None

    def rel(self, path: Path | str) -> str:
        """`path` relative to the checked folder, with POSIX slashes."""
        text = os.fspath(path)
        base = os.fspath(self.base)
        prefix = base if base.endswith(os.sep) else base + os.sep
        if text.startswith(prefix) and os.path.isabs(text) and os.path.normpath(text) == text:
            rel = text[len(prefix) :]  # what relpath returns, without its two abspath calls
        else:
            rel = os.path.relpath(text, base)
        return display_path(rel.replace(os.sep, "/") if os.sep != "/" else rel)


def _suffix(name: str) -> str:
    """`PurePath(name).suffix`, on a string."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def discover(path: Path, *, also: Sequence[Path] = (), settings: Settings | None = None) -> Tree:
    """Walk PATH: find roots, files and their module names.

    When PATH is a file, `also` names further files of the same package root, checked in the
    same tree (pre-commit names several files of one project at once). `settings` replaces
    every pyproject.toml's `[tool.scaffold.check]` table (`--config`, `--isolated`).
    """
    # A tree's files and folders are acyclic and stay alive: collecting while they are
    # made only rescans them (~8 % of a warm run's discovery on a 10,000-file tree).
    with without_cyclic_gc():
        return _discover(path, also, settings)


def _discover(path: Path, also: Sequence[Path], settings: Settings | None) -> Tree:
    path = Path(os.path.abspath(path))
    is_file = is_file_path(path)
    named = [path, *(Path(os.path.abspath(p)) for p in also)] if is_file else []
    for file in named:
        if file.suffix not in (".py", ".pyi"):
            raise UsageError(f"not a Python file: {file}")
    base = Path(os.path.commonpath([str(f.parent) for f in named])) if is_file else path
    # Inside a package, modules only make sense from the first folder above it without one;
    # that folder is the root, but only the top packages below it are walked.
    scan, walk_from = package_root(named[0].parent if is_file else path)
    starts = {package_root(f.parent)[1] for f in named} | {walk_from}
    config = nearest_config(base, settings)
    beside = is_file  # only the packages beside the named files are walked
    if is_file and config.pyproject is not None and scan.is_relative_to(config.directory):
        # Named files (pre-commit's staged ones) are checked in their whole project, as
        # `scaffold check .` checks them: a test's import of the package, or one top
        # package's of another, is resolved rather than taken as third-party.
        scan, starts, beside = config.directory, {config.directory}, False
    tree = Tree(base=base, roots=[], project=None if beside or not is_file else scan)
    walk = Walk(tree, scan, beside, config, settings)
    for start in [scan] if scan in starts else sorted(starts):
        walk.run(str(start))
    tree.roots = sorted(walk.roots, key=lambda p: (len(p.parts), str(p)))
    tree.configs = sorted(walk.configs.values(), key=lambda c: str(c.directory))
    roots_of = _RootFinder(tree.roots)
    target = _Target(str(path), frozenset(str(f) for f in named))
    rels = _Rels(tree)
    _name_files(tree, walk.files, _Namer(tree, target, walk.init_dirs, roots_of, rels))
    _describe_folders(tree, target, walk, roots_of, rels)
    return tree


class _Target(NamedTuple):
    """What was named: a folder (every file below it is reported) or files (those are)."""

    folder: str
    files: frozenset[str]

    def selects(self, path: str) -> bool:
        return path in self.files if self.files else _below(path, self.folder)

    def selects_all_in(self, folder: str) -> bool | None:
        """Whether every file of `folder` is selected, or None when each is asked alone.
        (A file is below the named folder exactly when its own folder is.)"""
        return None if self.files else _below(folder, self.folder)


class _Rels(dict[str, str]):
    """`Tree.rel` of the walk's folders, each made once. The walk's strings are absolute and
    normalised: one below the checked folder is its tail, with no relpath or normpath."""

    def __init__(self, tree: Tree) -> None:
        super().__init__()
        self.tree = tree
        self.prefix = folder_prefix(str(tree.base))

    def __missing__(self, folder: str) -> str:
        if folder.startswith(self.prefix):
            rel = folder[len(self.prefix) :]
            rel = rel.replace(os.sep, "/") if os.sep != "/" else rel
            rel = rel if rel.isascii() else display_path(rel)
        else:
            rel = self.tree.rel(folder)
        self[folder] = rel
        return rel


class _RootFinder:
    """The deepest root above a path: a file under `PATH/src` is never a module of PATH."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = [str(r) for r in roots]
        self.index = {r: i for i, r in enumerate(self.roots)}
        # Deepest first; among roots above one path, the deepest is also the longest.
        self._by_depth = sorted(
            ((folder_prefix(r), r) for r in self.roots), key=lambda item: -len(item[0])
        )
        self._memo: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        """The root of `path`; a path outside every root is its own parent's."""
        found = self._memo.get(path)
        if found is None:
            for prefix, root in self._by_depth:
                if path == root or path.startswith(prefix):
                    found = root
                    break
            else:
                found = os.path.dirname(path)
            self._memo[path] = found
        return found


_UNKNOWN = "\0"  # no dotted name can hold NUL


def _parts_below(path: str, root: str) -> list[str]:
    """`Path(path).relative_to(root).parts`, for a `path` strictly below `root`."""
    return path[len(folder_prefix(root)) :].split(os.sep)


def _below(path: str, target: str) -> bool:
    return path == target or path.startswith(folder_prefix(target))


def _inside_package(folder: str, root: str, init_dirs: set[str]) -> bool:
    """Whether `folder` or a folder between it and `root` is a regular package."""
    while folder != root and os.path.dirname(folder) != folder:
        if folder in init_dirs:
            return True
        folder = os.path.dirname(folder)
    return False


def _name_files(tree: Tree, raw: list[FolderFiles], namer: _Namer) -> None:
    named: list[tuple[tuple[int, int, str], SourceFile]] = []
    for folder, config, files_here in raw:
        namer.name_folder(folder, config, files_here, named)
    # Packages before modules (the import system prefers them), then earlier roots.
    named.sort(key=lambda item: item[0])
    regular = {s.module for _, s in named if s.is_package and not s.scope and not s.is_stub}
    taken: set[str] = set()
    files: list[SourceFile] = []
    for (_, _, path), source in named:
        key = source.key
        # PEP 420: a regular package of a name, in any root, hides namespace portions of it.
        hidden = any(prefix in regular for prefix in namer.portions.get(path, ()))
        if not source.module or key in taken or hidden:
            key = f"{source.rel}#file"
        taken.add(key)
        files.append(source if key == source.key else replace(source, key=key))
    files.sort(key=attrgetter("rel"))
    tree.files = files


class _Place(NamedTuple):
    """What the files of one folder share: its root, module parts, scope, portions..."""

    root: str
    prefix: list[str]
    valid: bool
    scope: str
    portions: tuple[str, ...]
    in_tests: bool
    rel: str


class _Namer:
    """The module each file is, by where it lies: below a root, a package, a script folder.
    All but the file's own name is worked out once per folder (`_place`): naming was most of
    discovery's time (docs/decisions.md, issue 20)."""

    def __init__(
        self,
        tree: Tree,
        target: _Target,
        init_dirs: set[str],
        root_of: _RootFinder,
        rels: _Rels,
    ) -> None:
        self.tree = tree
        self.target = target
        self.init_dirs = init_dirs
        self.root_of = root_of
        self.rels = rels
        # Module-name prefixes that are namespace folders in the file's own root.
        self.portions: dict[str, tuple[str, ...]] = {}
        self._places: dict[str, _Place] = {}

    def name_folder(
        self,
        folder: str,
        config: CheckConfig,
        files: list[tuple[str, str]],
        named: list[tuple[tuple[int, int, str], SourceFile]],
    ) -> None:
        """Each (name, path) file of `folder` as a SourceFile (its key not yet made unique),
        with its rank among the files of the same key, added to `named`: packages, then
        compiled modules, then source; earlier roots first."""
        place = self._places.get(folder) or self._place(files[0][1], folder)
        in_package = folder in self.init_dirs
        all_selected = self.target.selects_all_in(folder)
        root_index = self.root_of.index[place.root]
        rel_prefix = "" if place.rel == "." else place.rel + "/"
        for name, path in files:
            suffix = _suffix(name)
            is_stub = suffix == ".pyi"
            is_extension = suffix in (".so", ".pyd")
            # `_speedups.cpython-311-x86_64-linux-gnu.so` is the module `_speedups`.
            stem = name.partition(".")[0] if is_extension else name[: -len(suffix)]
            is_package = stem == "__init__"
            if is_package:
                valid = place.valid and bool(place.prefix)
                module = ".".join(place.prefix) if valid else ""
            else:
                valid = place.valid and _is_identifier(stem)
                module = ".".join([*place.prefix, stem]) if valid else ""
            if module and not place.scope:
                self.portions[path] = place.portions
            key = f"{place.scope}:{module}" if place.scope else module
            if is_stub:
                key = f"{key}.pyi"
            base = name.rsplit(".", 1)[0]
            is_test = place.in_tests or base.startswith("test_") or base.endswith("_test")
            is_test = is_test or name == "conftest.py"
            source = SourceFile(
                path,
                rel_prefix + (name if name.isascii() else display_path(name)),
                module,
                key,
                place.scope,
                is_package,
                is_stub,
                is_extension,
                in_package,
                is_test or name in _EXEMPT_FILES,
                is_test,
                self.target.selects(path) if all_selected is None else all_selected,
                config,
            )
            # The import system tries a package folder, then compiled modules, then source.
            kind = 0 if is_package else 1 if is_extension else 2
            named.append(((kind, root_index, path), source))

    def _place(self, path: str, folder: str) -> _Place:
        root = self.root_of(path)
        folder_parts = _parts_below(path, root)[:-1]
        rel, scope = self.rels[folder], ""
        if folder == root:
            prefix: list[str] = []
        elif _inside_package(folder, root, self.init_dirs):
            # Folders without __init__.py below a regular package are (accidental)
            # namespace packages: the dotted path still imports.
            prefix = folder_parts
        else:
            # A folder of scripts: each imports its neighbours by bare name.
            prefix, scope = [], rel
        portions = [
            ".".join(prefix[:i])
            for i in range(1, len(prefix) + 1)
            if os.path.join(root, *prefix[:i]) not in self.init_dirs
        ]
        valid = all(_is_identifier(p) for p in prefix)
        in_tests = any(p in _TEST_DIRS for p in folder_parts)
        place = _Place(root, prefix, valid, scope, tuple(portions), in_tests, rel)
        return self._places.setdefault(folder, place)


def _describe_folders(
    tree: Tree, target: _Target, walk: Walk, root_of: _RootFinder, rels: _Rels
) -> None:
    # A folder holds code when any .py file lies below it, however deep.
    has_code: set[str] = set()
    for folder in walk.code_dirs:
        while folder not in has_code:
            has_code.add(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    roots = set(root_of.roots)
    init_dirs = walk.init_dirs
    # Each folder's dotted name below its root ("" for a root; None when no import can name
    # it), from its parent's: parents sort first. One identifier test per folder, not per part.
    dotted: dict[str, str | None] = {}
    for folder, config in sorted(walk.dirs, key=itemgetter(0)):
        parent = os.path.dirname(folder)
        dotted[folder] = _dotted_name(folder, parent, root_of(folder), dotted)
        module = dotted[folder] or ""
        tree.folders.append(
            Folder(
                directory=folder,
                rel=rels[folder],
                module=module,
                has_init=folder in init_dirs,
                parent_is_package=parent in init_dirs and folder not in roots,
                holds_code=folder in has_code,
                is_root=folder in roots,
                selected=not target.files and _below(folder, target.folder),
                config=config,
            )
        )


def _dotted_name(folder: str, parent: str, root: str, dotted: dict[str, str | None]) -> str | None:
    """`folder`'s dotted name below `root` ("" when it is the root; None when a part is no
    identifier), from its `parent`'s in `dotted` when known. A folder strictly below its
    root has its parent's root (a deeper root above the parent would be above it too)."""
    if folder == root:
        return ""
    name = os.path.basename(folder)
    above = "" if parent == root else dotted.get(parent, _UNKNOWN)
    if above is _UNKNOWN:
        parts = _parts_below(folder, root)
        return ".".join(parts) if all(_is_identifier(p) for p in parts) else None
    if above is None or not _is_identifier(name):
        return None
    return f"{above}.{name}" if above else name
