"""`.gitignore` files and `exclude` patterns, each anchored at the folder that declares it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.files import read_regular

if TYPE_CHECKING:
    import pathspec

__all__ = ["Ignores", "folder_prefix"]

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

    def add_gitignore(self, directory: Path) -> str | None:
        """Read `directory`'s .gitignore; a note when one is there but cannot be used."""
        path = directory / ".gitignore"
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
