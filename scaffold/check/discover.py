"""Which files to check and what module each one is: roots, script folders, skips."""

from __future__ import annotations

import keyword
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from scaffold.check.config import CheckConfig, Settings, load_config, nearest_config
from scaffold.check.ignores import Ignores, folder_prefix
from scaffold.check.members import is_member_root, package_root
from scaffold.check.paths import is_file_path
from scaffold.errors import UsageError

__all__ = [
    "Folder",
    "SourceFile",
    "Tree",
    "discover",
    "display_path",
]

_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})
# Build output, unless it is a real package of that name (pip._internal.operations.build).
_OUTPUT_DIRS = frozenset({"build", "dist"})
_TEST_DIRS = frozenset({"tests", "test"})
_SOURCE_SUFFIXES = (".py", ".pyi", ".so", ".pyd")
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


def _git_top(start: Path) -> Path | None:
    return next((f for f in [start, *start.parents] if os.path.lexists(f / ".git")), None)


def discover(path: Path, *, also: Sequence[Path] = (), settings: Settings | None = None) -> Tree:
    """Walk PATH: find roots, files and their module names.

    When PATH is a file, `also` names further files of the same package root, checked in the
    same tree (pre-commit names several files of one project at once). `settings` replaces
    every pyproject.toml's `[tool.scaffold.check]` table (`--config`, `--isolated`).
    """
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
    tree = Tree(base=base, roots=[])
    walk = _Walk(tree, scan, is_file, nearest_config(base, settings), settings)
    for start in [scan] if scan in starts else sorted(starts):
        walk.run(str(start))
    tree.roots = sorted(walk.roots, key=lambda p: (len(p.parts), str(p)))
    tree.configs = sorted(walk.configs.values(), key=lambda c: str(c.directory))
    roots_of = _RootFinder(tree.roots)
    target = _Target(str(path), frozenset(str(f) for f in named))
    _name_files(tree, target, walk.files, walk.init_dirs, roots_of)
    files = [f for f, _ in walk.files]
    _describe_folders(tree, target, walk.dirs, walk.init_dirs, files, roots_of)
    return tree


class _Target(NamedTuple):
    """What was named: a folder (every file below it is reported) or files (those are)."""

    folder: str
    files: frozenset[str]

    def selects(self, path: str) -> bool:
        return path in self.files if self.files else _below(path, self.folder)


