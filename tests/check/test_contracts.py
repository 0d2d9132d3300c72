"""Architecture contracts: parsing, bad configuration, patterns, chains, and the ARC findings."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.contracts import ContractError, module_pattern, parse_contracts
from scaffold.check.discover import discover
from scaffold.check.imports.contracts import ModuleGraph, evaluate, module_graph
from scaffold.check.imports.graph import build_graph
from scaffold.check.pipeline import resolve
from scaffold.check.rules.contracts.chains import MAX_CHAINS
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

LAYERS = '[[tool.scaffold.check.contracts]]\nname = "C"\ntype = "layers"\n'


def graph_of(root: Path, **switches: bool) -> ModuleGraph:
    """The module graph of a tree, as the ARC rules see it."""
    resolved = resolve(discover(root))
    return module_graph(resolved.project, build_graph(resolved.project), **switches)


def arc(root: Path) -> list[tuple[str, str, int]]:
    report = run_check(CheckOptions(paths=(root,), select=("ARC",)))
    return [(d.code, d.path, d.line) for d in report.diagnostics]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ('name = "C"\ntype = "onion"\n', "contract 'C': unknown type 'onion' (valid: layers,"),
        ('type = "layers"\nlayers = ["a"]\n', "contract #1 has no `name`"),
        ('name = "C"\ntype = "layers"\n', "contract 'C': a layers contract needs `layers`"),
        (
            'name = "C"\ntype = "layers"\nlayers = ["a", "b | a"]\n',
            "contract 'C': layer 'a' is named twice in `layers`",
        ),
        (
            'name = "C"\ntype = "layers"\nlayers = ["a | b : c"]\n',
            "contract 'C': layer 'a | b : c' mixes `|`",
        ),
        ('name = "C"\ntype = "layers"\nlayers = "a"\nlayer = 1\n', "unknown key 'layer'"),
        (
            'name = "C"\ntype = "forbidden"\nsource-modules = ["a"]\n',
            "contract 'C': a forbidden contract needs `forbidden-modules`",
        ),
        (
            'name = "C"\ntype = "independence"\nmodules = ["a.*.**"]\n',
            "`modules` holds 'a.*.**', which is not a module name or pattern",
        ),
        (
            'name = "C"\ntype = "independence"\nmodules = ["a.*"]\nignore-imports = ["a b"]\n',
            "`ignore-imports` holds 'a b'; write `importer -> imported`",
        ),
        (
            'name = "C"\ntype = "acyclic-siblings"\nancestors = ["a"]\ndepth = -1\n',
            "`depth` must be a whole number >= 0",
        ),
        (
            'name = "C"\ntype = "layers"\nlayers = ["a"]\nexhaustive = true\n',
            "`exhaustive = true` needs `containers`",
        ),
        (
            'name = "C"\ntype = "layers"\nlayers = ["a", "b"]\nexhaustive-ignores = ["c"]\n',
            "`exhaustive-ignores` needs `exhaustive = true`",
        ),
        (
            'name = "C"\ntype = "layers"\nlayers = ["a", "b"]\ncontainers = ["x"]\n'
            'exhaustive = true\nexhaustive-ignores = ["c.d"]\n',
            "`exhaustive-ignores` holds 'c.d', which is not the name of a container's child",
        ),
        (
            'name = "C"\ntype = "forbidden"\nsource-modules = ["a"]\nforbidden-modules = ["b"]'
            '\nallow-indirect = "yes"\n',
            "`allow-indirect` must be true or false, not 'yes'",
        ),
        # Contracts that can never be broken: a mistake, not a rule.
        ('name = "C"\ntype = "layers"\nlayers = "a"\n', "`layers` holds one layer; give two"),
        ('name = "C"\ntype = "layers"\nlayers = []\n', "contract 'C': `layers` is empty"),
        (
            'name = "C"\ntype = "forbidden"\nsource-modules = []\nforbidden-modules = ["b"]\n',
            "contract 'C': `source-modules` is empty; name the modules it is about",
        ),
        (
            'name = "C"\ntype = "independence"\nmodules = ["a"]\n',
            "`modules` holds one module; give two or more, or a pattern such as `pkg.*`",
        ),
        ('name = "C"\ntype = "acyclic-siblings"\nancestors = []\n', "`ancestors` is empty"),
    ],
)
def test_malformed_contract_is_a_one_line_error(body: str, error: str, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[[tool.scaffold.check.contracts]]\n" + body, encoding="utf-8")
    import tomllib

    table = tomllib.loads(pyproject.read_text())["tool"]["scaffold"]["check"]["contracts"]
    with pytest.raises(ContractError) as caught:
        parse_contracts(table, pyproject)
    assert error in str(caught.value) and "\n" not in str(caught.value)


def test_two_contracts_with_one_name_are_refused(tmp_path: Path) -> None:
    table = [{"name": "C", "type": "independence", "modules": ["a", "b"]}] * 2
    with pytest.raises(ContractError, match="two contracts are named 'C'"):
        parse_contracts(table, tmp_path / "pyproject.toml")


def test_import_linter_spellings_are_accepted(tmp_path: Path) -> None:
    [contract] = parse_contracts(
        [
            {
                "name": "C",
                "type": "forbidden",
                "source_modules": ["a"],
                "forbidden_modules": ["b"],
                "allow_indirect_imports": True,
            }
        ],
        tmp_path,
    )
    assert (contract.sources, contract.forbidden, contract.allow_indirect) == (("a",), ("b",), True)


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("shop.*", ["shop.ui"], ["shop", "shop.ui.views", "shopx.ui"]),
        ("shop.*.views", ["shop.ui.views"], ["shop.ui.x.views", "shop.views"]),
        ("shop.**", ["shop.ui", "shop.ui.x.views"], ["shop"]),
        ("shop.**.views", ["shop.ui.views", "shop.ui.x.views"], ["shop.views"]),
    ],
)
def test_module_patterns_match_as_import_linter(
    pattern: str, matches: list[str], misses: list[str]
) -> None:
    regex = module_pattern(pattern)
    assert all(regex.match(m) for m in matches)
    assert not any(regex.match(m) for m in misses)


def test_unknown_module_exits_2_with_one_line_naming_the_contract(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.nope"]\n',
            "shop/__init__.py": "",
            "shop/ui.py": "",
        }
    )
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "contract 'C': layer 'shop.nope' is not a first-party module" in err


def test_optional_layer_may_be_missing(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "(shop.nope)", "shop.domain"]\n',
            "shop/__init__.py": "",
            "shop/ui.py": "",
            "shop/domain.py": "import shop.ui\n",
        }
    )
    assert arc(root) == [("ARC001", "shop/domain.py", 1)]


def test_unmatched_ignore_import_is_an_error(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS
            + 'layers = ["shop.ui", "shop.domain"]\nignore-imports = ["shop.ui -> x"]\n',
            "shop/__init__.py": "",
            "shop/ui.py": "",
            "shop/domain.py": "",
        }
    )
    with pytest.raises(ContractError, match=r"'shop\.ui -> x', which matches no import"):
        run_check(CheckOptions(paths=(root,), select=("ARC",)))


def test_containers_repeat_the_layers_and_exhaustive_names_the_rest(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["api", "core"]\ncontainers = ["app.*"]\n'
            "exhaustive = true\n",
            "app/__init__.py": "",
            "app/one/__init__.py": "",
            "app/one/api.py": "",
            "app/one/core.py": "from app.one import api\n",
            "app/two/__init__.py": "",
            "app/two/api.py": "from app.two import core\n",
            "app/two/core.py": "",
            "app/two/extra.py": "",
        }
    )
    assert arc(root) == [
        ("ARC001", "app/one/core.py", 1),
        ("ARC001", "app/two/extra.py", 1),
    ]
    # import-linter's exhaustive_ignores: children that need no layer.
    pyproject = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(pyproject + 'exhaustive_ignores = ["extra"]\n')
    assert arc(root) == [("ARC001", "app/one/core.py", 1)]


def test_lazy_imports_count_only_when_asked(tree: Tree) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/ui.py": "",
        "shop/domain.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    import shop.ui\n\ndef f():\n    import shop.ui\n",
    }
    root = tree({"pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.domain"]\n', **files})
    assert arc(root) == []
    assert set(graph_of(root, type_checking=True).imports["shop.domain"]) == {"shop.ui"}
    (root / "pyproject.toml").write_text(
        LAYERS + 'layers = ["shop.ui", "shop.domain"]\ninclude-type-checking = true\n'
    )
    assert arc(root) == [("ARC001", "shop/domain.py", 3)]
    (root / "pyproject.toml").write_text(
        LAYERS + 'layers = ["shop.ui", "shop.domain"]\ninclude-function-imports = true\n'
    )
    assert arc(root) == [("ARC001", "shop/domain.py", 6)]


def test_chains_are_related_shortest_first_and_capped_with_a_count(tree: Tree) -> None:
    via = {f"shop/m{i}.py": f"import shop.ui.v{i}\n" for i in range(MAX_CHAINS + 2)}
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.domain"]\n',
            "shop/__init__.py": "",
            "shop/ui/__init__.py": "",
            **{f"shop/ui/v{i}.py": "" for i in range(MAX_CHAINS + 2)},
            **via,
            "shop/hub.py": "".join(f"import shop.m{i}\n" for i in range(MAX_CHAINS + 2)),
            "shop/domain.py": "import shop.hub\n",
        }
    )
    report = run_check(CheckOptions(paths=(root,), select=("ARC",)))
    [finding] = report.diagnostics
    assert (finding.path, finding.line) == ("shop/domain.py", 1)
    messages = [r.message for r in finding.related]
    assert messages[:3] == [
        "chain 1: 'shop.domain' imports 'shop.hub'",
        "chain 1: 'shop.hub' imports 'shop.m0'",
        "chain 1: 'shop.m0' imports 'shop.ui.v0'",
    ]
    assert len(messages) == 3 * MAX_CHAINS + 1
    assert messages[-1] == "and 2 more chains starting with this import"


def test_noqa_on_the_first_import_silences_that_chain(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.domain"]\n',
            "shop/__init__.py": "",
            "shop/ui.py": "",
            "shop/domain/__init__.py": "",
            "shop/domain/a.py": "import shop.ui  # noqa: ARC001\n",
            "shop/domain/b.py": "import shop.ui\n",
        }
    )
    assert arc(root) == [("ARC001", "shop/domain/b.py", 1)]


def test_sarif_and_json_carry_the_chain(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.domain"]\n',
            "shop/__init__.py": "",
            "shop/ui.py": "",
            "shop/x.py": "import shop.ui\n",
            "shop/domain.py": "\nimport shop.x\n",
        }
    )
    assert main(["check", str(root), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "ARC001"
    assert len(result["relatedLocations"]) == 2
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"ARC001", "ARC002", "ARC003", "ARC004"} <= rules
    assert main(["check", str(root), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    [diagnostic] = document["diagnostics"]
    # JSON paths are relative to the folder the command ran in, which it states as `base`.
    base = Path(document["base"])
    related = [((base / r["path"]).resolve(), r["line"]) for r in diagnostic["related"]]
    assert [(p.relative_to(root.resolve()).as_posix(), line) for p, line in related] == [
        ("shop/domain.py", 2),
        ("shop/x.py", 1),
    ]


def test_a_kept_contract_reports_nothing_and_evaluates_without_chains(tree: Tree) -> None:
    root = tree(
        {
            "shop/__init__.py": "",
            "shop/ui.py": "import shop.domain\n",
            "shop/domain.py": "",
        }
    )
    [contract] = parse_contracts(
        [{"name": "C", "type": "layers", "layers": ["shop.ui", "shop.domain"]}], root
    )
    assert evaluate(contract, graph_of(root)) == []


def test_a_folder_inside_the_project_skips_contracts_about_modules_elsewhere(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.domain"]\n',
            "shop/__init__.py": "",
            "shop/ui.py": "",
            "shop/domain.py": "import shop.ui\n",
            "tools/run.py": "",
        }
    )
    assert arc(root / "tools") == []
    assert arc(root / "shop") == [("ARC001", "domain.py", 1)]
    (root / "pyproject.toml").write_text(LAYERS + 'layers = ["shop.ui", "shop.nope"]\n')
    with pytest.raises(ContractError, match=r"shop\.nope"):
        arc(root)


def test_contracts_about_modules_elsewhere_build_no_graph_after_edits(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.check.imports import contracts

    builds: list[str] = []
    build = contracts.module_graph

    def counted(*args: object, **kwargs: bool) -> ModuleGraph:
        builds.append("graph")
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(contracts, "module_graph", counted)
    root = tree(
        {
            "pyproject.toml": LAYERS + 'layers = ["shop.ui", "shop.domain"]\n'
            "include-function-imports = true\n",
            "shop/__init__.py": "",
            "shop/ui.py": "",
            "shop/domain.py": "import shop.ui\n",
            "tools/run.py": "import tools.other\n",
            "tools/other.py": "",
        }
    )

    def check(folder: str) -> list[tuple[str, str, int]]:
        options = CheckOptions(paths=(root / folder,), cache_dir=tmp_path / f"cache-{folder}")
        return [(d.code, d.path, d.line) for d in run_check(options).diagnostics]

    for source in ("def f():\n    import tools.other\n", "import tools.other as o\n"):
        assert check("tools") == []
        (root / "tools/run.py").write_text(source)  # new facts, then new edges
    assert check("tools") == []
    assert builds == []
    # The same edits where the contract's modules are do build it (the count can count).
    for source in ("def f():\n    import shop.ui\n", "import shop.ui as ui\n"):
        assert [code for code, _, _ in check("shop")] == ["ARC001"]
        (root / "shop/domain.py").write_text(source)
    assert [code for code, _, _ in check("shop")] == ["ARC001"]
    assert builds
