"""The walk below a checked folder: its source files, folders, configs, roots and ignores."""

from __future__ import annotations

import os
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.config import CheckConfig, Settings, holds_pyproject, load_config
from scaffold.check.ignores import Ignores, git_exclude_files
from scaffold.check.members import is_member_root

if TYPE_CHECKING:
    from scaffold.check.discover import Tree

__all__ = ["FolderFiles", "Walk", "git_top"]

_ENTRY_NAME = attrgetter("name")

_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})
# Build output, unless it is a real package of that name (pip._internal.operations.build).
_OUTPUT_DIRS = frozenset({"build", "dist"})
_SOURCE_SUFFIXES = (".py", ".pyi", ".so", ".pyd")

# The source files of one folder, as the walk found them: (the folder, its config, and
# (name, path) of each file in name order).
FolderFiles = tuple[str, CheckConfig, list[tuple[str, str]]]


def git_top(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `.git` (a folder or a file), or None."""
    return next((f for f in [start, *start.parents] if os.path.lexists(f / ".git")), None)


class Walk:
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
        top = git_top(scan)
        if top is not None:
            for folder in [scan, *scan.parents]:
                self._gitignore(folder)
                if folder == top:
                    break
            # After the .gitignore files: git lets any of them decide before these.
            for excludes in git_exclude_files(top):
                self._gitignore(top, excludes)
        self.top_config = top_config
        self.configs: dict[Path, CheckConfig] = {top_config.directory: top_config}
        self.ignores.add(top_config.directory, list(top_config.exclude))
        probe = tree.base / "__scaffold_probe__.py"
        if self.ignores.ignored(probe, False):
            # PATH was named explicitly: patterns that exclude everything in it do not apply.
            self.ignores.unignore(probe)
        self.roots: set[Path] = {scan}
        self.files: list[FolderFiles] = []
        # The folders holding a `.py` file themselves (not only below them).
        self.code_dirs: set[str] = set()
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
            listing = _Listing.of(here)
            try:
                info = os.stat(here)
            except OSError as exc:
                if here == walk_from or not listing.holds_venv(here):
                    self.tree.notes.append(f"skipped {self.tree.rel(here)}: {exc.strerror or exc}")
                continue
            if here != walk_from and listing.holds_venv(here):
                continue  # a virtual environment's folder (its parent never walks it)
            ident = (info.st_dev, info.st_ino)
            if ident in seen:
                self.tree.notes.append(
                    f"skipped {self.tree.rel(here)}: symlink loop or repeated folder"
                )
                continue
            seen.add(ident)
            config = self.enter(here, config, listing)
            self.dirs.append((here, config))
            stack.extend(reversed(self.scan_folder(here, config, listing)))

    def enter(self, here: str, config: CheckConfig, listing: _Listing) -> CheckConfig:
        """The config of a folder: its own pyproject.toml's (a new root unless in a package), or
        its parent's."""
        if here == self.scan:
            return config
        if listing.may_hold("pyproject.toml") and holds_pyproject(here):
            folder_path = Path(here)
            config = self.configs.setdefault(folder_path, load_config(folder_path, self.settings))
            self.ignores.add(folder_path, list(config.exclude))
            if is_member_root(here, self.scan):
                self.roots.add(folder_path)
                _add_src_roots(config, self.roots)
        if listing.may_hold(".gitignore") and os.path.lexists(os.path.join(here, ".gitignore")):
            self._gitignore(Path(here))
        return config

    def _gitignore(self, folder: Path, path: Path | None = None) -> None:
        note = self.ignores.add_gitignore(folder, path)
        if note is not None:
            self.tree.notes.append(note)

    def scan_folder(
        self, here: str, config: CheckConfig, listing: _Listing
    ) -> list[tuple[str, CheckConfig]]:
        """Note the source files of one folder; the subfolders to walk, in name order."""
        if listing.error is not None:
            error = listing.error
            self.tree.notes.append(f"skipped {self.tree.rel(here)}: {error.strerror or error}")
            return []
        ignored = self.ignores.within(here)
        isfile = os.path.isfile
        beside_file = self.is_file and here == self.scan
        children: list[tuple[str, CheckConfig]] = []
        files: list[tuple[str, str]] = []
        for entry in listing.entries:
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
                if name in _OUTPUT_DIRS and not isfile(os.path.join(child, "__init__.py")):
                    continue
                if ignored is not None and ignored(child, True):
                    continue
                if beside_file and not isfile(os.path.join(child, "__init__.py")):
                    continue  # beside a single file only its importable packages matter
                # A virtual environment below (pyvenv.cfg) is left when it is listed.
                children.append((child, config))
            elif is_regular and name.endswith(_SOURCE_SUFFIXES):
                if name == "__init__.py":
                    self.init_dirs.add(here)
                if ignored is not None and ignored(child, False):
                    continue
                files.append((name, child))
            elif name.endswith(_SOURCE_SUFFIXES) and not (
                ignored is not None and ignored(child, False)
            ):
                kind = "a broken link" if not os.path.exists(child) else "not a regular file"
                self.tree.notes.append(f"skipped {self.tree.rel(child)}: {kind}")
        if files:
            self.files.append((here, config, files))
            # What `PurePath(name).suffix == ".py"` says: ".py" alone has no suffix.
            if any(len(name) > 3 and name.endswith(".py") for name, _ in files):
                self.code_dirs.add(here)
        return children


# The names a folder's own listing is asked for. On a case-insensitive file system a
# differently cased entry is the same file: those are looked up as before.
_LOOKED_UP = frozenset({"pyproject.toml", ".gitignore", "pyvenv.cfg"})
_LOOKED_UP_LENGTHS = frozenset(len(name) for name in _LOOKED_UP)


class _Listing:
    """One folder's entries in name order, read once: the walk answers "is there a
    pyproject.toml, .gitignore or pyvenv.cfg here" from them rather than with a stat per
    name per folder (three of every four stats of a warm run's discovery)."""

    __slots__ = ("_names", "entries", "error")

    def __init__(
        self, entries: list[os.DirEntry[str]], error: OSError | None, names: frozenset[str] | None
    ) -> None:
        self.entries = entries
        self.error = error
        self._names = names  # None: unknown (the listing failed), so every name may be here

    @classmethod
    def of(cls, folder: str) -> _Listing:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=_ENTRY_NAME)
        except OSError as exc:
            return cls([], exc, None)
        names = frozenset(
            lowered
            for entry in entries
            if len(entry.name) in _LOOKED_UP_LENGTHS
            and (lowered := entry.name.lower()) in _LOOKED_UP
        )
        return cls(entries, None, names)

    def may_hold(self, name: str) -> bool:
        """False only when the listing has no entry of that name, in any case."""
        return self._names is None or name in self._names

    def holds_venv(self, folder: str) -> bool:
        """Whether `folder` (this listing's) is a virtual environment: it has pyvenv.cfg."""
        return self.may_hold("pyvenv.cfg") and os.path.exists(os.path.join(folder, "pyvenv.cfg"))


def _add_src_roots(config: CheckConfig, roots: set[Path]) -> None:
    if (config.directory / "src").is_dir():
        roots.add(config.directory / "src")
    for extra in config.src:
        candidate = (config.directory / extra).resolve()
        if candidate.is_dir():
            roots.add(Path(os.path.abspath(config.directory / extra)))
