"""Where a checked folder's cache file lives, and the paths in it: relative to its project root.

The project root is the folder of the pyproject.toml that configures the checked folder,
else the import root (the folder on `sys.path`) that holds it, so a cache is never made
inside a package folder. The cache folder is `.scaffold_cache/` there, unless `--cache-dir`
or `SCAFFOLD_CACHE_DIR` names another. Nothing stored depends on where the checkout is:
a cache restored at another path (a second worktree, a CI runner, a container) is found
and used.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from scaffold.check.discover import SourceFile, Tree
from scaffold.errors import UsageError

__all__ = [
    "CACHE_DIR",
    "CACHE_DIR_ENV",
    "CacheLocation",
    "chosen_cache_dir",
    "index_keys",
    "project_root",
    "relative",
]

CACHE_DIR = ".scaffold_cache"
CACHE_DIR_ENV = "SCAFFOLD_CACHE_DIR"


def relative(path: Path | str, start: Path | str) -> str:
    """`path` relative to `start`, POSIX: the form every path in the cache takes."""
    text = os.path.relpath(path, start)
    return text.replace(os.sep, "/") if os.sep != "/" else text


def chosen_cache_dir(given: str | None) -> Path | None:
    """The folder `--cache-dir` names, else `$SCAFFOLD_CACHE_DIR`'s, else None (the project's
    own `.scaffold_cache/`); a UsageError when it is a file, cannot be looked into, or is
    missing where it cannot be made."""
    option = "--cache-dir"
    if given is None:
        given, option = os.environ.get(CACHE_DIR_ENV) or None, CACHE_DIR_ENV
    if given is None:
        return None
    if not given:  # Path("") is the current folder: the cache and its `*` .gitignore land there
        raise UsageError(f"{option} is empty; give a folder to keep the cache in, or leave it out")
    path = Path(os.path.abspath(given))
    try:
        if path.exists() and not path.is_dir():
            raise UsageError(
                f"{option} {given!r} is not a folder (give a folder to keep the cache in)"
            )
    except OSError as exc:  # a folder on the way this user may not enter
        raise UsageError(f"cannot use {option} {given!r}: {exc.strerror or exc}") from exc
    # A folder that exists is read even when it cannot be written (a cache shared read-only);
    # one that is missing is made by the first write, which must be possible.
    made = path
    while not made.exists() and made.parent != made:
        made = made.parent
    if made != path and not os.access(made, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot create {option} {given!r}: {str(made)!r} is not a writable folder"
        )
    return path


def project_root(tree: Tree) -> Path:
    """The folder the cache belongs to: the pyproject.toml's folder that configures the
    checked folder, else the import root holding it, else the checked folder itself (of
    named files checked in their whole project: that project's folder)."""
    checked = tree.base if tree.project is None else tree.project
    for config in tree.configs:
        if config.pyproject is not None and checked.is_relative_to(config.directory):
            return config.directory
    holding = [root for root in tree.roots if checked.is_relative_to(root)]
    return max(holding, key=lambda root: len(root.parts)) if holding else checked


def _project_name(tree: Tree, root: Path) -> str:
    for config in tree.configs:
        if config.directory == root:
            project = config.data.get("project")
            if isinstance(project, dict) and isinstance(project.get("name"), str):
                return str(project["name"])
    return ""


@dataclass(frozen=True, slots=True)
class CacheLocation:
    """The cache file of one checked folder and the root its stored paths are relative to.

    `prefix`: the tree's base relative to the folder the cache is of ("" when the same), what
    each file's `rel` is joined to for its key in the cache."""

    root: Path
    file: Path
    prefix: str = ""

    @classmethod
    def of(cls, tree: Tree, cache_dir: Path | str | None = None) -> CacheLocation:
        """Where the cache of `tree` is: in `cache_dir`, else `$SCAFFOLD_CACHE_DIR`, else
        `.scaffold_cache/` at the project root.

        One file per checked folder, named by the folder relative to the root (so checking
        a subfolder never evicts the whole project) and by the project's name (so projects
        sharing one cache folder keep their own files; in a folder given, a project without
        a name goes by its folder's name). Named files checked in their whole project (the
        staged files pre-commit names) are of that project's folder, wherever they lie: they
        share the cache, and each file's key in it, of `scaffold check .` run there.
        """
        root = project_root(tree)
        if cache_dir is None:
            cache_dir = os.environ.get(CACHE_DIR_ENV) or None
        folder = root / CACHE_DIR if cache_dir is None else Path(os.path.abspath(cache_dir))
        name = _project_name(tree, root)
        if not name and cache_dir is not None:
            # A shared folder: projects without a name are told apart by their folder's
            # name (a CI runner's workspace keeps it), or two would overwrite each other.
            name = f"\0{root.name}"
        checked = tree.base if tree.project is None else tree.project
        identity = f"{name}\0{relative(checked, root)}"
        digest = hashlib.blake2b(os.fsencode(identity), digest_size=8).hexdigest()
        prefix = "" if checked == tree.base else relative(tree.base, checked)
        return cls(root, folder / f"check-{digest}.bin", prefix)


def index_keys(prefix: str) -> Callable[[SourceFile], str]:
    """Each file's key in a cache's index: its `rel` joined to `prefix` (a file above the
    tree's base comes out below `prefix`'s folder, as when `scaffold check .` is run there),
    each made once; its `rel` itself when `prefix` is "" (no call of Python code per file)."""
    if not prefix:
        return attrgetter("rel")
    made: dict[str, str] = {}

    def key(source: SourceFile) -> str:
        found = made.get(source.rel)
        if found is None:
            found = made[source.rel] = posixpath.normpath(posixpath.join(prefix, source.rel))
        return found

    return key
