"""The structure key: what a check's results depend on besides each file's facts."""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import operator
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scaffold.check.discover import Folder, SourceFile, Tree
from scaffold.check.incremental.location import relative
from scaffold.files import read_regular

__all__ = ["structure_digest"]

_DIGEST_SIZE = 16
# Every field a rule may read, with the config named by its folder relative to the root
# (the config's own content is covered by its pyproject.toml's bytes); the absolute path,
# as a string or a Path, is left out, as `rel` says where the item is in the tree.
_NOT_DESCRIBED = frozenset({"config", "path", "file", "directory", "_path"})


def _described(cls: type) -> Callable[[Any], tuple[object, ...]]:
    names = [f.name for f in dataclasses.fields(cls) if f.name not in _NOT_DESCRIBED]
    return operator.attrgetter(*names)


_FILE_FIELDS = _described(SourceFile)
_FOLDER_FIELDS = _described(Folder)
_CONFIG = operator.attrgetter("config")


def structure_digest(
    fingerprint: bytes, tree: Tree, options: Sequence[object], root: Path
) -> bytes:
    """Digest of the analyser (`fingerprint`), the options, the configuration, and which
    files and folders there are (not what they hold), with every path relative to `root`
    (the project root), so the key holds wherever the checkout is."""
    roots = [relative(folder, root) for folder in (tree.base, *tree.roots)]
    digest = hashlib.blake2b(fingerprint, digest_size=_DIGEST_SIZE)
    digest.update(repr((roots, tuple(options))).encode())
    for config in tree.configs:
        pyproject = None if config.pyproject is None else relative(config.pyproject, root)
        digest.update(repr((relative(config.directory, root), pyproject)).encode())
        if config.pyproject is not None:
            try:
                digest.update(read_regular(config.pyproject))
            except OSError:
                digest.update(b"\0unreadable")
    # One marshal of them all (a call per item cost more; repr, 3x more): they are strings
    # and booleans, and version 2 writes equal values as equal bytes (no references).
    described = [
        _described_items(items, fields, root)
        for items, fields in ((tree.files, _FILE_FIELDS), (tree.folders, _FOLDER_FIELDS))
    ]
    digest.update(marshal.dumps(described, 2))
    return digest.digest()


def _described_items(
    items: Sequence[SourceFile] | Sequence[Folder], fields: Callable[[Any], object], root: Path
) -> tuple[list[object], list[str]]:
    """Each item's described fields, and the folder of its config relative to `root`: in
    maps, not a loop (a loop per item was 0.08 s of 100,000 files, on a first run's parse).
    A tree has few configs and many files: each config's folder is made relative once."""
    configs = list(map(_CONFIG, items))
    ids = list(map(id, configs))
    unique = dict(zip(ids, configs, strict=True))
    folders = {ident: relative(config.directory, root) for ident, config in unique.items()}
    return list(map(fields, items)), list(map(folders.__getitem__, ids))
