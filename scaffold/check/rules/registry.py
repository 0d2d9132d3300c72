"""The one table of rules: code, name, severity, fix and the text `scaffold rule` prints."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from scaffold.check.model import Severity

__all__ = ["RULES", "FixKind", "Rule", "get_rule"]


class FixKind(enum.StrEnum):
    """Whether a rule's fix keeps behaviour (safe) or changes the public API (unsafe)."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its docs have the same sections for every code."""

    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    bad: str
    good: str
    fix: FixKind = FixKind.NONE
    # ruff's rules for the same problem: a noqa comment naming one silences this rule too, so
    # the two tools never make a user write two comments for one decision.
    ruff_codes: tuple[str, ...] = ()

    def explain(self) -> str:
        """The text of `scaffold rule CODE`."""
        fix = {
            FixKind.NONE: "no automatic fix",
            FixKind.SAFE: "safe fix available",
            FixKind.UNSAFE: "unsafe fix available (only with --unsafe-fixes)",
        }[self.fix]
        return (
            f"{self.code} ({self.name}) — default severity: {self.severity.value}; {fix}\n\n"
            f"What it does\n    {self.summary}\n\n"
            f"Why is this bad?\n    {self.why}\n\n"
            f"Example\n{_indent(self.bad)}\n\n"
            f"Use instead\n{_indent(self.good)}\n"
        )


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.strip("\n").splitlines())


E = Severity.ERROR
W = Severity.WARNING

