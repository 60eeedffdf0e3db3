"""Relevance: does an item mention Lạng Sơn (gazetteer) or the construction sector (lexicon)?

Both YAML files are loaded strictly and compiled once into two regular expressions over a
folded copy of the normalised text (lower case, no diacritics, one character for one, so a
span found in the folded copy is the same span in the normalised text). A span found on the
folded key then has to agree with the written term word by word: each word is either typed
without diacritics or carries the term's own diacritics ("Lang Son" and "Lạng Sơn" count,
"Láng Sơn" does not).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import yaml

from monitor.records import Match, Relevance
from monitor.text.normalize import fold_key, has_diacritics, normalize_line, normalize_text

__all__ = ["Place", "RelevanceRules", "RulesError", "load_rules", "default_rules", "DATA_DIR"]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_DASHES = "-–—"
_SEPARATOR = re.compile(rf"(\s*[{_DASHES}]\s*|\s+)")
_WORD = re.compile(r"\w+")
# Words end where letters end: "Lạng Sơn57." (a list glued by a bad extraction) still matches.
_LETTER = r"[^\W\d_]"
_TITLE_WEIGHT = 2  # a term in the title counts double


class RulesError(ValueError):
    """A gazetteer or lexicon file is missing, malformed or inconsistent."""


def _fold_table() -> dict[int, str]:
    # One character in, one character out, so spans line up; everything else is left as is.
    table: dict[int, str] = {}
    for code in chain(range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        key = fold_key(chr(code))
        if len(key) == 1 and key != chr(code):
            table[code] = key
    return table


_FOLD = _fold_table()


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _canon(folded: str) -> str:
    """One spelling of separators: any run of spaces is one space, any dash is " - "."""
    return "".join(
        (" - " if part.strip() else " ") if i % 2 else part
        for i, part in enumerate(_SEPARATOR.split(folded))
    )


def _words(text: str) -> list[str]:
    return [w for i, w in enumerate(_SEPARATOR.split(text)) if i % 2 == 0 and w]


def _splits_number(folded: str, start: int, end: int) -> bool:
    """True when a term starting or ending with a digit is cut out of a longer number."""
    before, after = folded[start - 1 : start] if start else "", folded[end : end + 1]
    return (before + folded[start]).isdigit() or (folded[end - 1] + after).isdigit()


def _same_accents(written: str, term: str) -> bool:
    """True when each written word is accent-free or carries the term word's own diacritics."""
    pairs = zip(_words(written), _words(term), strict=False)
    return all(not has_diacritics(w) or w.casefold() == t.casefold() for w, t in pairs)


def _capitalised(written: str) -> bool:
    """True when every word starts with a capital letter ("Mẫu Sơn", not "mẫu sơn")."""
    return all(w[0].isupper() for w in _words(written))


def _trie_regex(terms: list[str]) -> str:
    """One regular expression for many folded terms, shared prefixes factored out (fast)."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for unit in _units(term):
            node = node.setdefault(unit, {})
        node[""] = {}
    return _node_regex(trie)


def _units(term: str) -> Iterator[str]:
    for i, part in enumerate(_SEPARATOR.split(term)):
        if i % 2:
            yield "\x00dash" if part.strip() else "\x00space"
        else:
            yield from part


def _node_regex(node: dict[str, Any]) -> str:
    optional = "" in node
    branches = []
    for unit, child in sorted((u, c) for u, c in node.items() if u):
        if unit == "\x00space":
            head = r"\s+"
        elif unit == "\x00dash":
            head = rf"\s*[{_DASHES}]\s*"
        else:
            head = re.escape(unit)
        branches.append(head + _node_regex(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:  # greedy: the longer term is tried first, the shorter one is the fallback
        return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
    return body


@dataclass(frozen=True, slots=True)
class _Term:
    written: str  # normalised spelling from the YAML file
    payload: tuple[str, str]  # (kind, canonical name); kind: place, strong, weak, exclude


class _Matcher:
    """Leftmost-longest whole-word search of many terms over folded text."""

    def __init__(self, terms: list[_Term]) -> None:
        self._by_key: dict[str, list[_Term]] = {}
        for term in terms:
            self._by_key.setdefault(_canon(_fold(term.written)), []).append(term)
        alternatives = sorted(self._by_key)
        body = _trie_regex(alternatives) if alternatives else r"(?!x)x"
        self._pattern = re.compile(rf"(?<!{_LETTER}){body}(?!{_LETTER})")

    def find(
        self, text: str, folded: str, pos: int = 0, endpos: int | None = None
    ) -> Iterator[tuple[_Term, int, int]]:
        """Yield (term, start, end) of every accepted match; ``folded`` is ``text`` folded."""
        endpos = len(folded) if endpos is None else endpos
        while (found := self._pattern.search(folded, pos, endpos)) is not None:
            start, end = found.span()
            term = self._accept(text, folded, start, end)
            while term is None and end > start:
                # The longest spelling was refused on its diacritics: try shorter ones here.
                shorter = self._pattern.match(folded, start, end - 1)
                if shorter is None:
                    break
                end = shorter.end()
                if re.match(_LETTER, folded[end : end + 1]):
                    continue  # cut inside a word by the end limit, not a real boundary
                term = self._accept(text, folded, start, end)
            if term is None:
                pos = start + 1
                continue
            yield term, start, end
            pos = end

    def _accept(self, text: str, folded: str, start: int, end: int) -> _Term | None:
        if _splits_number(folded, start, end):
            return None
        candidates = self._by_key.get(_canon(folded[start:end]), [])
        written = text[start:end]
        return next((t for t in candidates if _same_accents(written, t.written)), None)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry: a canonical name, its spellings and, if ambiguous, its contexts."""

    name: str
    aliases: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    anchored: bool = False
    proper_noun: bool = False


