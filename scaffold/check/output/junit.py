"""The `junit` format: JUnit XML, one test suite per file and one failed test per finding."""

from __future__ import annotations

from collections import defaultdict

from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.output.context import RenderContext
from scaffold.errors import printable

__all__ = ["render_junit"]


def render_junit(report: CheckReport, context: RenderContext) -> str:
    """`<testsuites>` of the run; a clean run is one passing `scaffold` test case."""
    from xml.etree import ElementTree  # only this format needs it: keep start-up small

    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        # XML 1.0 cannot hold control characters, not even as character references.
        by_file[printable(context.shown_path(report, d.path))].append(d)
    count = str(len(report.diagnostics))
    suites = ElementTree.Element(
        "testsuites", name="scaffold check", tests=count, failures=count, errors="0"
    )
    if not by_file:
        suite = ElementTree.SubElement(
            suites, "testsuite", name="scaffold check", tests="1", failures="0", errors="0"
        )
        ElementTree.SubElement(suite, "testcase", name="scaffold check", classname="scaffold")
    for path, found in sorted(by_file.items()):
        n = str(len(found))
        suite = ElementTree.SubElement(
            suites, "testsuite", name=path, tests=n, failures=n, errors="0"
        )
        for d in found:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"{d.code} {d.name}",
                classname=path,
                file=path,
                line=str(d.line),
            )
            message = printable(d.message)
            failure = ElementTree.SubElement(case, "failure", message=message, type=d.code)
            failure.text = f"{path}:{d.line}:{d.column}: {d.code} {message}"
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
