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
    """`.gitignore` files and `exclude` patterns, each anchored at its own folder."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
        self._prefixes: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def add(self, directory: Path, lines: list[str]) -> None:
        if lines:
            # Imported with the first pattern: pathspec costs a tree without any ~10 ms.
            import pathspec

            self.specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))
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
        self.add(directory, data.decode("utf-8", errors="replace").splitlines())
        return None

    def unignore(self, probe: Path) -> None:
        """Drop the specs that match `probe` (PATH was named explicitly)."""
        self.specs = [
            (d, s) for d, s in self.specs if not s.match_file(probe.relative_to(d).as_posix())
        ]
        self._prefixes = []

    def within(self, folder: str) -> Callable[[str, bool], bool] | None:
        """`ignored` for the entries of `folder` (absolute, normalised), or None when no spec
        can match any: the specs above `folder` are picked once for all of its entries."""
        if not self.specs:
            return None
        here = folder_prefix(folder)
        specs = [(len(p), spec) for p, spec in self._folder_prefixes() if here.startswith(p)]
        if not specs:
            return None

        def ignored(path: str, is_dir: bool) -> bool:
            # `path` is an entry of `folder`: below every spec's folder that `folder` is in.
            for length, spec in specs:
                rel = path[length:]
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
                if spec.match_file(rel + "/" if is_dir else rel):
                    return True
            return False

        return ignored

    def _folder_prefixes(self) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
        if not self._prefixes:
            self._prefixes = [(folder_prefix(str(d)), spec) for d, spec in self.specs]
        return self._prefixes

    def ignored(self, path: Path | str, is_dir: bool) -> bool:
        """Whether a spec matches `path` (absolute and normalised, as the walk makes them)."""
        if not self.specs:
            return False
        text = os.fspath(path)
        for prefix, spec in self._folder_prefixes():
            if not text.startswith(prefix):
                continue  # not below this folder (the folder itself is never matched)
            rel = text[len(prefix) :]
            if os.sep != "/":
                rel = rel.replace(os.sep, "/")
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False