@dataclass(frozen=True)
class RelevanceRules:
    """Compiled gazetteer and lexicon; ``assess`` decides whether an item is relevant."""

    places: tuple[Place, ...]
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    context_window: int = 2
    _places: _Matcher = field(init=False, repr=False, compare=False)
    _sector: _Matcher = field(init=False, repr=False, compare=False)
    _contexts: dict[str, _Matcher] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Place] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        place_terms = [
            _Term(spelling, ("place", p.name))
            for p in self.places
            for spelling in (p.name, *p.aliases)
        ]
        sector_terms = [
            _Term(t, (kind, t))
            for kind, terms in (
                ("strong", self.strong),
                ("weak", self.weak),
                ("exclude", self.exclusions),
            )
            for t in terms
        ]
        contexts = {
            p.name: _Matcher([_Term(c, ("context", c)) for c in p.contexts])
            for p in self.places
            if p.contexts
        }
        object.__setattr__(self, "_places", _Matcher(place_terms))
        object.__setattr__(self, "_sector", _Matcher(sector_terms))
        object.__setattr__(self, "_contexts", contexts)
        object.__setattr__(self, "_by_name", {p.name: p for p in self.places})

    def assess(self, title: str, text: str, *, normalized: bool = False) -> Relevance:
        """Match the title (counted double) and the extracted body; never page boilerplate.

        ``normalized=True`` skips normalisation when the caller already holds normalised text.
        """
        if not normalized:
            title, text = normalize_line(title), normalize_text(text)
        places: Counter[str] = Counter()
        waiting: Counter[str] = Counter()  # ambiguous names without context, anchored ones
        sector: Counter[tuple[str, str]] = Counter()
        anchor = False
        for norm, weight in ((title, _TITLE_WEIGHT), (text, 1)):
            folded = _fold(norm)
            for term, start, end in self._places.find(norm, folded):
                place = self._by_name[term.payload[1]]
                if place.proper_noun and not _capitalised(norm[start:end]):
                    continue
                if not place.contexts:
                    anchor = True
                    places[place.name] += weight
                elif self._in_context(place, norm, folded, start):
                    places[place.name] += weight
                elif place.anchored:
                    waiting[place.name] += weight
            for term, _start, _end in self._sector.find(norm, folded):
                if term.payload[0] != "exclude":
                    sector[term.payload] += weight
        if anchor:
            places.update(waiting)
        return self._verdict(places, sector)

    def _in_context(self, place: Place, norm: str, folded: str, start: int) -> bool:
        """True when a context phrase ends at most ``context_window`` words before ``start``."""
        head = max(0, start - 120)  # context phrases are short; no need to look further back
        return any(
            len(_WORD.findall(folded, ctx_end, start)) <= self.context_window
            for _term, _ctx_start, ctx_end in self._contexts[place.name].find(
                norm, folded, head, start
            )
        )

    def _verdict(self, places: Counter[str], sector: Counter[tuple[str, str]]) -> Relevance:
        strong = any(kind == "strong" for kind, _term in sector)
        weak = sum(1 for kind, _term in sector if kind == "weak")
        matches = [Match(name, "place", n) for name, n in places.items()]
        matches += [Match(term, "sector", n) for (_kind, term), n in sector.items()]
        matches.sort(key=lambda m: (m.kind != "place", -m.count, m.term))
        return Relevance(bool(places) or strong or weak >= 2, tuple(matches))


# --- Loading -------------------------------------------------------------------------------


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

    def scalar(self, node: yaml.Node, key: str, kind: type) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, f"expected {kind.__name__}")
        value = self._constructor.construct_object(node)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(node, key, f"expected {kind.__name__}, got {type(value).__name__}")
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
        if _fold(text) != fold_key(text) or not _WORD.search(text):
            raise self.fail(node, key, f"{text!r} has characters that cannot be matched")
        canonical = _canon(text.casefold())
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


def _read_lexicon(reader: _Reader) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    top = reader.mapping(reader.root, "", {"strong", "weak", "exclusions"}, {"strong", "weak"})
    strong = reader.terms(top["strong"], "strong")
    weak = reader.terms(top["weak"], "weak")
    exclusions = reader.optional(top, "exclusions", "", tuple)
    return strong, weak, exclusions


def load_rules(gazetteer: Path | None = None, lexicon: Path | None = None) -> RelevanceRules:
    """Load and compile the gazetteer and lexicon (defaults: the files in monitor/data/)."""
    gazetteer = gazetteer or DATA_DIR / "gazetteer.yaml"
    lexicon = lexicon or DATA_DIR / "lexicon.yaml"
    places, window = _read_places(_Reader(gazetteer))
    strong, weak, exclusions = _read_lexicon(_Reader(lexicon))
    rules = RelevanceRules(places, strong, weak, exclusions, window)
    log.debug(
        "relevance_rules_loaded places=%d sector_terms=%d", len(places), len(strong) + len(weak)
    )
    return rules


@cache
def default_rules() -> RelevanceRules:
    """The packaged rules, loaded once per process."""
    return load_rules()
