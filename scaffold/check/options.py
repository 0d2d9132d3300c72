"""What one check is asked to do: the paths, the rule selection given on the command line,
and how to run (cache, processes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scaffold.check.config import Settings

__all__ = ["CheckOptions"]


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how; a `select` given here overrides the pyproject's."""

    paths: tuple[str | Path, ...] = (".",)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None  # added to the configuration's ignores, as ruff
    extend_select: tuple[str, ...] = ()  # added to the selection
    use_cache: bool = True  # read and write `.scaffold_cache/` (False: --no-cache)
    workers: int | None = None  # parsing processes; None sizes the pool to the work
    # Where the cache is kept; None: $SCAFFOLD_CACHE_DIR, else .scaffold_cache/ at the root.
    cache_dir: Path | None = None
    # `--config FILE` / `--isolated`: settings used instead of each pyproject.toml's table.
    settings: Settings | None = None
    # `--stdin-filename`: (the file's absolute path, the source read from stdin), analysed
    # in place of what the file holds on disk.
    stdin: tuple[Path, bytes] | None = None

    def paths_text(self) -> tuple[str, ...]:
        """The paths as strings (default: the current folder)."""
        return tuple(str(p) for p in self.paths) or (".",)
