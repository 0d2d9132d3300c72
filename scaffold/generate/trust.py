"""Trust: whether a template may run code on this machine, decided before Copier runs it."""

from __future__ import annotations

import functools
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from scaffold.errors import TemplateError, UntrustedTemplateError, one_line

if TYPE_CHECKING:
    from copier._main import Worker

__all__ = ["unsafe_features", "untrusted_error", "worker_class"]


def unsafe_features(config: Mapping[str, Any]) -> list[str]:
    """What a template would run on the user's machine, one description per item.

    `config` is the template's settings with the leading `_` dropped, as Copier
    reads them from copier.yml (with `!include`s merged): `tasks`,
    `migrations` and `jinja_extensions`. Each is reported, whether or not this
    particular run would reach it: the user decides about the template as a whole.
    """
    found: list[str] = []
    for task in config.get("tasks") or ():
        command = task.get("command", task) if isinstance(task, Mapping) else task
        found.append(f"task {_command_text(command)!r}")
    for migration in config.get("migrations") or ():
        if isinstance(migration, Mapping) and ("before" in migration or "after" in migration):
            version = migration.get("version", "?")
            for stage in ("before", "after"):
                for command in migration.get(stage) or ():
                    found.append(f"migration to {version} {_command_text(command)!r}")
        elif isinstance(migration, Mapping):
            version = f" to {migration['version']}" if "version" in migration else ""
            found.append(f"migration{version} {_command_text(migration.get('command'))!r}")
        else:
            found.append(f"migration {_command_text(migration)!r}")
    for extension in config.get("jinja_extensions") or ():
        found.append(f"Jinja extension {str(extension)!r}")
    return found


def _command_text(command: object) -> str:
    if isinstance(command, list | tuple):
        return shlex.join(str(part) for part in command)
    return str(command)


def untrusted_error(source: str, found: list[str]) -> UntrustedTemplateError:
    """The refusal of a template that would run the `found` features without --trust."""
    return UntrustedTemplateError(
        one_line(
            f"template {source} would run code on this machine: {'; '.join(found)};"
            " read the template, then pass --trust to run it (registering a template"
            " does not trust it)"
        )
    )


@functools.cache
def worker_class() -> type[Worker]:
    """Copier's Worker with scaffold's own trust decision in front of Copier's.

    Copier skips its unsafe-template check for repositories a user's Copier
    settings `trust:`; scaffold decides for itself, on the exact checkout that
    will be rendered (and, for an update, the old version rendered for the merge).
    Copier's own check still runs after ours, so a feature a later Copier
    considers unsafe is still caught.
    """
    from copier._main import Worker

    if not callable(getattr(Worker, "_check_unsafe", None)):
        raise TemplateError(
            "this version of copier has no unsafe-template check scaffold can hook into;"
            " install copier>=9.19,<10"
        )

    class TrustCheckingWorker(Worker):
        def _check_unsafe(self, mode: Literal["copy", "update"]) -> None:
            if not self.unsafe:
                found = unsafe_features(self.template.config_data)
                old = self.subproject.template if mode == "update" else None
                if old is not None:
                    found += [f for f in unsafe_features(old.config_data) if f not in found]
                if found:
                    raise untrusted_error(self.template.url, found)
            super()._check_unsafe(mode)

    return TrustCheckingWorker
