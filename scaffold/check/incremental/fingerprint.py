"""The fingerprint of the analyser: what every cached fact and report depends on besides
the files (the cache's format, scaffold's version, the Python that parsed, its source)."""

from __future__ import annotations

import hashlib
import os
import sys

import scaffold
from scaffold.check import model

__all__ = ["analyser_fingerprint"]

_DIGEST_SIZE = 16


def analyser_fingerprint(cache_format: bytes) -> bytes:
    """What the cached facts and reports depend on besides the files: the analyser itself.

    The version alone is not enough while the checker is developed (or patched in place),
    so the source of every module of `scaffold.check` counts too; reading them is cheap.
    """
    digest = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    digest.update(cache_format)
    # The facts read `if sys.version_info` and `if sys.platform` tests as this Python would.
    python = f"{sys.version}\0{sys.platform}\0{sys.implementation.name}"
    digest.update(f"{scaffold.__version__}\0{python}".encode())
    package = os.path.dirname(model.__file__)
    names: list[str] = []  # POSIX paths relative to the package; strings, as pathlib costs
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        rel = os.path.relpath(folder, package).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        names.extend(prefix + name for name in files if name.endswith(".py"))
    for name in sorted(names):
        digest.update(name.encode())
        try:
            with open(os.path.join(package, name), "rb") as source:
                digest.update(source.read())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.digest()
