"""The language server's start-up: the methods attrs generates for lsprotocol's classes,
compiled once per machine and kept, instead of at every start.

`import lsprotocol.types` defines ~550 attrs classes, and attrs writes each one's `__init__`,
`__eq__` and the like as Python source and compiles it: half of that import's time (0.33 s
of CPU, 0.17 s with the code kept), which an editor waits for at each start. The compiled
code objects are kept as `.pyc` files keep theirs (marshal, this interpreter's version in
the file's name), keyed by the digest of the source and the file name attrs compiled them
under, so a changed attrs or lsprotocol finds nothing and compiles as before. A store that
is missing, unreadable or corrupt is only a slower start.
"""

from __future__ import annotations

import builtins
import hashlib
import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scaffold.files import write_atomically

__all__ = ["attrs_compiled_once", "default_store"]

# Where the compiled code is kept: the user's cache folder unless this names another.
STORE_ENV = "SCAFFOLD_SERVER_CODE_CACHE"


def default_store() -> Path:
    """The file the server keeps attrs's compiled code in, for this interpreter."""
    named = os.environ.get(STORE_ENV)
    if named:
        return Path(named)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("scaffold")) / f"server-attrs-{sys.implementation.cache_tag}.bin"


def _load(store: Path) -> dict[bytes, bytes]:
    try:
        kept = marshal.loads(store.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(k, bytes) and isinstance(v, bytes)}


@contextmanager
def attrs_compiled_once(store: Path) -> Iterator[dict[bytes, bytes]]:
    """Within this block, attrs takes the code it compiles from `store` when kept there;
    what it compiled anew (yielded: digest -> marshalled code) is written to `store` at the
    end, with the code it took, and nothing else (code of older versions is dropped)."""
    import attr._make as make

    kept = _load(store)
    used: dict[bytes, bytes] = {}
    fresh: dict[bytes, bytes] = {}

    def compile_once(source: Any, filename: str, mode: str, *rest: Any, **named: Any) -> Any:
        if rest or named or not isinstance(source, str):
            return builtins.compile(source, filename, mode, *rest, **named)
        key = hashlib.blake2b(f"{filename}\0{mode}\0{source}".encode(), digest_size=20).digest()
        if key in kept:
            try:
                code = marshal.loads(kept[key])
            except (EOFError, ValueError, TypeError):
                pass
            else:
                used[key] = kept[key]
                return code
        code = builtins.compile(source, filename, mode)
        fresh[key] = marshal.dumps(code)
        return code

    # attrs calls the builtin by its name: a module global of the same name comes first.
    make.compile = compile_once  # type: ignore[attr-defined]
    try:
        yield fresh
    finally:
        del make.compile  # type: ignore[attr-defined]
    if fresh:
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(store, marshal.dumps({**used, **fresh}))
        except OSError:
            pass  # only the next start is slower
