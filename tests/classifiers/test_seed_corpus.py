"""Integrity checks for the project's own seed corpus and gold set (classifiers/seed/)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import pytest

from monitor.text.normalize import fold_key, has_diacritics

SEED_DIR = Path(__file__).resolve().parents[2] / "classifiers" / "seed"
LABELS = ("distorted", "hostile", "criticism", "neutral")
SEED_RANGE = (150, 320)
GOLD_PER_LABEL = 40
SHINGLE = 5
# Share of one text's word 5-grams found in another text above which the pair counts as a
# near-duplicate. Hand-written items that merely share a place name or a set phrase stay
# well under it; a copy with a sentence changed stays above.
NEAR_DUP = 0.5
# Each topic must appear under every label, so that no label can be learnt from topic words.
TOPICS = {
    "compensation": r"\bden bu\b|\bboi thuong\b",
    "expressway": r"\bcao toc\b",
    "border gate": r"\bcua khau\b",
    "social housing": r"\bnha o xa hoi\b",
    "building permit": r"\bgiay phep\b|\bcap phep\b",
    "department": r"\bso xay dung\b",
}
MIN_PER_TOPIC_LABEL = 4

Record = dict[str, object]


def _read(name: str) -> list[Record]:
    path = SEED_DIR / name
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            pytest.fail(f"{name}:{number}: not valid JSON ({exc})")
    return records


@pytest.fixture(scope="module")
def seed() -> list[Record]:
    return _read("seed.jsonl")


@pytest.fixture(scope="module")
def gold() -> list[Record]:
    """Both held-out sets: the short gold items and the article-length ones."""
    return _read("gold.jsonl") + _read("gold_articles.jsonl")


def _text(record: Record) -> str:
    return str(record["text"])


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", fold_key(text))
    return frozenset(zip(*(words[i:] for i in range(SHINGLE)), strict=False))


def _near_duplicates(
    left: list[Record], right: list[Record] | None = None
) -> list[tuple[str, str, float]]:
    """Pairs whose shared 5-grams cover at least NEAR_DUP of the shorter text's 5-grams."""
    groups = [left] if right is None else [left, right]
    shingles = {str(r["id"]): _shingles(_text(r)) for group in groups for r in group}
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for record_id, grams in shingles.items():
        for gram in grams:
            owners[gram].add(record_id)
    shared: Counter[tuple[str, str]] = Counter()
    for ids in owners.values():
        for pair in combinations(sorted(ids), 2):
            shared[pair] += 1
    left_ids = {str(r["id"]) for r in left}
    found = []
    for (a, b), count in shared.items():
        if right is not None and (a in left_ids) == (b in left_ids):
            continue  # a seed-vs-gold check ignores pairs inside one file
        overlap = count / min(len(shingles[a]), len(shingles[b]))
        if overlap >= NEAR_DUP:
            found.append((a, b, round(overlap, 2)))
    return found


def _topic_counts(records: Iterable[Record], pattern: str) -> Counter[str]:
    return Counter(str(r["label"]) for r in records if re.search(pattern, fold_key(_text(r))))


@pytest.mark.parametrize("name", ["seed.jsonl", "gold.jsonl", "gold_articles.jsonl"])
def test_records_have_id_text_label_and_seed_flag(name: str) -> None:
    for record in _read(name):
        assert isinstance(record.get("id"), str), record
        text = record.get("text")
        assert isinstance(text, str) and text.strip(), record
        assert text == text.strip(), record["id"]
        assert record.get("label") in LABELS, record["id"]
        assert record.get("seed") is True, record["id"]


def test_ids_are_unique_and_follow_the_pattern(seed: list[Record], gold: list[Record]) -> None:
    ids = [str(r["id"]) for r in seed + gold]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"seed-\d{4}", str(r["id"])) for r in seed)
    assert all(re.fullmatch(r"gold-(art-)?\d{3}", str(r["id"])) for r in gold)


def test_seed_label_counts_are_in_range(seed: list[Record]) -> None:
    counts = Counter(str(r["label"]) for r in seed)
    low, high = SEED_RANGE
    assert set(counts) == set(LABELS)
    assert all(low <= counts[label] <= high for label in LABELS), counts


def test_gold_is_balanced() -> None:
    counts = Counter(str(r["label"]) for r in _read("gold.jsonl"))
    assert counts == dict.fromkeys(LABELS, GOLD_PER_LABEL)


def test_article_gold_is_long_and_balanced_between_criticism_and_distorted() -> None:
    """The article-length set measures the costly confusion: criticism taken for distorted
    (answered with a rebuttal) and distorted taken for criticism (answered as a complaint)."""
    articles = _read("gold_articles.jsonl")
    assert Counter(str(r["label"]) for r in articles) == {"criticism": 40, "distorted": 40}
    assert all(150 <= len(_text(r).split()) <= 420 for r in articles)


def test_texts_are_nfc(seed: list[Record], gold: list[Record]) -> None:
    bad = [r["id"] for r in seed + gold if not unicodedata.is_normalized("NFC", _text(r))]
    assert bad == []


def test_no_exact_duplicates_by_fold_key(seed: list[Record], gold: list[Record]) -> None:
    keys = Counter(fold_key(_text(r)) for r in seed + gold)
    assert [key[:60] for key, n in keys.items() if n > 1] == []


def test_no_near_duplicates_within_seed(seed: list[Record]) -> None:
    assert _near_duplicates(seed) == []


def test_no_near_duplicates_between_seed_and_gold(seed: list[Record], gold: list[Record]) -> None:
    assert _near_duplicates(seed, gold) == []


def test_near_duplicate_check_catches_an_edited_copy(seed: list[Record]) -> None:
    original = max(seed[:50], key=lambda r: len(_text(r)))
    words = _text(original).split()
    edited: Record = {"id": "copy", "text": " ".join(words[:-3] + ["thêm", "vài", "chữ"])}
    stripped: Record = {"id": "plain", "text": fold_key(_text(original)).upper()}
    pairs = _near_duplicates([original], [edited, stripped])
    assert {frozenset(pair[:2]) for pair in pairs} == {
        frozenset({original["id"], "copy"}),
        frozenset({original["id"], "plain"}),
    }


def test_a_small_share_is_written_without_diacritics(seed: list[Record]) -> None:
    plain = sum(1 for r in seed if not has_diacritics(_text(r)))
    assert 0.02 <= plain / len(seed) <= 0.10


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_topic_words_appear_under_every_label(seed: list[Record], topic: str) -> None:
    counts = _topic_counts(seed, TOPICS[topic])
    assert all(counts[label] >= MIN_PER_TOPIC_LABEL for label in LABELS), counts
