"""Relevance: two questions kept apart, and ``relevant`` is their OR.

- Does the item mention Lạng Sơn? Any gazetteer place found in the title or the extracted
  text (ambiguous names only with their context): a yes/no, as exact as the gazetteer.
- Is it about the construction sector? A score in [0, 1) from the lexicon evidence: which
  terms, of which tier and topic, where they sit (title, first paragraph, body), how often,
  in how long a text; figurative phrases ("xây dựng Đảng") hide the words inside them. The
  weights live in lexicon.yaml (``scoring``), see :class:`~.rulefiles.Scoring`.

Every answer carries the terms found, their positions and a one-line reason in Vietnamese.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from monitor.i18n import vi
from monitor.records import ZONES, Match, Relevance
from monitor.text.normalize import normalize_line, normalize_text

from .matcher import WORD, Matcher, Term, capitalised, fold
from .rulefiles import (
    DATA_DIR,
    TOPICS,
    Place,
    RuleFiles,
    RulesError,
    Scoring,
    SectorTerm,
    read_rule_files,
)

__all__ = [
    "Place",
    "RelevanceRules",
    "RulesError",
    "Scoring",
    "load_rules",
    "default_rules",
    "DATA_DIR",
    "TOPICS",
]

log = logging.getLogger(__name__)

_TITLE_COUNT = 2  # a title occurrence counts double in Match.count (as it always has)
_LEAD_CHARS = 400  # the lead is the first paragraph, cut here when paragraphs are missing
_SPANS_KEPT = 12  # positions stored per term
_NAMED_ZONES = ("title", "lead")  # cited in the reason; the body goes without saying
_KINDS = {"exclude": "figurative", "against": "against"}  # lexicon tier -> Match.kind
SECTOR_CUTOFF = 0.5  # sector score at or above which an item is construction news


@dataclass
class _Found:
    """Occurrences of one term while an item is read."""

    zones: dict[str, int] = field(default_factory=dict)
    spans: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, zone: str, where: str, start: int, end: int) -> None:
        self.zones[zone] = self.zones.get(zone, 0) + 1
        if len(self.spans) < _SPANS_KEPT:
            self.spans.append((where, start, end))

    def merge(self, other: _Found) -> None:
        for zone, n in other.zones.items():
            self.zones[zone] = self.zones.get(zone, 0) + n
        self.spans = sorted(self.spans + other.spans)[:_SPANS_KEPT]

    def match(self, term: str, kind: str, topic: str = "") -> Match:
        count = sum(n * (_TITLE_COUNT if z == "title" else 1) for z, n in self.zones.items())
        zones = tuple((z, self.zones[z]) for z in ZONES if z in self.zones)
        return Match(term, kind, count, topic, zones, tuple(self.spans))


@dataclass(frozen=True)
class RelevanceRules:
    """Compiled gazetteer and lexicon; ``assess`` answers both questions for one item."""

    places: tuple[Place, ...]
    sector_terms: tuple[SectorTerm, ...]
    exclusions: tuple[str, ...] = ()
    context_window: int = 2
    scoring: Scoring = field(default_factory=Scoring)
    version: str = ""
    _places: Matcher = field(init=False, repr=False, compare=False)
    _sector: Matcher = field(init=False, repr=False, compare=False)
    _contexts: dict[str, Matcher] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Place] = field(init=False, repr=False, compare=False)
    _by_term: dict[str, SectorTerm] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        place_terms = [
            Term(spelling, ("place", p.name))
            for p in self.places
            for spelling in (p.name, *p.aliases)
        ]
        sector_terms = [Term(t.term, (t.tier, t.term)) for t in self.sector_terms]
        sector_terms += [Term(t, ("exclude", t)) for t in self.exclusions]
        contexts = {
            p.name: Matcher([Term(c, ("context", c)) for c in p.contexts])
            for p in self.places
            if p.contexts
        }
        object.__setattr__(self, "_places", Matcher(place_terms))
        object.__setattr__(self, "_sector", Matcher(sector_terms))
        object.__setattr__(self, "_contexts", contexts)
        object.__setattr__(self, "_by_name", {p.name: p for p in self.places})
        object.__setattr__(self, "_by_term", {t.term: t for t in self.sector_terms})

    @classmethod
    def from_files(cls, files: RuleFiles) -> RelevanceRules:
        return cls(
            files.places,
            files.sector,
            files.exclusions,
            files.context_window,
            files.scoring,
            files.version,
        )

    @property
    def against(self) -> tuple[str, ...]:
        return tuple(t.term for t in self.sector_terms if t.tier == "against")

    @property
    def strong(self) -> tuple[str, ...]:
        return tuple(t.term for t in self.sector_terms if t.tier == "strong")

    @property
    def weak(self) -> tuple[str, ...]:
        return tuple(t.term for t in self.sector_terms if t.tier == "weak")

    def assess(self, title: str, text: str, *, normalized: bool = False) -> Relevance:
        """Read the title and the extracted body (never page boilerplate) and answer.

        ``normalized=True`` skips normalisation when the caller already holds normalised text.
        """
        if not normalized:
            title, text = normalize_line(title), normalize_text(text)
        places: dict[str, _Found] = defaultdict(_Found)
        waiting: dict[str, _Found] = defaultdict(_Found)  # anchored names without context
        sector: dict[tuple[str, str], _Found] = defaultdict(_Found)
        anchor = False
        lead_end = _lead_end(text)
        for where, norm in (("title", title), ("text", text)):
            folded = fold(norm)
            for term, start, end in self._places.find(norm, folded):
                zone = _zone(where, start, lead_end)
                place = self._by_name[term.payload[1]]
                if place.proper_noun and not capitalised(norm[start:end]):
                    continue
                if not place.contexts:
                    anchor = True
                    places[place.name].add(zone, where, start, end)
                elif self._in_context(place, norm, folded, start):
                    places[place.name].add(zone, where, start, end)
                elif place.anchored:
                    waiting[place.name].add(zone, where, start, end)
            for term, start, end in self._sector.find(norm, folded):
                sector[term.payload].add(_zone(where, start, lead_end), where, start, end)
        if anchor:
            for name, found in waiting.items():
                places[name].merge(found)
        return self._verdict(places, sector, _word_count(title, text))

    def _in_context(self, place: Place, norm: str, folded: str, start: int) -> bool:
        """True when a context phrase ends at most ``context_window`` words before ``start``."""
        head = max(0, start - 120)  # context phrases are short; no need to look further back
        return any(
            len(WORD.findall(folded, ctx_end, start)) <= self.context_window
            for _term, _ctx_start, ctx_end in self._contexts[place.name].find(
                norm, folded, head, start
            )
        )

    def term_value(self, match: Match, scoring: Scoring | None = None) -> float:
        """What one sector term adds to the evidence (before the length correction)."""
        s = scoring or self.scoring
        tier = self._by_term[match.term].tier if match.term in self._by_term else "weak"
        best = max((s.weight(z) for z, _n in match.zones), default=s.body)
        return s.weight(tier) * (best + s.repeat * math.log(max(1, match.occurrences)))

    def sector_score(
        self, matches: Sequence[Match], words: int, scoring: Scoring | None = None
    ) -> float:
        """The sector score in [0, 1) of the matches of an item of ``words`` words
        (``scoring``: other weights than the lexicon's, to measure them)."""
        s = scoring or self.scoring
        counted = [m for m in matches if m.kind == "sector"]
        evidence = sum(self.term_value(m, s) for m in counted)
        if counted:
            against = sum(self.term_value(m, s) for m in matches if m.kind == "against")
            evidence = max(0.0, evidence - against)
        topics = {m.topic for m in counted if m.topic}
        evidence += s.topic_bonus * max(0, len(topics) - 1)
        evidence /= math.sqrt(max(1.0, words / s.length_words))
        return evidence / (evidence + s.threshold)

    def _verdict(
        self,
        places: dict[str, _Found],
        sector: dict[tuple[str, str], _Found],
        words: int,
    ) -> Relevance:
        place_matches = [found.match(name, "place") for name, found in places.items()]
        sector_matches = [
            found.match(term, _KINDS.get(kind, "sector"), self._topic(term))
            for (kind, term), found in sector.items()
        ]
        matches = sorted(place_matches + sector_matches, key=_match_order)
        score = round(self.sector_score(sector_matches, words), 4)
        in_place, in_sector = bool(place_matches), score >= SECTOR_CUTOFF
        reason = self.reason(matches, score, in_sector)
        return Relevance(in_place or in_sector, tuple(matches), in_place, in_sector, score, reason)

    def _topic(self, term: str) -> str:
        found = self._by_term.get(term)
        return found.topic if found else ""

    def reason(self, matches: Sequence[Match], score: float, sector: bool) -> str:
        """One line in Vietnamese: the places found, then the sector verdict and its evidence."""
        places = [m for m in matches if m.kind == "place"]
        counted = sorted(
            (m for m in matches if m.kind == "sector"), key=lambda m: -self.term_value(m)
        )
        figurative = [m for m in matches if m.kind == "figurative"]
        against = [m for m in matches if m.kind == "against"]
        parts = []
        if places:
            parts.append("Nhắc đến Lạng Sơn: " + ", ".join(_cite(m) for m in places[:4]))
        shown = f"(điểm {_decimal(score)})"
        if sector:
            parts.append(f"Nói về ngành xây dựng {shown}: " + _cite_all(counted))
        elif counted:
            parts.append(f"Không phải tin ngành xây dựng {shown}: chỉ có " + _cite_all(counted))
        else:
            parts.append("Không có từ ngữ ngành xây dựng")
        if against and counted:
            parts.append("ngược lại: " + ", ".join(_cite(m) for m in against[:3]))
        if figurative:
            hidden = ", ".join(_cite(m) for m in figurative[:3])
            parts.append(f"không tính {hidden} (nghĩa khác)")
        return "; ".join(parts)


def _match_order(m: Match) -> tuple[int, int, str]:
    return ({"place": 0, "sector": 1, "against": 2}.get(m.kind, 3), -m.count, m.term)


def _lead_end(text: str) -> int:
    newline = text.find("\n")
    return min(newline if newline > 0 else len(text), _LEAD_CHARS)


def _zone(where: str, start: int, lead_end: int) -> str:
    if where == "title":
        return "title"
    return "lead" if start < lead_end else "body"


def _word_count(title: str, text: str) -> int:
    return len(title.split()) + len(text.split())


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _cite(m: Match) -> str:
    """'nhà thầu' ×3 (tiêu đề): the term, how often, and its most prominent zone."""
    text = f"'{m.term}'"
    if m.occurrences > 1:
        text += f" ×{m.occurrences}"
    zone = next((z for z, _n in m.zones if z in _NAMED_ZONES), None)
    return f"{text} ({vi(f'zone.{zone}')})" if zone else text


def _cite_all(matches: list[Match], shown: int = 4) -> str:
    text = ", ".join(_cite(m) for m in matches[:shown])
    return text + (f" và {len(matches) - shown} từ khác" if len(matches) > shown else "")


def load_rules(gazetteer: Path | None = None, lexicon: Path | None = None) -> RelevanceRules:
    """Load and compile the gazetteer and lexicon (defaults: the files in monitor/data/)."""
    rules = RelevanceRules.from_files(read_rule_files(gazetteer, lexicon))
    log.debug(
        "relevance_rules_loaded places=%d sector_terms=%d version=%s",
        len(rules.places),
        len(rules.sector_terms),
        rules.version,
    )
    return rules


@cache
def default_rules() -> RelevanceRules:
    """The packaged rules, loaded once per process."""
    return load_rules()


def rules_for(gazetteer: str = "", lexicon: str = "") -> RelevanceRules:
    """The rules the settings name (MONITOR_RELEVANCE_GAZETTEER and _LEXICON), the packaged
    ones when neither is set; loaded once per process for each pair of files."""
    if not gazetteer and not lexicon:
        return default_rules()
    return _rules_from(gazetteer, lexicon)


@cache
def _rules_from(gazetteer: str, lexicon: str) -> RelevanceRules:
    return load_rules(Path(gazetteer) if gazetteer else None, Path(lexicon) if lexicon else None)
