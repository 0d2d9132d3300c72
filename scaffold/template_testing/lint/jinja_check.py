"""Whether a piece of template text compiles in the template's own Jinja environment."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from scaffold.errors import one_line

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["JinjaError", "compile_error", "has_jinja"]


class JinjaError(NamedTuple):
    """A compile error: its 1-based line within the text, and Jinja's message."""

    line: int
    message: str


def has_jinja(text: str, environment: Environment) -> bool:
    """Whether `text` holds a Jinja tag, expression or comment at all."""
    starts = (
        environment.variable_start_string,
        environment.block_start_string,
        environment.comment_start_string,
    )
    return any(start in text for start in starts)


def compile_error(environment: Environment, text: str) -> JinjaError | None:
    """Compile `text` as a template (unknown filters and tests fail here too); None when it does."""
    from jinja2 import TemplateSyntaxError

    try:
        environment.compile(text)
    except TemplateSyntaxError as exc:
        return JinjaError(exc.lineno or 1, one_line(exc.message or str(exc)))
    return None
