"""Read labelled or unlabelled examples from JSON Lines files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from classifiers.errors import DataError

__all__ = ["Example", "read_jsonl"]


@dataclass(frozen=True, slots=True)
class Example:
    """One item: its id, body text, and optionally its label and title."""

    id: str
    text: str
    label: str | None = None
    title: str | None = None


def _optional_str(row: dict[str, object], key: str, where: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DataError(f"{where}: field {key!r} must be a string, got {type(value).__name__}")
    return value


def _example(row: object, where: str) -> Example:
    if not isinstance(row, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(row).__name__}")
    text = row.get("text")
    if not isinstance(text, str):
        raise DataError(f"{where}: missing or non-string field 'text'")
    raw_id = row.get("id")
    if raw_id is None or isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        raise DataError(f"{where}: missing field 'id' (a string or integer)")
    return Example(
        id=str(raw_id),
        text=text,
        label=_optional_str(row, "label", where),
        title=_optional_str(row, "title", where),
    )


def read_jsonl(path: str | Path) -> list[Example]:
    """Read ``path`` (one JSON object per line; blank lines skipped) into examples."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: invalid JSON: {exc.msg}") from exc
        example = _example(row, where)
        if example.id in seen:
            first = seen[example.id]
            raise DataError(f"{where}: duplicate id {example.id!r} (first on line {first})")
        seen[example.id] = number
        examples.append(example)
    return examples
