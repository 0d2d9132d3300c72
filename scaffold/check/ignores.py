"""`.gitignore` files (and git's other exclude files) and `exclude` patterns, each anchored at
the folder that declares it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.files import read_regular

if TYPE_CHECKING:
    import pathspec

__all__ = ["Ignores", "folder_prefix", "git_exclude_files"]

# git itself ignores a .gitignore above 100 MiB; so does the check, rather than fill memory.
_GITIGNORE_LIMIT = 100 * 1024 * 1024


def folder_prefix(folder: str) -> str:
    """`folder` with one trailing separator: `p.startswith(folder_prefix(f))` is "p is below f"."""
    return folder if folder.endswith(os.sep) else folder + os.sep


class Ignores:
    """`.gitignore` files and `exclude` patterns, each anchored at its own folder.

    An `exclude` pattern that matches a path excludes it. `.gitignore` files decide as git's
    do: the deepest file with a pattern matching the path decides, by its last matching
    pattern, so `!keep.py` in `sub/.gitignore` keeps the `sub/keep.py` that `*.py` in the
    top one ignores (a folder that is ignored is never walked, so nothing below it returns).
    """

    def __init__(self) -> None:
        # (folder, spec, whether it is a .gitignore file's), in the order added.
        self.specs: list[tuple[Path, pathspec.GitIgnoreSpec, bool]] = []
        self._prefixes: list[tuple[str, pathspec.GitIgnoreSpec, bool]] = []

    def add(self, directory: Path, lines: list[str], *, gitignore: bool = False) -> None:
        """Patterns anchored at `directory`: `exclude` ones, or a `.gitignore` file's."""
        if lines:
            # Imported with the first pattern: pathspec costs a tree without any ~10 ms.
            import pathspec

            self.specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines), gitignore))
            self._prefixes = []

    def add_gitignore(self, directory: Path, path: Path | None = None) -> str | None:
        """Read `directory`'s .gitignore (or `path`, a file of patterns anchored there: git's
        other exclude files); a note when one is there but cannot be used."""
        path = directory / ".gitignore" if path is None else path
        try:
            data = read_regular(path, limit=_GITIGNORE_LIMIT)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"skipped {path}: {exc.strerror or exc}"
        self.add(directory, data.decode("utf-8", errors="replace").splitlines(), gitignore=True)
        return None

    def unignore(self, probe: Path) -> None:
        """Drop the specs that match `probe` (PATH was named explicitly)."""
        self.specs = [
            (d, s, g) for d, s, g in self.specs if not s.match_file(probe.relative_to(d).as_posix())
        ]
        self._prefixes = []

    def within(self, folder: str) -> Callable[[str, bool], bool] | None:
        """`ignored` for the entries of `folder` (absolute, normalised), or None when no spec
        can match any: the specs above `folder` are picked once for all of its entries."""
        if not self.specs:
            return None
        here = folder_prefix(folder)
        found = [(len(p), spec, g) for p, spec, g in self._folder_prefixes() if here.startswith(p)]
        excludes = [(length, spec) for length, spec, g in found if not g]
        # Deepest first: the folders of the specs above one path nest, the deeper the longer.
        gitignores = sorted(((n, spec) for n, spec, g in found if g), key=lambda s: -s[0])
        if not found:
            return None

        def ignored(path: str, is_dir: bool) -> bool:
            # `path` is an entry of `folder`: below every spec's folder that `folder` is in.
            for length, spec in excludes:
                if spec.match_file(_rel(path, length, is_dir)):
                    return True
            for length, spec in gitignores:
                decided = spec.check_file(_rel(path, length, is_dir)).include
                if decided is not None:
                    return decided
            return False

        return ignored

    def _folder_prefixes(self) -> list[tuple[str, pathspec.GitIgnoreSpec, bool]]:
        if not self._prefixes:
            self._prefixes = [(folder_prefix(str(d)), spec, g) for d, spec, g in self.specs]
        return self._prefixes

    def ignored(self, path: Path | str, is_dir: bool) -> bool:
        """Whether `path` (absolute and normalised, as the walk makes them) is ignored; the
        folder a spec is anchored at is never matched by it."""
        text = os.fspath(path)
        ignored = self.within(os.path.dirname(text))
        return ignored is not None and ignored(text, is_dir)


def _rel(path: str, length: int, is_dir: bool) -> str:
    """`path` below the folder whose prefix is `length` long, with POSIX slashes; a trailing
    slash for a folder (`build/` matches folders only)."""
    rel = path[length:]
    if os.sep != "/":
        rel = rel.replace(os.sep, "/")
    return rel + "/" if is_dir else rel


def git_exclude_files(top: Path) -> list[Path]:
    """The exclude files git reads besides `.gitignore` for the repository at `top`, in the
    order git gives them precedence: `.git/info/exclude`, then `core.excludesFile` (by
    default `$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`).

    `core.excludesFile` is read from the user's and the repository's config files
    (`$XDG_CONFIG_HOME/git/config`, `~/.gitconfig` or `$GIT_CONFIG_GLOBAL`, `.git/config`;
    the last one set wins),
    without running git: a `git config` subprocess would cost every run more than the
    whole walk of a small tree. Like ripgrep's and ruff's walkers, `include` directives
    and the system config are not followed.
    """
    git_dir = _git_dir(top)
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    configured = None
    chosen = os.environ.get("GIT_CONFIG_GLOBAL")  # git reads it instead of the user's two
    configs = [chosen] if chosen else [os.path.join(xdg, "git", "config"), f"{home}/.gitconfig"]
    for config in [*configs, *([] if git_dir is None else [str(git_dir / "config")])]:
        configured = _excludes_file(config) or configured
    found = [] if git_dir is None else [_common_dir(git_dir) / "info" / "exclude"]
    global_file = configured or os.path.join(xdg, "git", "ignore")
    found.append(top / os.path.expanduser(global_file))
    return found


def _git_dir(top: Path) -> Path | None:
    """`top/.git`, or the folder a `.git` file names (a worktree or a submodule)."""
    dot_git = top / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        text = read_regular(dot_git, limit=4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    line = text.strip()
    return top / line[len("gitdir:") :].strip() if line.startswith("gitdir:") else None


def _common_dir(git_dir: Path) -> Path:
    """Where a worktree's shared files (`info/exclude`) live: its `commondir`, or itself."""
    try:
        named = read_regular(git_dir / "commondir", limit=4096).decode("utf-8", "replace")
    except OSError:
        return git_dir
    return git_dir / named.strip()


def _excludes_file(config: str) -> str | None:
    """`core.excludesFile` as set in the git config file `config` (the last one), or None."""
    try:
        text = read_regular(config, limit=_GITIGNORE_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return None
    section, found = "", None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line[1:].split("]", 1)[0].strip().lower()
            line = line.split("]", 1)[1].strip() if "]" in line else ""
        key, equals, value = line.partition("=")
        if section == "core" and equals and key.strip().lower() == "excludesfile":
            value = value.split(" #", 1)[0].split(" ;", 1)[0].strip()
            found = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    return found or None
