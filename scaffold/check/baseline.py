"""The baseline file: the findings a team accepted once, so later runs report only new ones.

Findings are matched by fingerprint (scaffold.check.locations): rule, file, message and
which of the findings alike in the file it is, so a baseline that holds one finding of a
kind hides one, and a second one like it is new.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path

from scaffold.check.model import CheckReport
from scaffold.errors import UsageError
from scaffold.files import write_atomically

__all__ = ["apply_baseline", "read_baseline", "write_baseline"]

_VERSION = 1


def write_baseline(path: Path, report: CheckReport, root: Path) -> int:
    """Record every finding of a located report (paths relative to `root`), sorted, one
    entry per finding; return how many."""
    entries = sorted(
        (
            {
                "code": d.code,
                "fingerprint": d.fingerprint,
                "message": d.message,
                "path": os.path.relpath(os.path.join(report.root, d.path), root).replace(
                    os.sep, "/"
                ),
            }
            for d in report.diagnostics
        ),
        key=lambda e: (e["path"], e["code"], e["message"], e["fingerprint"]),
    )
    document = {"findings": entries, "tool": "scaffold", "version": _VERSION}
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
        write_atomically(path, text.encode("utf-8"), mode)
    except OSError as exc:
        raise UsageError(f"cannot write the baseline {path}: {exc.strerror or exc}") from exc
    return len(entries)


def read_baseline(path: Path) -> Counter[str]:
    """The fingerprints a baseline file holds, each with its count."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the baseline {path}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{path} is not a baseline file (JSON written by --update-baseline): {exc}"
        ) from exc
    findings = document.get("findings") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("version") != _VERSION
        or not isinstance(findings, list)
        or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in findings)
    ):
        raise UsageError(
            f"{path} is not a version {_VERSION} baseline file"
            " (an object with a 'findings' list of entries with a 'fingerprint');"
            " rewrite it with --update-baseline"
        )
    return Counter(e["fingerprint"] for e in findings)


def apply_baseline(report: CheckReport, baseline: Counter[str]) -> tuple[CheckReport, int]:
    """The report without the findings the baseline holds, and how many were hidden."""
    remaining = Counter(baseline)
    kept = []
    for d in report.diagnostics:
        if remaining[d.fingerprint] > 0:
            remaining[d.fingerprint] -= 1
        else:
            kept.append(d)
    hidden = len(report.diagnostics) - len(kept)
    return dataclasses.replace(report, diagnostics=tuple(kept)), hidden
