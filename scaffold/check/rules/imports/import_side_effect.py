"""IMP009 import-side-effect: module-level code whose effect reaches whoever imports it."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, ImportFact, Severity
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE", "effect_kind"]

# Callees, by their qualified name, whose effect outlives the import or reaches its user.
# Registrations, docstring helpers, deprecation warnings and a module's own set-up calls
# are left out: measured on real trees they were nearly all of the findings, and none
# worth acting on (docs/check-real-trees.md).
_EFFECTS = {
    "output": {"print", "input", "pprint.pprint", "sys.stdout.write", "sys.stderr.write"}
    | {f"logging.{level}" for level in ("debug", "info", "warning", "error", "critical")}
    | {"logging.exception", "logging.log"},
    "io": {"open", "io.open", "os.remove", "os.unlink", "os.rename", "os.replace", "os.chdir"}
    | {"os.mkdir", "os.makedirs", "os.rmdir", "os.removedirs", "urllib.request.urlopen"},
    "process": {"os.system", "os.popen", "os.fork", "os.kill", "os.startfile"},
    "exit": {"exit", "quit", "sys.exit", "os._exit", "os.abort"},
    "state": {"warnings.simplefilter", "warnings.filterwarnings", "warnings.resetwarnings"}
    | {"logging.basicConfig", "logging.disable", "logging.captureWarnings"}
    | {"sys.setrecursionlimit", "sys.settrace", "sys.setprofile", "sys.setswitchinterval"}
    | {"os.putenv", "os.unsetenv", "locale.setlocale", "signal.signal", "random.seed"}
    | {"socket.setdefaulttimeout", "faulthandler.enable", "gc.disable"}
    | {f"os.environ.{m}" for m in ("update", "setdefault", "pop", "clear", "__setitem__")}
    | {f"sys.modules.{m}" for m in ("update", "setdefault", "pop", "clear", "__setitem__")},
    "sleep": {"time.sleep"},
}
_BY_NAME = {name: kind for kind, names in _EFFECTS.items() for name in names}
# Whole modules whose every call is I/O or a process.
_PREFIXES = {
    "subprocess.": "process",
    "shutil.": "io",
    "socket.": "io",
    "requests.": "io",
    "http.client.": "io",
    "urllib.request.": "io",
    "os.exec": "process",
    "os.spawn": "process",
    "os.posix_spawn": "process",
}


def effect_kind(qualified: str) -> str | None:
    """What a call of `qualified` does to the importer ("output", "io", ...), if anything."""
    kind = _BY_NAME.get(qualified)
    if kind is None:
        kind = next((k for prefix, k in _PREFIXES.items() if qualified.startswith(prefix)), None)
    return kind


def _qualified(name: str, imports: tuple[ImportFact, ...]) -> str:
    """`name` with its first part replaced by what an import bound to it (`sp.run` after
    `import subprocess as sp` is `subprocess.run`; `simplefilter` after `from warnings
    import simplefilter` is `warnings.simplefilter`)."""
    head, dot, rest = name.partition(".")
    for imp in imports:
        if imp.level or imp.is_star or not imp.binds:
            continue
        for alias in imp.names:
            if imp.is_from and (alias.asname or alias.name) == head:
                return f"{imp.module}.{alias.name}{dot}{rest}"
            if not imp.is_from and alias.asname == head:
                return f"{alias.name}{dot}{rest}"
    return name


def check(ctx: FileContext) -> Iterator[Finding]:
    source = ctx.source
    if source.exempt or source.scope:
        return  # tests, setup.py, __main__.py and scripts are run, not imported
    for effect in ctx.facts.side_effects:
        if effect.kind == "call":
            kind = effect_kind(_qualified(effect.name, ctx.facts.imports))
            if kind is None:
                continue
        else:
            kind = effect.kind
        yield RULE.finding(source.rel, effect.span, kind=kind, name=effect.name)


RULE = Rule(
    code="IMP009",
    name="import-side-effect",
    severity=Severity.WARNING,
    message={
        "output": "`{name}(...)` writes output at import time",
        "io": "`{name}(...)` does file or network I/O at import time",
        "process": "`{name}(...)` starts or signals a process at import time",
        "exit": "`{name}(...)` exits the interpreter at import time",
        "state": "`{name}(...)` changes interpreter-wide state at import time",
        "sleep": "`{name}(...)` sleeps at import time",
        "write": "`{name}` is written at import time: every importer sees the change",
        "while": "a module-level `while True:` loop with no `break` never lets the import end",
    },
    docs=RuleDocs(
        what="Finds module-level code whose effect reaches whoever imports the module:"
        " output (`print`, `logging.warning`, `sys.stderr.write`), file, network or process"
        " I/O (`open`, `os.remove`, `subprocess.run`), `sys.exit`, interpreter-wide state"
        " (`warnings.simplefilter`, `logging.basicConfig`, writes to `os.environ` or"
        " `sys.modules`), sleeping, and a `while True:` that never ends.",
        why="Importing a module should be cheap and harmless; tools, tests and other modules"
        " import it without wanting the effect. Put it under `if __name__ == '__main__':`"
        " or in a function.",
        example='import logging\nlogging.basicConfig(level="INFO")\nprint("loaded")',
        use_instead='import logging\n\ndef main() -> None:\n    logging.basicConfig(level="INFO")'
        '\n\nif __name__ == "__main__":\n    main()',
        exemptions="Calls that only set the module up: registrations (`X.register(...)`),"
        " docstring helpers, `warnings.warn` (a deprecated module says so on import), the"
        " module's own functions; methods of an object the module built itself. Code under"
        " `if __name__ == '__main__':`, test files, setup.py, conftest.py, __main__.py and"
        " the scripts of a script folder (files that are run, not imported).",
    ),
    checks=(Check(Scope.FILE, check),),
)