class _Walk:
    """The walk below the scanned folder: its files, folders, configs, roots and ignores.

    It works on strings (absolute, normalised): pathlib costs ~10x more per path.
    """

    def __init__(
        self,
        tree: Tree,
        scan: Path,
        is_file: bool,
        top_config: CheckConfig,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings
        self.tree = tree
        self.scan = str(scan)
        self.is_file = is_file
        self.ignores = Ignores()
        git_top = _git_top(scan)
        if git_top is not None:
            for folder in [scan, *scan.parents]:
                self._gitignore(folder)
                if folder == git_top:
                    break
        self.top_config = top_config
        self.configs: dict[Path, CheckConfig] = {top_config.directory: top_config}
        self.ignores.add(top_config.directory, list(top_config.exclude))
        probe = tree.base / "__scaffold_probe__.py"
        if self.ignores.ignored(probe, False):
            # PATH was named explicitly: patterns that exclude everything in it do not apply.
            self.ignores.unignore(probe)
        self.roots: set[Path] = {scan}
        self.files: list[tuple[str, CheckConfig]] = []
        self.init_dirs: set[str] = set()
        self.dirs: list[tuple[str, CheckConfig]] = []
        if is_member_root(str(top_config.directory), self.scan):
            _add_src_roots(top_config, self.roots)

    def run(self, walk_from: str) -> None:
        """Walk from `walk_from`, depth first in name order, each folder once."""
        seen: set[tuple[int, int]] = set()
        stack: list[tuple[str, CheckConfig]] = [(walk_from, self.top_config)]
        while stack:
            here, config = stack.pop()
            try:
                info = os.stat(here)
            except OSError as exc:
                self.tree.notes.append(f"skipped {self.tree.rel(here)}: {exc.strerror or exc}")
                continue
            ident = (info.st_dev, info.st_ino)
            if ident in seen:
                self.tree.notes.append(
                    f"skipped {self.tree.rel(here)}: symlink loop or repeated folder"
                )
                continue
            seen.add(ident)
            config = self.enter(here, config)
            self.dirs.append((here, config))
            stack.extend(reversed(self.scan_folder(here, config)))

    def enter(self, here: str, config: CheckConfig) -> CheckConfig:
        """The config of a folder: its own pyproject.toml's (a new root unless in a package), or
        its parent's."""
        if here != self.scan and os.path.isfile(os.path.join(here, "pyproject.toml")):
            folder_path = Path(here)
            config = self.configs.setdefault(folder_path, load_config(folder_path, self.settings))
            self.ignores.add(folder_path, list(config.exclude))
            if is_member_root(here, self.scan):
                self.roots.add(folder_path)
                _add_src_roots(config, self.roots)
        if here != self.scan and os.path.lexists(os.path.join(here, ".gitignore")):
            self._gitignore(Path(here))
        return config

    def _gitignore(self, folder: Path) -> None:
        note = self.ignores.add_gitignore(folder)
        if note is not None:
            self.tree.notes.append(note)

    def scan_folder(self, here: str, config: CheckConfig) -> list[tuple[str, CheckConfig]]:
        """Note the source files of one folder; the subfolders to walk, in name order."""
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            self.tree.notes.append(f"skipped {self.tree.rel(here)}: {exc.strerror or exc}")
            return []
        join = os.path.join
        isfile = os.path.isfile
        children: list[tuple[str, CheckConfig]] = []
        for entry in entries:
            name = entry.name
            child = entry.path
            try:
                is_dir = entry.is_dir()
                is_regular = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if name.startswith(".") or name in _SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                if name in _OUTPUT_DIRS and not isfile(join(child, "__init__.py")):
                    continue
                if os.path.exists(join(child, "pyvenv.cfg")) or self.ignores.ignored(child, True):
                    continue
                if self.is_file and here == self.scan and not isfile(join(child, "__init__.py")):
                    continue  # beside a single file only its importable packages matter
                children.append((child, config))
            elif is_regular and name.endswith(_SOURCE_SUFFIXES):
                if name == "__init__.py":
                    self.init_dirs.add(here)
                if self.ignores.ignored(child, False):
                    continue
                self.files.append((child, config))
            elif name.endswith(_SOURCE_SUFFIXES) and not self.ignores.ignored(child, False):
                kind = "a broken link" if not os.path.exists(child) else "not a regular file"
                self.tree.notes.append(f"skipped {self.tree.rel(child)}: {kind}")
        return children


def _add_src_roots(config: CheckConfig, roots: set[Path]) -> None:
    if (config.directory / "src").is_dir():
        roots.add(config.directory / "src")
    for extra in config.src:
        candidate = (config.directory / extra).resolve()
        if candidate.is_dir():
            roots.add(Path(os.path.abspath(config.directory / extra)))


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
            found = os.path.dirname(path)
            for prefix, root in self._by_depth:
                if path == root or path.startswith(prefix):
                    found = root
                    break
            self._memo[path] = found
        return found


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


def _name_files(
    tree: Tree,
    target: _Target,
    raw: list[tuple[str, CheckConfig]],
    init_dirs: set[str],
    root_of: _RootFinder,
) -> None:
    namer = _Namer(tree, target, init_dirs, root_of)
    named = [namer.name(path, config) for path, config in raw]
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
    files.sort(key=lambda f: f.rel)
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
        self, tree: Tree, target: _Target, init_dirs: set[str], root_of: _RootFinder
    ) -> None:
        self.tree = tree
        self.target = target
        self.init_dirs = init_dirs
        self.root_of = root_of
        # Module-name prefixes that are namespace folders in the file's own root.
        self.portions: dict[str, tuple[str, ...]] = {}
        self._places: dict[str, _Place] = {}

    def name(self, path: str, config: CheckConfig) -> tuple[tuple[int, int, str], SourceFile]:
        """One file as a SourceFile (its key not yet made unique), and its rank among the
        files of the same key: packages, then compiled modules, then source; earlier roots."""
        folder, name = os.path.split(path)
        place = self._places.get(folder) or self._place(path, folder)
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
        # The import system tries a package folder, then compiled modules, then source.
        kind = 0 if is_package else 1 if is_extension else 2
        base = name.rsplit(".", 1)[0]
        is_test = place.in_tests or base.startswith("test_") or base.endswith("_test")
        is_test = is_test or name == "conftest.py"
        source = SourceFile(
            file=path,
            rel=f"{place.rel}/{display_path(name)}" if place.rel != "." else display_path(name),
            module=module,
            key=key,
            scope=place.scope,
            is_package=is_package,
            is_stub=is_stub,
            is_extension=is_extension,
            in_package=folder in self.init_dirs,
            exempt=is_test or name in _EXEMPT_FILES,
            is_test=is_test,
            selected=self.target.selects(path),
            config=config,
        )
        return (kind, self.root_of.index[place.root], path), source

    def _place(self, path: str, folder: str) -> _Place:
        root = self.root_of(path)
        folder_parts = _parts_below(path, root)[:-1]
        rel, scope = self.tree.rel(folder), ""
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
    tree: Tree,
    target: _Target,
    dirs: list[tuple[str, CheckConfig]],
    init_dirs: set[str],
    files: list[str],
    root_of: _RootFinder,
) -> None:
    # A folder holds code when any .py file lies below it, however deep.
    has_code: set[str] = set()
    for path in files:
        if _suffix(os.path.basename(path)) == ".py":
            folder = os.path.dirname(path)
            while folder not in has_code:
                has_code.add(folder)
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent
    roots = set(root_of.roots)
    for folder, config in sorted(dirs, key=lambda d: d[0]):
        root = root_of(folder)
        parts = _parts_below(folder, root) if folder != root else []
        module = ".".join(parts) if parts and all(_is_identifier(p) for p in parts) else ""
        tree.folders.append(
            Folder(
                directory=folder,
                rel=tree.rel(folder),
                module=module,
                has_init=folder in init_dirs,
                parent_is_package=os.path.dirname(folder) in init_dirs and folder not in roots,
                holds_code=folder in has_code,
                is_root=folder in roots,
                selected=not target.files and _below(folder, target.folder),
                config=config,
            )
        )
