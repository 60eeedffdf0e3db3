"""The gazetteer and lexicon files, read strictly: errors name the file, the line and the key.

They are data a user extends (see the comments at the top of monitor/data/gazetteer.yaml and
lexicon.yaml); monitor/collect/relevance.py compiles what is read here.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from monitor.text.normalize import fold_key, normalize_line

from .matcher import WORD, canon, fold

__all__ = [
    "Place",
    "SectorTerm",
    "Scoring",
    "RuleFiles",
    "RulesError",
    "read_rule_files",
    "TOPICS",
    "DATA_DIR",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Sector topics, the labelling guide's (docs/relevance-labelling.md), with their Vietnamese names.
TOPICS = {
    "works": "công trình, thi công",
    "planning": "quy hoạch, đô thị",
    "housing": "nhà ở, bất động sản",
    "infrastructure": "hạ tầng giao thông, kỹ thuật",
    "materials": "vật liệu xây dựng",
    "order": "trật tự xây dựng, đất đai",
    "management": "quản lý nhà nước ngành",
}


class RulesError(ValueError):
    """A gazetteer or lexicon file is missing, malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry: a canonical name, its spellings and, if ambiguous, its contexts."""

    name: str
    aliases: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    anchored: bool = False
    proper_noun: bool = False


@dataclass(frozen=True, slots=True)
class SectorTerm:
    """One lexicon term: its spelling, its tier ("strong", "weak" or "against"), its topic."""

    term: str
    tier: str
    topic: str = ""


@dataclass(frozen=True, slots=True)
class Scoring:
    """How lexicon evidence becomes a sector score in [0, 1) (README: "Relevance").

    A term found in the item is worth ``tier weight × (zone weight of its best place +
    repeat × ln(occurrences))``; an item's evidence is the sum over its distinct terms, less
    the same sum over its ``against`` terms (words of the usual confusions), plus
    ``topic_bonus`` per further sector topic, divided by sqrt(words / length_words) when the
    text is longer than ``length_words`` (a passing mention in a long article weighs less).
    The score is evidence / (evidence + threshold): 0.5 exactly at the threshold. The
    defaults are the weights measured for the bundled lexicon (BENCHMARKS.md, "Relevance").
    """

    strong: float = 1.0
    weak: float = 0.5
    against: float = 0.5
    title: float = 2.0
    lead: float = 1.5
    body: float = 1.0
    repeat: float = 0.5
    length_words: float = 400.0
    topic_bonus: float = 0.0
    threshold: float = 3.5

    def weight(self, name: str) -> float:
        """The weight of a tier (strong, weak, against) or a zone (title, lead, body)."""
        return float(getattr(self, name))


@dataclass(frozen=True, slots=True)
class RuleFiles:
    """Everything read from the two files, and a short digest that names this version."""

    places: tuple[Place, ...]
    context_window: int
    sector: tuple[SectorTerm, ...]
    exclusions: tuple[str, ...]
    scoring: Scoring
    version: str


class _Reader:
    """Strict reader of one YAML file: errors name the file, the line and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{path}: cannot read the file ({exc})") from exc
        try:
            root = yaml.compose(source, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise RulesError(f"{path}: not valid YAML: {exc}") from exc
        if root is None:
            raise RulesError(f"{path}: the file is empty")
        self.root: yaml.Node = root
        self.source = source
        self._constructor = yaml.SafeLoader("")
        self._seen: set[str] = set()  # names and terms, which must be unique in a file

    def fail(self, node: yaml.Node, key: str, problem: str) -> RulesError:
        return RulesError(f"{self.path}:{node.start_mark.line + 1}: {key}: {problem}")

    def mapping(
        self, node: yaml.Node, key: str, allowed: set[str], required: set[str]
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping")
        found: dict[str, yaml.Node] = {}
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else "?"
            if name not in allowed:
                raise self.fail(
                    k,
                    f"{key}.{name}".lstrip("."),
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                )
            if name in found:
                raise self.fail(k, f"{key}.{name}".lstrip("."), "key given twice")
            found[name] = v
        for name in sorted(required - found.keys()):
            raise self.fail(node, f"{key}.{name}".lstrip("."), "required key is missing")
        return found

    def scalar(self, node: yaml.Node, key: str, kind: type | tuple[type, ...]) -> Any:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(k.__name__ for k in kinds)
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, f"expected {wanted}")
        value = self._constructor.construct_object(node)
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            raise self.fail(node, key, f"expected {wanted}, got {type(value).__name__}")
        return value

    def optional(self, entry: dict[str, yaml.Node], name: str, key: str, kind: type) -> Any:
        """An optional key of ``entry``: a bool, a list of terms (``tuple``) or absent."""
        if name not in entry:
            return () if kind is tuple else False
        where = f"{key}.{name}".lstrip(".")
        if kind is tuple:
            return self.terms(entry[name], where, unique=name != "contexts")
        return self.scalar(entry[name], where, kind)

    def term(self, node: yaml.Node, key: str, unique: bool = True) -> str:
        text = normalize_line(self.scalar(node, key, str))
        if not text:
            raise self.fail(node, key, "empty term")
        if fold(text) != fold_key(text) or not WORD.search(text):
            raise self.fail(node, key, f"{text!r} has characters that cannot be matched")
        canonical = canon(text.casefold())
        if unique and canonical in self._seen:
            raise self.fail(node, key, f"{text!r} is listed twice")
        self._seen.add(canonical)
        return text

    def terms(self, node: yaml.Node, key: str, unique: bool = True) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "expected a list of terms")
        return tuple(self.term(item, f"{key}[{i}]", unique) for i, item in enumerate(node.value))


