"""The code attrs compiles for lsprotocol's classes, kept between server starts: the second
start compiles nothing, and the classes behave as compiled afresh (in fresh interpreters:
what is imported is a fact of the whole process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, marshal, sys
    from pathlib import Path
    from scaffold.check.server.compiled import attrs_compiled_once

    def imported():
        from lsprotocol import types as lsp
        from lsprotocol.converters import get_converter

        converter = get_converter()
        position = lsp.Position(line=1, character=2)
        diagnostic = lsp.Diagnostic(lsp.Range(position, position), "m", code="EXP001")
        try:
            lsp.Position(line=-1, character=0)
            rejected = False
        except ValueError:
            rejected = True
        return {
            "equal": position == lsp.Position(1, 2) and position != lsp.Position(1, 3),
            "repr": repr(position),
            "rejected": rejected,
            "round trip": converter.structure(converter.unstructure(diagnostic), lsp.Diagnostic)
            == diagnostic,
            "code": hashlib.sha256(marshal.dumps(lsp.Diagnostic.__init__.__code__)).hexdigest(),
        }

    if sys.argv[1] == "plain":
        found, compiled = imported(), None
    else:
        with attrs_compiled_once(Path(sys.argv[1])) as fresh:
            found = imported()
        compiled = len(fresh)
    print(json.dumps({**found, "compiled": compiled}))
    """
)


def _run(argument: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, argument],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        # A hashable frozen class's __hash__ source holds a str hash (cattrs's
        # AttributeOverride: one class), different in each process unless the seed is fixed.
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_second_start_compiles_nothing_and_its_classes_behave_the_same(tmp_path: Path) -> None:
    store = tmp_path / "store" / "code.bin"
    plain = _run("plain")
    first, second = _run(str(store)), _run(str(store))
    assert isinstance(first["compiled"], int) and first["compiled"] > 500
    assert second["compiled"] == 0
    expected = {**plain, "equal": True, "rejected": True, "round trip": True}
    for found in (first, second):
        assert {k: v for k, v in found.items() if k != "compiled"} == {
            k: v for k, v in expected.items() if k != "compiled"
        }


def test_a_corrupt_store_is_only_a_slower_start(tmp_path: Path) -> None:
    store = tmp_path / "code.bin"
    store.write_bytes(b"not marshal at all")
    first = _run(str(store))
    assert first["round trip"] is True and first["compiled"] != 0
    assert _run(str(store))["compiled"] == 0  # written again, whole
