"""Which files to check and what module each one is: roots, script folders, skips."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from scaffold.check.config import CheckConfig, load_config
from scaffold.errors import UsageError

__all__ = ["Folder", "SourceFile", "Tree", "discover", "display_path"]

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
    import keyword

    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A `.py`/`.pyi` file and the module Python would import it as."""

    path: Path
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


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of the tree, for the layout rules."""

    path: Path
    rel: str
    module: str
    has_init: bool
    parent_is_package: bool
    holds_code: bool
    is_root: bool
    selected: bool
    config: CheckConfig


@dataclass
class Tree:
    """The discovered tree: roots, files, folders, the projects whose entry points to check."""

    base: Path
    roots: list[Path]
    files: list[SourceFile] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    configs: list[CheckConfig] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        """`path` relative to the checked folder, with POSIX slashes."""
        return display_path(Path(os.path.relpath(path, self.base)).as_posix())


class _Ignores:
    """`.gitignore` files and `exclude` patterns, each anchored at its own folder."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []

    def add(self, directory: Path, lines: list[str]) -> None:
        if lines:
            self.specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))

    def add_gitignore(self, directory: Path) -> None:
        try:
            text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        self.add(directory, text.splitlines())

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for directory, spec in self.specs:
            try:
                rel = path.relative_to(directory).as_posix()
            except ValueError:
                continue
            if rel == ".":
                continue
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False


def _nearest_config(start: Path) -> CheckConfig:
    for folder in [start, *start.parents]:
        if (folder / "pyproject.toml").is_file():
            return load_config(folder)
    return CheckConfig(directory=start)


def _git_top(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def discover(path: Path) -> Tree:
    """Walk PATH (DESIGN §5 "Which files"): find roots, files and their module names."""
    path = Path(os.path.abspath(path))
    if not path.exists():
        raise UsageError(f"path does not exist: {path}")
    is_file = path.is_file()
    base = path.parent if is_file else path
    scan = base
    walk_from = base
    # Inside a package, modules only make sense from the first folder above it without one;
    # that folder is the root, but only the top package below it is walked.
    while (scan / "__init__.py").is_file() and scan.parent != scan:
        walk_from = scan
        scan = scan.parent
    top_config = _nearest_config(base)
    tree = Tree(base=base, roots=[])
    ignores = _Ignores()
    git_top = _git_top(scan)
    if git_top is not None:
        for folder in [scan, *scan.parents]:
            ignores.add_gitignore(folder)
            if folder == git_top:
                break
    configs: dict[Path, CheckConfig] = {top_config.directory: top_config}
    ignores.add(top_config.directory, list(top_config.exclude))
    probe = base / "__scaffold_probe__.py"
    if ignores.ignored(probe, False):
        # PATH was named explicitly: patterns that exclude everything in it do not apply.
        ignores.specs = [
            (d, s) for d, s in ignores.specs if not s.match_file(probe.relative_to(d).as_posix())
        ]
    roots: set[Path] = {scan}
    raw_files: list[tuple[Path, CheckConfig]] = []
    init_dirs: set[Path] = set()
    dirs: list[tuple[Path, CheckConfig]] = []
    _add_src_roots(top_config, roots)
    if is_file and path.suffix not in (".py", ".pyi"):
        raise UsageError(f"not a Python file: {path}")
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Path, CheckConfig]] = [(walk_from, top_config)]
    while stack:
        folder, config = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            tree.notes.append(f"skipped {tree.rel(folder)}: {exc.strerror or exc}")
            continue
        ident = (info.st_dev, info.st_ino)
        if ident in seen:
            tree.notes.append(f"skipped {tree.rel(folder)}: symlink loop or repeated folder")
            continue
        seen.add(ident)
        if folder != scan and (folder / "pyproject.toml").is_file():
            config = configs.setdefault(folder, load_config(folder))
            ignores.add(folder, list(config.exclude))
            roots.add(folder)
            _add_src_roots(config, roots)
        if folder != scan and (folder / ".gitignore").is_file():
            ignores.add_gitignore(folder)
        dirs.append((folder, config))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            tree.notes.append(f"skipped {tree.rel(folder)}: {exc.strerror or exc}")
            continue
        children: list[tuple[Path, CheckConfig]] = []
        for entry in entries:
            name = entry.name
            child = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_regular = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if name.startswith(".") or name in _SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                if name in _OUTPUT_DIRS and not (child / "__init__.py").is_file():
                    continue
                if (child / "pyvenv.cfg").exists() or ignores.ignored(child, True):
                    continue
                if is_file and folder == scan and not (child / "__init__.py").is_file():
                    continue  # beside a single file only its importable packages matter
                children.append((child, config))
            elif is_regular and name.endswith(_SOURCE_SUFFIXES):
                if name == "__init__.py":
                    init_dirs.add(folder)
                if ignores.ignored(child, False):
                    continue
                raw_files.append((child, config))
        stack.extend(reversed(children))
    tree.roots = sorted(roots, key=lambda p: (len(p.parts), str(p)))
    tree.configs = sorted(configs.values(), key=lambda c: str(c.directory))
    _name_files(tree, path, is_file, raw_files, init_dirs)
    _describe_folders(tree, path, is_file, dirs, init_dirs, {f for f, _ in raw_files})
    return tree


def _add_src_roots(config: CheckConfig, roots: set[Path]) -> None:
    if (config.directory / "src").is_dir():
        roots.add(config.directory / "src")
    for extra in config.src:
        candidate = (config.directory / extra).resolve()
        if candidate.is_dir():
            roots.add(Path(os.path.abspath(config.directory / extra)))