def _read_places(reader: _Reader) -> tuple[tuple[Place, ...], int]:
    top = reader.mapping(reader.root, "", {"places", "context_window"}, {"places"})
    window = (
        reader.scalar(top["context_window"], "context_window", int)
        if "context_window" in top
        else 2
    )
    if not 0 <= window <= 10:
        raise reader.fail(top["context_window"], "context_window", "must be between 0 and 10")
    if not isinstance(top["places"], yaml.SequenceNode):
        raise reader.fail(top["places"], "places", "expected a list of entries")
    places = []
    for i, node in enumerate(top["places"].value):
        key = f"places[{i}]"
        entry = reader.mapping(
            node, key, {"name", "aliases", "contexts", "anchored", "proper_noun", "note"}, {"name"}
        )
        if "note" in entry:
            reader.scalar(entry["note"], f"{key}.note", str)
        place = Place(
            name=reader.term(entry["name"], f"{key}.name"),
            aliases=reader.optional(entry, "aliases", key, tuple),
            contexts=reader.optional(entry, "contexts", key, tuple),
            anchored=reader.optional(entry, "anchored", key, bool),
            proper_noun=reader.optional(entry, "proper_noun", key, bool),
        )
        if place.anchored and not place.contexts:
            raise reader.fail(entry["anchored"], f"{key}.anchored", "only meaningful with contexts")
        places.append(place)
    return tuple(places), window


def _read_tier(reader: _Reader, node: yaml.Node, tier: str) -> list[SectorTerm]:
    """A tier is a plain list of terms, or a mapping of topic -> list of terms."""
    if isinstance(node, yaml.SequenceNode):
        return [SectorTerm(t, tier) for t in reader.terms(node, tier)]
    groups = reader.mapping(node, tier, set(TOPICS), set())
    return [
        SectorTerm(t, tier, topic)
        for topic, terms in groups.items()
        for t in reader.terms(terms, f"{tier}.{topic}")
    ]


def _read_scoring(reader: _Reader, node: yaml.Node) -> Scoring:
    names = {f.name for f in fields(Scoring)}
    values = {}
    for name, value in reader.mapping(node, "scoring", names, set()).items():
        number = reader.scalar(value, f"scoring.{name}", (int, float))
        if not math.isfinite(number) or number < 0:
            raise reader.fail(value, f"scoring.{name}", "must be a number >= 0")
        values[name] = float(number)
    scoring = Scoring(**values)
    if scoring.threshold <= 0 or scoring.length_words <= 0:
        raise reader.fail(node, "scoring", "threshold and length_words must be above 0")
    return scoring


def _read_lexicon(
    reader: _Reader,
) -> tuple[tuple[SectorTerm, ...], tuple[str, ...], Scoring]:
    top = reader.mapping(
        reader.root,
        "",
        {"strong", "weak", "against", "exclusions", "scoring"},
        {"strong", "weak"},
    )
    sector = _read_tier(reader, top["strong"], "strong") + _read_tier(reader, top["weak"], "weak")
    if "against" in top:
        sector += [SectorTerm(t, "against") for t in reader.terms(top["against"], "against")]
    exclusions = reader.optional(top, "exclusions", "", tuple)
    scoring = _read_scoring(reader, top["scoring"]) if "scoring" in top else Scoring()
    return tuple(sector), exclusions, scoring


def read_rule_files(gazetteer: Path | None = None, lexicon: Path | None = None) -> RuleFiles:
    """Read both files (defaults: the ones in monitor/data/)."""
    gazetteer = gazetteer or DATA_DIR / "gazetteer.yaml"
    lexicon = lexicon or DATA_DIR / "lexicon.yaml"
    places_reader, lexicon_reader = _Reader(gazetteer), _Reader(lexicon)
    places, window = _read_places(places_reader)
    sector, exclusions, scoring = _read_lexicon(lexicon_reader)
    digest = hashlib.sha256(places_reader.source.encode() + b"\0" + lexicon_reader.source.encode())
    return RuleFiles(places, window, sector, exclusions, scoring, digest.hexdigest()[:12])
