"""Answer sets for `templates test`: a list or a CI-style matrix, read from YAML or TOML."""

from __future__ import annotations

import difflib
import itertools
import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.errors import UsageError, one_line

__all__ = [
    "AnswerSet",
    "answer_sets",
    "check_questions",
    "expand_answers",
    "read_data_file",
]

_MATRIX_KEYS = frozenset({"matrix", "exclude", "include"})


@dataclass(frozen=True)
class AnswerSet:
    """One rendering of the template: its answers and a label naming what sets it apart."""

    label: str
    answers: Mapping[str, Any]


def read_data_file(path: Path) -> Any:
    """The document in a `--data-file`: TOML for `.toml`, YAML otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read --data-file {path}: {exc.strerror or exc}; give a YAML or TOML file"
        ) from exc
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(one_line(f"--data-file {path} is not valid TOML: {exc}")) from exc
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(one_line(f"--data-file {path} is not valid YAML: {exc}")) from exc


def expand_answers(document: Any, where: str) -> list[dict[str, Any]]:
    """The answer mappings a document describes: a list of mappings, or a matrix.

    A matrix is `{matrix: {question: [values]}, exclude: [...], include: [...]}`,
    expanded as GitHub Actions expands one: the product of the values, less every
    combination that contains an `exclude` entry; then each `include` entry is merged
    into every combination it does not contradict, or added as its own set when it
    contradicts them all. A TOML file holds a list under `sets = [...]`.
    """
    if isinstance(document, Mapping) and set(document) == {"sets"}:
        document = document["sets"]
    if isinstance(document, list):
        return [_mapping(entry, f"{where} entry {i + 1}") for i, entry in enumerate(document)]
    if isinstance(document, Mapping) and "matrix" in document:
        unknown = sorted(set(document) - _MATRIX_KEYS)
        if unknown:
            raise UsageError(
                f"{where}: unknown key {unknown[0]!r} beside the matrix"
                " (a matrix takes matrix, exclude and include)"
            )
        return _expand_matrix(document, where)
    raise UsageError(
        f"{where} must be a list of answer mappings or a mapping with a `matrix:` of"
        " question -> list of values"
    )


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise UsageError(f"{where} must be a mapping of question -> answer, not {value!r}")
    return dict(value)


def _expand_matrix(document: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    matrix = _mapping(document["matrix"], f"{where} matrix")
    for key, values in matrix.items():
        if not isinstance(values, list) or not values:
            raise UsageError(
                f"{where}: matrix.{key} must be a non-empty list of values, not {values!r}"
            )
    excludes = [
        _mapping(e, f"{where} exclude entry {i + 1}")
        for i, e in enumerate(_list(document, "exclude", where))
    ]
    includes = [
        _mapping(e, f"{where} include entry {i + 1}")
        for i, e in enumerate(_list(document, "include", where))
    ]
    combos = [
        dict(zip(matrix, values, strict=True)) for values in itertools.product(*matrix.values())
    ]
    combos = [c for c in combos if not any(_contains(c, e) for e in excludes)]
    originals = list(combos)
    added: list[dict[str, Any]] = []
    for entry in includes:
        matched = False
        for combo, original in zip(combos, originals, strict=True):
            # An include may add keys to a combination, never overwrite its matrix values.
            if all(original.get(key, value) == value for key, value in entry.items()):
                combo.update(entry)
                matched = True
        if not matched:
            added.append(dict(entry))
    return [*combos, *added]


def _list(document: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise UsageError(f"{where}: {key} must be a list of mappings, not {value!r}")
    return value


def _contains(combo: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    return all(key in combo and combo[key] == value for key, value in entry.items())


def answer_sets(variants: Sequence[Mapping[str, Any]], fixed: Mapping[str, Any]) -> list[AnswerSet]:
    """Each variant with the fixed answers (`--data`) under it; labelled by its own answers."""
    if not variants:
        return [AnswerSet(_label(fixed) or "defaults", dict(fixed))]
    labels = [_label(variant) or "defaults" for variant in variants]
    sets = []
    for number, (variant, label) in enumerate(zip(variants, labels, strict=True), start=1):
        if labels.count(label) > 1:
            label = f"{label} #{number}"
        sets.append(AnswerSet(label, {**variant, **fixed}))
    return sets


def _label(answers: Mapping[str, Any]) -> str:
    return " ".join(f"{key}={_shown(value)}" for key, value in answers.items())


def _shown(value: Any) -> str:
    if isinstance(value, str) and value and " " not in value:
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def check_questions(
    sets: Iterable[AnswerSet], questions: Mapping[str, object], where: Mapping[str, str]
) -> None:
    """Refuse an answer to a question the template does not ask, with a "did you mean".

    `where` says where each key came from (`--data`, `--data-file answers.yml`) for the
    message; a key not in it came from the template's own `_scaffold_test`.
    """
    known = sorted(questions)
    for answer_set in sets:
        for key in answer_set.answers:
            if key in questions or key == "scaffold_version":
                continue
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            origin = where.get(key, "the template's _scaffold_test answers")
            raise UsageError(
                f"{origin} answers {key!r}, which the template does not ask; {hint}"
                f"its questions are: {', '.join(known) or 'none'}"
            )