RULES: tuple[Rule, ...] = (
    Rule(
        "EXP001", "undefined-export", E,
        "Finds names listed in `__all__` that the module never binds.",
        "`from module import *` raises AttributeError on such a name, and documentation tools"
        " and type checkers advertise something that is not there.",
        '# mygame/draw.py\n__all__ = ["draw_game", "draw_score"]\n\ndef draw_game(): ...',
        '# mygame/draw.py\n__all__ = ["draw_game"]\n\ndef draw_game(): ...',
        ruff_codes=("F822",),
    ),
    Rule(
        "EXP002", "invalid-all", W,
        "Finds `__all__` built from anything but string literals in a list or tuple,"
        " `+=`/`.extend`/`.append` of those, or another first-party module's `__all__`.",
        "Readers and tools (scaffold, ruff, type checkers, IDEs) cannot tell what is exported.",
        '__all__ = [name for name in dir() if not name.startswith("_")]',
        '__all__ = ["load", "save"]\n__all__ += core.__all__',
        ruff_codes=("PLE0604", "PLE0605"),
    ),
    Rule(
        "EXP003", "duplicate-export", W,
        "Finds a name listed twice in `__all__`.",
        "The repeat is noise and usually a merge leftover; it hides what changed.",
        '__all__ = ["load", "save", "load"]',
        '__all__ = ["load", "save"]',
        FixKind.SAFE,
    ),
    Rule(
        "EXP004", "private-export", W,
        "Finds `_private` names in `__all__` (dunders such as `__version__` are fine).",
        "A leading underscore says 'not public'; exporting it says the opposite.",
        '__all__ = ["load", "_cache"]',
        '__all__ = ["load"]',
    ),
    Rule(
        "EXP005", "missing-all", W,
        "Finds a package `__init__.py` that imports first-party names but defines no `__all__`.",
        "Without `__all__` the public API is whatever happens to be imported, and"
        " `from pkg import *` drags in helpers by accident.",
        "# pkg/__init__.py\nfrom .core import load, save",
        '# pkg/__init__.py\nfrom .core import load, save\n\n__all__ = ["load", "save"]',
        FixKind.SAFE,
    ),
    Rule(
        "EXP006", "implicit-reexport", W,
        "Finds names an `__init__.py` with `__all__` imports from first-party modules but"
        " neither uses, lists in `__all__`, nor re-exports as `import x as x`.",
        "Users start importing the name from the package although it is not part of its API;"
        " type checkers in strict mode reject that.",
        '# pkg/__init__.py\nfrom .core import load, save\n\n__all__ = ["load"]',
        '# pkg/__init__.py\nfrom .core import load, save\n\n__all__ = ["load", "save"]',
        FixKind.UNSAFE,
        ruff_codes=("F401",),
    ),
    Rule(
        "EXP007", "unsorted-all", Severity.OFF,
        "Finds an `__all__` literal that is not sorted the way ruff's RUF022 sorts it"
        " (SCREAMING_CASE, then CamelCase, then the rest; natural order within each).",
        "A sorted `__all__` makes diffs small and duplicates obvious. Off by default; select"
        " it by its code.",
        '__all__ = ["save", "Loader", "MAX"]',
        '__all__ = ["MAX", "Loader", "save"]',
        FixKind.SAFE,
        ruff_codes=("RUF022",),
    ),
    Rule(
        "IMP001", "wildcard-import", W,
        "Finds `from module import *`, except in an `__init__.py` from one of its own"
        " submodules that defines `__all__`.",
        "Star imports hide where names come from and change silently when the other module"
        " grows.",
        "from mygame.draw import *",
        "from mygame.draw import draw_game",
        ruff_codes=("F403",),
    ),
    Rule(
        "IMP002", "import-cycle", W,
        "Finds first-party modules that import each other in a loop at module level; one"
        " finding per strongly connected group, at an import of its shortest loop.",
        "Loops make import order matter, break on refactors and slow start-up; they often"
        " become IMP003 failures later.",
        "# a.py\nimport b\n# b.py\nimport a",
        "# move what both need into c.py\n# a.py\nimport c\n# b.py\nimport c",
    ),
    Rule(
        "IMP003", "import-time-cycle", E,
        "Finds an import (or a module-level attribute read) that fails at import time"
        " because its target is still initialising, by simulating Python's import order.",
        "`ImportError: cannot import name ... (most likely due to a circular import)` or"
        " `AttributeError: partially initialized module` the moment someone imports it.",
        "# pkg/a.py\nfrom pkg.b import helper\nVALUE = 1\n# pkg/b.py\nfrom pkg.a import VALUE\n"
        "def helper(): ...",
        "# pkg/b.py: import the module, read the name when it is needed\nfrom pkg import a\n"
        "def helper():\n    return a.VALUE",
    ),
    Rule(
        "IMP004", "bare-sibling-import", E,
        "Finds `import draw` / `from draw import f` inside a package naming a sibling module"
        " that is not importable from the top.",
        "It only works when the package folder itself is on `sys.path` (running a file as a"
        " script); installed or run with `python -m`, it raises ModuleNotFoundError.",
        "# mygame/game.py\nfrom draw import draw_game",
        "# mygame/game.py\nfrom .draw import draw_game",
        FixKind.SAFE,
    ),
    Rule(
        "IMP005", "relative-beyond-top", E,
        "Finds a relative import that climbs above the top-level package.",
        "`ImportError: attempted relative import beyond top-level package`.",
        "# pkg/mod.py\nfrom .. import other",
        "# pkg/mod.py\nfrom . import other",
    ),
    Rule(
        "IMP006", "unresolved-import", E,
        "Finds a first-party import of a module or name that does not exist, when the"
        " target's names are fully known.",
        "It raises ImportError as soon as the statement runs.",
        "from mygame.draw import draw_scores",
        "from mygame.draw import draw_score",
    ),
    Rule(
        "IMP007", "private-import", W,
        "Finds an import of a `_private` module or name from a different top-level"
        " first-party package (test files are exempt).",
        "Private names may change without notice; depending on them across packages couples"
        " the two.",
        "from core._cache import _lookup",
        "from core import lookup",
    ),
    Rule(
        "IMP008", "sys-path-hack", W,
        "Finds code that changes `sys.path` or calls `site.addsitedir`.",
        "Imports then depend on where the program runs from; install the project instead"
        " (`pip install -e .`). Test files, setup.py and __main__.py are exempt.",
        'import sys\nsys.path.insert(0, "..")\nimport mylib',
        "# pip install -e .\nimport mylib",
    ),
    Rule(
        "IMP009", "import-side-effect", W,
        "Finds module-level code that does work at import time: a call used as a statement,"
        " `print`/`input`/`open`/`exit` anywhere at module level, or a module-level `while`.",
        "Importing a module should be cheap and harmless; tools, tests and other modules"
        " import it without wanting the effect. Put it under `if __name__ == '__main__':`"
        " or in a function.",
        'import logging\nlogging.basicConfig(level="INFO")\nprint("loaded")',
        'import logging\n\ndef main() -> None:\n    logging.basicConfig(level="INFO")\n\n'
        'if __name__ == "__main__":\n    main()',
    ),
    Rule(
        "PKG001", "missing-init", W,
        "Finds a folder inside a regular package that holds Python code but no `__init__.py`"
        " (unless listed in `namespace-packages`).",
        "It becomes an accidental namespace package: tools such as mypy, pytest and"
        " setuptools' find_packages treat it differently, and it is easily left out of wheels.",
        "pkg/__init__.py\npkg/sub/mod.py",
        "pkg/__init__.py\npkg/sub/__init__.py\npkg/sub/mod.py",
    ),
    Rule(
        "PKG002", "stdlib-shadow", E,
        "Finds a top-level module or package named like a standard-library module.",
        "Whichever comes first on `sys.path` wins: the project or the standard library breaks.",
        "random.py",
        "random_utils.py",
    ),
    Rule(
        "PKG003", "invalid-module-name", E,
        "Finds a `.py` file or package folder inside a package whose name is not importable.",
        "`import pkg.my-module` is a syntax error; such a file can only be run as a script.",
        "pkg/my-module.py",
        "pkg/my_module.py",
    ),
    Rule(
        "PKG004", "module-package-conflict", E,
        "Finds `name.py` beside a `name/` package.",
        "The package always wins, so the module can never be imported.",
        "util.py\nutil/__init__.py",
        "util/__init__.py   # merge util.py into the package",
    ),
    Rule(
        "ENT001", "entry-point-module-missing", E,
        "Finds an entry point in pyproject.toml whose first-party module does not exist.",
        "The installed command fails with ModuleNotFoundError.",
        '[project.scripts]\nmygame = "mygame.clii:main"',
        '[project.scripts]\nmygame = "mygame.cli:main"',
    ),
    Rule(
        "ENT002", "entry-point-attr-missing", E,
        "Finds an entry point whose module exists but does not bind the object.",
        "The installed command fails with AttributeError.",
        '[project.scripts]\nmygame = "mygame.cli:mian"',
        '[project.scripts]\nmygame = "mygame.cli:main"',
    ),
    Rule(
        "ENT003", "entry-point-invalid", E,
        "Finds an entry point value that does not match `module.path:object.attr [extras]`"
        " (`:object` required for scripts and gui-scripts), or a"
        " `[project.entry-points.console_scripts]` table, which PEP 621 forbids.",
        "Build backends reject the project or install a command that cannot start.",
        '[project.scripts]\nmygame = "mygame.cli"',
        '[project.scripts]\nmygame = "mygame.cli:main"',
    ),
    Rule(
        "SYN001", "syntax-error", E,
        "Reports a file that does not parse (or is too deeply nested to analyse).",
        "Nothing else can be checked in it, and importing it raises SyntaxError.",
        "def f(:\n    pass",
        "def f():\n    pass",
    ),
    Rule(
        "SYN002", "unreadable-file", E,
        "Reports a file that cannot be read or decoded.",
        "Python cannot import it either.",
        "# a Latin-1 file without a coding cookie: caf\\xe9 = 1",
        "# -*- coding: latin-1 -*-\ncafé = 1",
    ),
    Rule(
        "RUN001", "runtime-import-failure", E,
        "Only with `--import`, which runs the project's code: imports each first-party package"
        " in a subprocess (with a timeout, the checked roots first on `sys.path`) and reports"
        " an import that raises, hangs or exits, naming the exception and the module that"
        " raised; and a `from pkg import *` that binds other names than the static `__all__`.",
        "Static analysis cannot see a missing dependency, a failing import-time computation or"
        " an `__all__` changed at run time; users hit them on their first `import`.",
        "# pkg/__init__.py\nfrom .config import settings\n# pkg/config.py\n"
        'settings = open("settings.toml").read()   # FileNotFoundError at import',
        "# pkg/config.py\ndef load_settings() -> str:\n"
        '    with open("settings.toml") as f:\n        return f.read()',
    ),
)  # fmt: skip

_BY_CODE = {rule.code: rule for rule in RULES}


def get_rule(code: str) -> Rule | None:
    """The rule with this code (case-insensitive), or None."""
    return _BY_CODE.get(code.strip().upper())
