"""`scaffold check`, `scaffold rules`, `scaffold rule CODE`: the checker's commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold.cli.options import CacheDirOption, NoCacheOption, PathGiven, format_option
from scaffold.cli.render import examples
from scaffold.errors import ScaffoldError

__all__ = ["CheckFormat", "app"]

app = typer.Typer()


class CheckFormat(StrEnum):
    """The renderings of a report (the names of scaffold.check.output.FORMATS)."""

    # Mirrored, not imported: importing the checker costs `scaffold --help` ~0.1 s.
    # tests/test_cli_options.py keeps the two equal.
    TEXT = "text"
    CONCISE = "concise"
    FULL = "full"
    JSON = "json"
    JSON_LINES = "json-lines"
    SARIF = "sarif"
    GITHUB = "github"
    GITLAB = "gitlab"
    JUNIT = "junit"


PathsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[PATH]...",
        help="Projects, folders or files (default: .). Named files are checked with their"
        " whole project; findings that touch them are reported.",
    ),
]
FormatOption = Annotated[
    CheckFormat, format_option(CheckFormat, metavar="FORMAT", names=("--output-format", "--format"))
]
OutputFileOption = Annotated[
    str | None,
    typer.Option("--output-file", "-o", metavar="FILE", help="Write the output to FILE."),
]


def _codes_option(name: str, text: str) -> Any:
    return typer.Option(name, metavar="CODES", help=f"{text}, comma-separated.")


SelectOption = Annotated[
    str | None, _codes_option("--select", "Rule codes or prefixes to run (replaces the config's)")
]
ExtendSelectOption = Annotated[
    str | None, _codes_option("--extend-select", "Rule codes or prefixes to run as well")
]
IgnoreOption = Annotated[
    str | None, _codes_option("--ignore", "Rule codes or prefixes to skip (adds to the config's)")
]
ExtendIgnoreOption = Annotated[str | None, _codes_option("--extend-ignore", "Same as --ignore")]
ExitZeroOption = Annotated[
    bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
]
FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="LEVEL",
        help="Exit 1 only for findings of LEVEL or worse: error or warning"
        " (default: the config's fail-on, else any finding).",
    ),
]
StatisticsOption = Annotated[
    bool, typer.Option("--statistics", help="Print counts per rule instead of findings.")
]
FixOption = Annotated[
    bool, typer.Option("--fix", help="Apply the safe fixes, then report what remains.")
]
UnsafeFixesOption = Annotated[
    bool, typer.Option("--unsafe-fixes", help="With --fix, also apply fixes that change the API.")
]
DiffOption = Annotated[
    bool, typer.Option("--diff", help="Print the fixes as a unified diff; write nothing.")
]
AddNoqaOption = Annotated[
    bool,
    typer.Option("--add-noqa", help="Silence every current finding with a `# noqa: CODE` comment."),
]
BaselineOption = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        help="Report only findings FILE does not hold (FILE is written when missing).",
    ),
]
UpdateBaselineOption = Annotated[
    bool,
    typer.Option("--update-baseline", help="Rewrite the --baseline FILE from the findings now."),
]
ImportOption = Annotated[
    bool,
    typer.Option(
        "--import",
        help="Also import each package in a subprocess (runs its code) and report RUN001.",
    ),
]
ColorOption = Annotated[
    str,
    typer.Option(
        "--color",
        metavar="WHEN",
        help="Colour: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces), always, never.",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print the findings only: no summary, no notes."),
]
SilentOption = Annotated[
    bool, typer.Option("--silent", "-s", help="Print nothing; the exit code says it.")
]
FixOnlyOption = Annotated[
    bool,
    typer.Option("--fix-only", help="Apply the safe fixes, report nothing, exit 0."),
]
ExitNonZeroOnFixOption = Annotated[
    bool,
    typer.Option("--exit-non-zero-on-fix", help="Exit 1 when --fix changed a file."),
]
ShowFilesOption = Annotated[
    bool, typer.Option("--show-files", help="List the files that would be checked; exit 0.")
]
ShowFixesOption = Annotated[
    bool, typer.Option("--show-fixes", help="After --fix, list what was fixed per file.")
]
ShowSettingsOption = Annotated[
    bool,
    typer.Option("--show-settings", help="Print the configuration each file is checked with."),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Use the [tool.scaffold.check] table of FILE (a pyproject.toml or another TOML"
        " file) instead of each project's.",
    ),
]
IsolatedOption = Annotated[
    bool, typer.Option("--isolated", help="Ignore every configuration file's settings.")
]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Also print what was read: configuration, cache, files, time."
    ),
]
StdinFilenameOption = Annotated[
    str | None,
    typer.Option(
        "--stdin-filename",
        metavar="PATH",
        help="Read the source from stdin and check it as the file PATH of its project.",
    ),
]
WatchOption = Annotated[
    bool,
    typer.Option(
        "--watch", help="Check again on every change on disk; print what changed (Ctrl-C stops)."
    ),
]


@app.command(
    "check",
    epilog=examples(
        "scaffold check",
        "scaffold check src --select EXP,IMP --format github",
        "scaffold check . --fix --diff",
        "scaffold check . --watch",
    ),
)
def check(
    paths: PathsArgument = None,
    output_format: FormatOption = CheckFormat.TEXT,
    output_file: OutputFileOption = None,
    select: SelectOption = None,
    extend_select: ExtendSelectOption = None,
    ignore: IgnoreOption = None,
    extend_ignore: ExtendIgnoreOption = None,
    exit_zero: ExitZeroOption = False,
    fail_on: FailOnOption = None,
    statistics: StatisticsOption = False,
    fix: FixOption = False,
    unsafe_fixes: UnsafeFixesOption = False,
    diff: DiffOption = False,
    add_noqa: AddNoqaOption = False,
    baseline: BaselineOption = None,
    update_baseline: UpdateBaselineOption = False,
    run_imports: ImportOption = False,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
    color: ColorOption = "auto",
    quiet: QuietOption = False,
    silent: SilentOption = False,
    fix_only: FixOnlyOption = False,
    exit_non_zero_on_fix: ExitNonZeroOnFixOption = False,
    show_files: ShowFilesOption = False,
    show_settings: ShowSettingsOption = False,
    show_fixes: ShowFixesOption = False,
    watch: WatchOption = False,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    verbose: VerboseOption = False,
    stdin_filename: StdinFilenameOption = None,
) -> None:
    """Check exports (__all__) and import hygiene of a Python tree."""
    from scaffold.check.command import CheckCommand, run_check_command

    # Each option is the CheckCommand field of the same name; three need converting.
    given = {k: v for k, v in locals().items() if k in CheckCommand.__dataclass_fields__}
    converted = {
        "paths": tuple(paths or ["."]),
        "output_format": output_format.value,
        "use_cache": not no_cache,
    }
    command = CheckCommand(**(given | converted))
    raise typer.Exit(run_check_command(command))


class SchemaOf(StrEnum):
    """The commands whose JSON output has a published schema."""

    CHECK = "check"
    GRAPH = "graph"


@app.command("schema", epilog=examples("scaffold schema", "scaffold schema graph"))
def schema(
    command: Annotated[
        SchemaOf,
        typer.Argument(
            metavar="COMMAND", help="check: --output-format json; graph: --format json."
        ),
    ] = SchemaOf.CHECK,
) -> None:
    """Print the JSON Schema of `scaffold check --output-format json` (or of another
    command's JSON)."""
    if command is SchemaOf.GRAPH:
        from scaffold.check.output.graph import graph_schema

        typer.echo(graph_schema(), nl=False)
        return
    from scaffold.check.output.json import report_schema

    typer.echo(report_schema(), nl=False)


class RuleFormat(StrEnum):
    """The renderings of a rule's docs (scaffold.check.output.rule_docs.RULE_FORMATS)."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


RuleFormatOption = Annotated[
    RuleFormat, format_option(RuleFormat, names=("--output-format", "--format"))
]


@app.command(
    "rules",
    epilog=examples(
        "scaffold rules",
        "scaffold rules --output-format markdown --output-dir docs/rules",
    ),
)
def rules(
    output_format: RuleFormatOption = RuleFormat.TEXT,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            click_type=PathGiven("--output-dir", "name a folder, or leave --output-dir out"),
            help="With markdown: write one page per rule and an index into DIR (docs/rules).",
        ),
    ] = None,
) -> None:
    """List every check rule: code, name, default severity, fix."""
    if output_format is RuleFormat.TEXT:
        if output_dir is not None:
            raise ScaffoldError("--output-dir writes Markdown pages: add --output-format markdown")
        from scaffold.check.output.rule_table import render_rules

        typer.echo(render_rules(), nl=False)
        return
    from scaffold.check.output.rule_docs import render_rule, rule_pages
    from scaffold.check.rules import RULES

    if output_dir is not None:
        from scaffold.check.command import write_rule_pages

        count = write_rule_pages(output_dir, rule_pages())
        typer.echo(f"Wrote {count} files to {output_dir}.", err=True)
        return
    if output_format is RuleFormat.JSON:
        import json

        from scaffold.check.output.rule_docs import rule_json

        typer.echo(json.dumps([rule_json(r) for r in RULES], indent=2, ensure_ascii=False))
        return
    typer.echo("\n".join(render_rule(r, "markdown") for r in RULES), nl=False)


@app.command(
    "rule",
    epilog=examples(
        "scaffold rule EXP001",
    ),
)
def rule(
    code: Annotated[
        str,
        typer.Argument(metavar="CODE|NAME", help="A rule code or name: IMP002, import-cycle."),
    ],
    output_format: RuleFormatOption = RuleFormat.TEXT,
) -> None:
    """Explain one check rule, with a bad and a good example."""
    from scaffold.check.output.rule_docs import render_rule
    from scaffold.check.rules import get_rule

    found = get_rule(code)
    if found is None:
        raise ScaffoldError(f"unknown rule code or name {code!r} (see `scaffold rules`)")
    typer.echo(render_rule(found, output_format.value), nl=False)