def _root_of(path: Path, roots: list[Path]) -> Path:
    """The deepest root above `path`: a file under `PATH/src` is never a module of PATH."""
    best: Path | None = None
    for root in roots:
        if path.is_relative_to(root) and (best is None or len(root.parts) > len(best.parts)):
            best = root
    return best if best is not None else path.parent


def _inside_package(folder: Path, root: Path, init_dirs: set[Path]) -> bool:
    """Whether `folder` or a folder between it and `root` is a regular package."""
    while folder != root and folder.parent != folder:
        if folder in init_dirs:
            return True
        folder = folder.parent
    return False


def _selected(path: Path, target: Path, is_file: bool) -> bool:
    return path == target if is_file else path.is_relative_to(target)


def _is_test(rel_parts: tuple[str, ...]) -> bool:
    name = rel_parts[-1]
    stem = name.rsplit(".", 1)[0]
    return (
        any(p in _TEST_DIRS for p in rel_parts[:-1])
        or stem.startswith("test_")
        or stem.endswith("_test")
        or name == "conftest.py"
    )


def _name_files(
    tree: Tree,
    target: Path,
    is_file: bool,
    raw: list[tuple[Path, CheckConfig]],
    init_dirs: set[Path],
) -> None:
    taken: set[str] = set()
    named: list[tuple[tuple[int, int, str], SourceFile]] = []
    # Module-name prefixes that are namespace folders in the file's own root.
    portions: dict[Path, tuple[str, ...]] = {}
    for path, config in raw:
        root = _root_of(path, tree.roots)
        folder = path.parent
        is_stub = path.suffix == ".pyi"
        is_extension = path.suffix in (".so", ".pyd")
        # `_speedups.cpython-311-x86_64-linux-gnu.so` is the module `_speedups`.
        stem = path.name.partition(".")[0] if is_extension else path.name[: -len(path.suffix)]
        is_package = stem == "__init__"
        rel_parts = path.relative_to(root).parts
        scope = ""
        if folder == root:
            parts = [stem]
        elif _inside_package(folder, root, init_dirs):
            # Folders without __init__.py below a regular package are (accidental)
            # namespace packages: the dotted path still imports.
            parts = [*rel_parts[:-1], stem]
        else:
            # A folder of scripts: each imports its neighbours by bare name.
            parts = [stem]
            scope = tree.rel(folder)
        if is_package:
            parts = parts[:-1]
        module = ".".join(parts) if parts and all(_is_identifier(p) for p in parts) else ""
        if module and not scope:
            portions[path] = tuple(
                ".".join(parts[: i + 1])
                for i in range(len(rel_parts) - 1)
                if root.joinpath(*rel_parts[: i + 1]) not in init_dirs
            )
        key = f"{scope}:{module}" if scope else module
        if is_stub:
            key = f"{key}.pyi"
        # The import system tries a package folder, then compiled modules, then source.
        kind = 0 if is_package else 1 if is_extension else 2
        rank = (kind, tree.roots.index(root), str(path))
        named.append(
            (
                rank,
                SourceFile(
                    path=path,
                    rel=tree.rel(path),
                    module=module,
                    key=key,
                    scope=scope,
                    is_package=is_package,
                    is_stub=is_stub,
                    is_extension=is_extension,
                    in_package=folder in init_dirs,
                    exempt=_is_test(rel_parts) or path.name in _EXEMPT_FILES,
                    is_test=_is_test(rel_parts),
                    selected=_selected(path, target, is_file),
                    config=config,
                ),
            )
        )
    # Packages before modules (the import system prefers them), then earlier roots.
    named.sort(key=lambda item: item[0])
    regular = {s.module for _, s in named if s.is_package and not s.scope and not s.is_stub}
    files: list[SourceFile] = []
    for _, source in named:
        key = source.key
        # PEP 420: a regular package of a name, in any root, hides namespace portions of it.
        hidden = any(prefix in regular for prefix in portions.get(source.path, ()))
        if not source.module or key in taken or hidden:
            key = f"{source.rel}#file"
        taken.add(key)
        files.append(_replace_key(source, key))
    files.sort(key=lambda f: f.rel)
    tree.files = files


def _replace_key(source: SourceFile, key: str) -> SourceFile:
    if key == source.key:
        return source
    return SourceFile(
        path=source.path,
        rel=source.rel,
        module=source.module,
        key=key,
        scope=source.scope,
        is_package=source.is_package,
        is_stub=source.is_stub,
        is_extension=source.is_extension,
        in_package=source.in_package,
        exempt=source.exempt,
        is_test=source.is_test,
        selected=source.selected,
        config=source.config,
    )


def _describe_folders(
    tree: Tree,
    target: Path,
    is_file: bool,
    dirs: list[tuple[Path, CheckConfig]],
    init_dirs: set[Path],
    files: set[Path],
) -> None:
    # A folder holds code when any .py file lies below it, however deep.
    has_code: set[Path] = set()
    for path in files:
        if path.suffix == ".py":
            for folder in path.parents:
                if folder in has_code:
                    break
                has_code.add(folder)
    roots = set(tree.roots)
    for folder, config in sorted(dirs, key=lambda d: str(d[0])):
        root = _root_of(folder, tree.roots)
        parts = folder.relative_to(root).parts if folder != root else ()
        module = ".".join(parts) if parts and all(_is_identifier(p) for p in parts) else ""
        tree.folders.append(
            Folder(
                path=folder,
                rel=tree.rel(folder),
                module=module,
                has_init=folder in init_dirs,
                parent_is_package=folder.parent in init_dirs and folder not in roots,
                holds_code=folder in has_code,
                is_root=folder in roots,
                selected=not is_file and folder.is_relative_to(target),
                config=config,
            )
        )
