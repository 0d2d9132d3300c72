"""Open buffers as the editor holds them: lines broken only where the LSP breaks them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pygls.workspace import TextDocument, Workspace

from scaffold.edit import source_lines

__all__ = ["LspLinesDocument", "use_lsp_lines"]


class LspLinesDocument(TextDocument):
    """pygls's document with the LSP's line breaks (`\\n`, `\\r\\n`, `\\r`, as Python's).

    pygls 2 splits with `str.splitlines`, which also breaks at a form feed, U+2028 and
    six others: below such a character every incremental change would land a line off,
    and the server would check text the editor does not hold.
    """

    @property
    def lines(self) -> Sequence[str]:
        return tuple(source_lines(self.source, keepends=True))


def use_lsp_lines(workspace: Workspace) -> None:
    """Make `workspace` hold the documents opened from now on as `LspLinesDocument`s."""
    create = workspace._create_text_document

    def create_with_lsp_lines(*args: Any, **named: Any) -> TextDocument:
        document = create(*args, **named)
        document.__class__ = LspLinesDocument
        return document

    workspace._create_text_document = create_with_lsp_lines  # type: ignore[method-assign]
