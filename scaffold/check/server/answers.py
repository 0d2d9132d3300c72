"""The answers pygls gave to `initialize`, kept by what they depend on (the client's
capabilities, the code of scaffold's server, pygls and lsprotocol), so that a later start
answers the same request before pygls is imported (start.py)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.files import write_atomically

__all__ = ["answer_key", "store_answer", "stored_answer"]

# Answers kept at most (one per editor and its settings, in practice): the oldest go first.
_KEPT = 16
# The files whose change may change the answer: the server's features and pygls' builder of
# capabilities from them, lsprotocol's types (their names on the wire).
_SERVER_FILES = ("features.py", "lsp.py")
_LIBRARY_FILES = (
    ("pygls", "capabilities.py"),
    ("pygls", "lsp/server.py"),
    ("lsprotocol", "types.py"),
)


def _store() -> Path:
    from scaffold.check.server.compiled import default_store

    code = default_store()
    return code.with_name(code.stem + "-initialize.json")


def _stamp(path: Path) -> list[int]:
    try:
        stat = path.stat()
    except OSError:
        return []
    return [stat.st_size, stat.st_mtime_ns]


def _library_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)  # a top-level package: found, not imported
    locations = None if spec is None else spec.submodule_search_locations
    return Path(locations[0]) if locations else None


def answer_key(params: Any) -> str | None:
    """The key of the answer to an `initialize` request with `params` (its JSON), or None
    where what it depends on cannot be told (no stored answer is then used or kept)."""
    if not isinstance(params, dict):
        return None
    stamps: list[object] = [__version__]
    here = Path(__file__).parent
    stamps.extend(_stamp(here / name) for name in _SERVER_FILES)
    for package, rel in _LIBRARY_FILES:
        folder = _library_dir(package)
        if folder is None:
            return None
        stamps.append(_stamp(folder / rel))
    # The answer's position encoding is chosen from the client's capabilities.
    what = [params.get("capabilities"), stamps]
    try:
        data = json.dumps(what, sort_keys=True, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(data).hexdigest()


def _load() -> dict[str, Any]:
    try:
        kept = json.loads(_store().read_bytes())
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def stored_answer(key: str | None) -> dict[str, Any] | None:
    """The result pygls gave to an `initialize` request of that key, if kept."""
    if key is None:
        return None
    answer = _load().get(key)
    return answer if isinstance(answer, dict) and "capabilities" in answer else None


def store_answer(key: str, answer: dict[str, Any]) -> None:
    """Keep `answer` under `key` (a store that cannot be written is a slower next start)."""
    kept = _load()
    kept.pop(key, None)
    kept[key] = answer
    kept = dict(list(kept.items())[-_KEPT:])
    try:
        store = _store()
        os.makedirs(store.parent, exist_ok=True)
        write_atomically(store, json.dumps(kept).encode())
    except OSError:
        return
