"""The rule registry and the RUF022 order that EXP007 shares with ruff."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.check.rules import RULES, FixKind, Rule, get_rule
from scaffold.edit import ruf022_key

TRICKY = [
    "zeta", "Alpha", "ALPHA", "alpha", "a10", "a2", "a1b", "A", "AB", "Ab", "aB", "_x", "_X",
    "__version__", "X_1", "x_1", "CONST2", "CONST10", "Class2", "Class10", "func", "_Private",
    "__all__", "B", "b", "HTTPServer", "HTTP_CODE", "x", "_", "__", "v2_10", "v2_9", "T",
]  # fmt: skip


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes)) == 31
    for rule in RULES:
        assert re.fullmatch(r"[A-Z]{3}\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.summary and rule.why and rule.docs.example and rule.docs.use_instead
        assert get_rule(rule.code.lower()) is rule


def test_explain_has_every_section() -> None:
    text = RULES[0].explain()
    for section in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert section in text


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_fix_says_why_it_is_safe_or_not(rule: Rule) -> None:
    assert (rule.fixer is None) == (rule.fix is FixKind.NONE)
    assert bool(rule.docs.fix_safety) == (rule.fix is not FixKind.NONE)
    if rule.docs.fix_safety:
        assert "Fix safety" in rule.explain()
    if rule.fix is FixKind.UNSAFE:
        assert rule.docs.fix_safety.startswith("Unsafe")


@pytest.mark.skipif(
    shutil.which("ruff") is None and not Path(sys.executable).with_name("ruff").exists(),
    reason="ruff not installed",
)
def test_exp007_sorts_exactly_like_ruff_ruf022(tmp_path: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    source = tmp_path / "mod.py"
    source.write_text(f"__all__ = {TRICKY!r}\n", encoding="utf-8")
    subprocess.run(
        [ruff, "check", "--no-cache", "--isolated", "--select", "RUF022", "--fix",
         "--unsafe-fixes", "--quiet", "--exit-zero", str(source)],
        check=True,
    )  # fmt: skip
    namespace: dict[str, object] = {}
    exec(source.read_text(encoding="utf-8"), namespace)
    assert namespace["__all__"] == sorted(TRICKY, key=ruf022_key)


def test_a_family_is_loaded_by_module_path_like_a_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.check.discover import discover
    from scaffold.check.facts import parse_source
    from scaffold.check.project import Project
    from scaffold.check.rules.registry import FAMILIES, _load, run_checks
    from scaffold.check.rules.unit import FileContext, Scope

    family = tmp_path / "plugins" / "demo_rules"
    family.mkdir(parents=True)
    (family / "__init__.py").write_text(
        "from scaffold.check.model import Severity\n"
        "from scaffold.check.rules.unit import Check, Rule, RuleDocs, Scope\n\n"
        "def check(ctx):\n"
        "    for imp in ctx.facts.imports:\n"
        "        if imp.module == 'pickle':\n"
        "            yield RULE.finding(ctx.source.rel, imp.span, module=imp.module)\n\n"
        "RULE = Rule('DEM001', 'demo-rule', Severity.WARNING, '`{module}` is imported',\n"
        "            RuleDocs('w', 'y', 'import pickle', 'import json'),\n"
        "            checks=(Check(Scope.FILE, check),))\n"
        "RULES = (RULE,)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path / "plugins"))
    rules = _load((*FAMILIES, "demo_rules"))
    demo = rules[-1]
    assert demo.code == "DEM001" and len(rules) == len(RULES) + 1

    project_dir = tmp_path / "proj"
    project_dir.mkdir()
    (project_dir / "mod.py").write_text("import pickle\n", encoding="utf-8")
    tree = discover(project_dir)
    source = tree.files[0]
    facts = parse_source(source.path.read_bytes())
    context = FileContext(Project.of(tree, {source.key: facts}), source, facts)
    findings = [f for check in demo.checks for f in check.run(context)]
    assert [demo.render(dict(f.args)) for f in findings] == ["`pickle` is imported"]
    with pytest.raises(ValueError, match="DEM001 is defined by demo_rules and demo_rules"):
        _load((*FAMILIES, "demo_rules", "demo_rules"))
    assert run_checks(Scope.FILE, context, frozenset({"EXP001"})) == []
