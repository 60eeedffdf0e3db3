"""sources.yaml -> Source records, strictly: any problem is an error naming file, line and key.

Nothing is half-loaded: either every source is valid or :class:`SourcesError` lists the problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .vocabulary import TIP_SOURCE

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
TYPES = ("rss", "html")
SELECTOR_KEYS = ("item", "link", "title", "summary", "date")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


class SourcesError(ValueError):
    """The sources file cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Selectors:
    """CSS selectors of an html source: ``item`` on the page, the others inside one item."""

    item: str
    link: str = "a"
    title: str | None = None
    summary: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    url: str
    type: str = "rss"
    interval_minutes: int = 30
    fetch_articles: bool = True
    language: str = "vi"
    tags: tuple[str, ...] = ()
    enabled: bool = True
    allow_private_links: bool = False
    own: bool = False  # the Department's own channel: counted as its output, never flagged
    selectors: Selectors | None = None
    line: int = field(default=0, compare=False)


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


class _Reader:
    """Walks the YAML node tree, collecting every problem with its line number."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[str] = []

    def error(self, node: yaml.Node, key: str, message: str) -> None:
        self.problems.append(f"{self.path}:{node.start_mark.line + 1}: {key}: {message}")

    def mapping(self, node: yaml.Node, where: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where, "expected a mapping of keys to values")
            return {}
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in out:
                self.error(key_node, key, "appears twice")
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, key: str, kind: type) -> Any:
        value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None
        if kind is str and isinstance(value, str) and value.strip():
            return value.strip()
        if kind is bool and isinstance(value, bool):
            return value
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        names = {str: "a non-empty text", bool: "true or false", int: "a whole number"}
        self.error(node, key, f"must be {names[kind]}, got {_show(node)}")
        return None


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


OPTIONAL: dict[str, type] = {
    "type": str,
    "interval_minutes": int,
    "fetch_articles": bool,
    "language": str,
    "enabled": bool,
    "allow_private_links": bool,
    "own": bool,
}
KNOWN = {"id", "name", "url", "tags", "selectors", *OPTIONAL}


def _read_source(reader: _Reader, node: yaml.Node, seen: dict[str, int]) -> Source | None:
    fields = reader.mapping(node, "source")
    before = len(reader.problems)
    for key, (key_node, _) in fields.items():
        if key not in KNOWN:
            reader.error(key_node, key, f"unknown key (known: {', '.join(sorted(KNOWN))})")
    values: dict[str, Any] = {}
    for key in ("id", "name", "url"):
        if key not in fields:
            reader.error(node, key, "is required")
        else:
            values[key] = reader.scalar(fields[key][1], key, str)
    for key, kind in OPTIONAL.items():
        if key in fields:
            values[key] = reader.scalar(fields[key][1], key, kind)
    _check_values(reader, fields, values, seen)
    if "tags" in fields:
        values["tags"] = _read_tags(reader, fields["tags"][1])
    if "selectors" in fields:
        values["selectors"] = _read_selectors(reader, fields["selectors"][1])
    elif values.get("type") == "html":
        reader.error(node, "selectors", "is required when type is html")
    if len(reader.problems) > before:
        return None
    return Source(line=node.start_mark.line + 1, **values)


def _check_values(
    reader: _Reader,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    values: dict[str, Any],
    seen: dict[str, int],
) -> None:
    def bad(key: str, message: str) -> None:
        reader.error(fields[key][1], key, message)

    sid = values.get("id")
    if isinstance(sid, str):
        if not SLUG.match(sid):
            bad("id", f"{sid!r} is not a slug (lower-case letters, digits, - and _)")
        elif sid == TIP_SOURCE:
            bad("id", f"{sid!r} is reserved for tips submitted by people")
        elif sid in seen:
            bad("id", f"{sid!r} is already used by the source on line {seen[sid]}")
        else:
            seen[sid] = fields["id"][1].start_mark.line + 1
    url = values.get("url")
    if isinstance(url, str) and not _is_url(url):
        bad("url", f"{url!r} is not an http(s) URL")
    if values.get("type") is not None and values["type"] not in TYPES:
        bad("type", f"{values['type']!r} is not one of {', '.join(TYPES)}")
    interval = values.get("interval_minutes")
    if isinstance(interval, int) and not 1 <= interval <= 10080:
        bad("interval_minutes", f"{interval} is outside 1..10080 (one week)")
    language = values.get("language")
    if isinstance(language, str) and not LANGUAGE.match(language):
        bad("language", f"{language!r} is not a language code such as vi or en")


def _read_tags(reader: _Reader, node: yaml.Node) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode):
        reader.error(node, "tags", f"must be a list of words, got {_show(node)}")
        return ()
    return tuple(t for t in (reader.scalar(n, "tags", str) for n in node.value) if t)


def _read_selectors(reader: _Reader, node: yaml.Node) -> Selectors | None:
    fields = reader.mapping(node, "selectors")
    values: dict[str, str] = {}
    for key, (key_node, value_node) in fields.items():
        if key not in SELECTOR_KEYS:
            reader.error(
                key_node, f"selectors.{key}", f"unknown key (known: {', '.join(SELECTOR_KEYS)})"
            )
            continue
        value = reader.scalar(value_node, f"selectors.{key}", str)
        if value:
            values[key] = value
    if "item" not in values:
        reader.error(node, "selectors.item", "is required")
        return None
    return Selectors(**values)


def parse_sources(text: str, path: str = "sources.yaml") -> list[Source]:
    """Parse the text of a sources file; raise :class:`SourcesError` listing every problem."""
    reader = _Reader(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise SourcesError(
            [f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]
        ) from None
    if root is None:
        raise SourcesError([f"{path}:1: sources: the file is empty"])
    top = reader.mapping(root, "top level")
    for key, (key_node, _) in top.items():
        if key != "sources":
            reader.error(key_node, key, "unknown top-level key (only 'sources' is allowed)")
    if "sources" not in top:
        reader.error(root, "sources", "is required at the top level")
        raise SourcesError(reader.problems)
    seq = top["sources"][1]
    if not isinstance(seq, yaml.SequenceNode):
        reader.error(seq, "sources", "must be a list of sources")
        raise SourcesError(reader.problems)
    seen: dict[str, int] = {}
    sources = [_read_source(reader, item, seen) for item in seq.value]
    if reader.problems:
        raise SourcesError(sorted(reader.problems, key=_line_of))
    return [s for s in sources if s is not None]


def _line_of(problem: str) -> int:
    parts = problem.split(":", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError([f"{path}: cannot be read: {exc}"]) from None
    return parse_sources(text, str(path))
