"""What a name's spelling says about it, as the rules of every family read it."""

from __future__ import annotations

import keyword

__all__ = ["is_importable", "is_private"]


def is_private(name: str) -> bool:
    """`_name` is private; a dunder such as `__version__` is not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_importable(name: str) -> bool:
    """A file or folder name `import` can spell."""
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)
