"""RUN001 runtime-import-failure: a package that fails when really imported (`--import`).

Its findings come from running the project's code in a subprocess
(`scaffold.check.runtime`), never from the static checks, so the rule has no check here.
"""

from __future__ import annotations

from scaffold.check.model import Severity
from scaffold.check.rules.unit import Rule, RuleDocs

__all__ = ["RULE"]

RULE = Rule(
    code="RUN001",
    name="runtime-import-failure",
    severity=Severity.ERROR,
    message="{what}",
    docs=RuleDocs(
        what="Only with `--import`, which runs the project's code: imports each first-party"
        " package in a subprocess (with a timeout, the checked roots first on `sys.path`) and"
        " reports an import that raises, hangs or exits, naming the exception and the module"
        " that raised; and a `from pkg import *` that binds other names than the static"
        " `__all__`.",
        why="Static analysis cannot see a missing dependency, a failing import-time"
        " computation or an `__all__` changed at run time; users hit them on their first"
        " `import`.",
        example="# pkg/__init__.py\nfrom .config import settings\n# pkg/config.py\n"
        'settings = open("settings.toml").read()   # FileNotFoundError at import',
        use_instead="# pkg/config.py\ndef load_settings() -> str:\n"
        '    with open("settings.toml") as f:\n        return f.read()',
    ),
)
