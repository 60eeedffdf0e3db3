"""One place that turns typed records into stored column values and back (JSON columns)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from monitor.records import Article, ItemScore, Match, Phrase, Processed, Relevance, Signal


def encode_matches(matches: tuple[Match, ...] | list[Match]) -> str:
    """items.matches: every found term with its kind, counts per zone and positions."""
    return json.dumps(
        [
            {
                "term": m.term,
                "kind": m.kind,
                "count": m.count,
                "topic": m.topic,
                "zones": dict(m.zones),
                "spans": [list(s) for s in m.spans],
            }
            for m in matches
        ],
        ensure_ascii=False,
    )


def decode_matches(text: str | None) -> list[Match]:
    """The inverse of :func:`encode_matches`; rows written before 0007 have no zones or spans."""
    out = []
    for m in json.loads(text or "[]"):
        zones = tuple((str(z), int(n)) for z, n in (m.get("zones") or {}).items())
        spans = tuple((str(w), int(a), int(b)) for w, a, b in m.get("spans") or ())
        out.append(
            Match(m["term"], m["kind"], int(m["count"]), m.get("topic", ""), zones, spans)
        )
    return out


def key_hash(value: str) -> str:
    """The stored hash of a canonical URL or a GUID (items.url_hash, items.guid_hash)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def item_identity(article: Article) -> dict[str, Any]:
    """The items columns that identify an article: never change once stored."""
    return {
        "source_id": article.source_id,
        "guid": article.guid,
        "guid_hash": key_hash(article.guid) if article.guid else None,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "url_hash": key_hash(article.canonical_url),
    }


def item_content(processed: Processed) -> dict[str, Any]:
    """The items columns of an article's content and its assessment (rewritten when a page
    fetched on retry replaces the feed summary)."""
    article = processed.article
    return {
        "content_hash": article.content_hash,
        "title": article.title,
        "summary": article.summary,
        "text": article.text,
        "text_method": article.text_method,
        "published_at": article.published_at,
        "date_source": article.date_source,
        "language": article.language,
        "fingerprint": processed.fingerprint,
        "fetch_error": article.fetch_error,
        "page_status": article.page_status,
        **relevance_values(processed.relevance, processed.rules_version),
    }


def relevance_values(relevance: Relevance, rules_version: str) -> dict[str, Any]:
    """The items columns that hold one relevance answer."""
    return {
        "relevant": relevance.relevant,
        "matches": encode_matches(relevance.matches),
        "place_relevant": relevance.place,
        "sector_relevant": relevance.sector,
        "relevance_score": relevance.sector_score,
        "relevance_reason": relevance.reason,
        "relevance_rules": rules_version,
    }


# -- item_scores -------------------------------------------------------------------------------
def encode_score(score: ItemScore) -> dict[str, Any]:
    """The item_scores row of one score."""
    return {
        "item_id": score.item_id,
        "model_version": score.model_version,
        "label": score.label,
        "scores": json.dumps({k: round(v, 5) for k, v in score.scores.items()}),
        "flags": json.dumps(list(score.flags)),
        "flagged": score.flagged,
        "evidence": json.dumps(
            {k: [_phrase_value(p) for p in v] for k, v in score.evidence.items()},
            ensure_ascii=False,
        ),
        "signals": json.dumps(
            {k: [_signal_value(s) for s in v] for k, v in score.signals.items()},
            ensure_ascii=False,
        ),
        "reasons": json.dumps(score.reasons, ensure_ascii=False),
        "uncertainty": score.uncertainty,
        "narrative_of": score.narrative_of,
        "narrative_similarity": score.narrative_similarity,
        "scored_at": score.scored_at,
    }


def _phrase_value(p: Phrase) -> dict[str, Any]:
    out: dict[str, Any] = {"phrase": p.phrase, "weight": round(p.weight, 4)}
    if p.start is not None and p.end is not None:
        out.update(start=p.start, end=p.end)
    return out


def _signal_value(s: Signal) -> dict[str, Any]:
    return {"name": s.name, "weight": round(s.weight, 4), "value": round(s.value, 4),
            "detail": s.detail}  # fmt: skip


def decode_scores(text: str | None) -> dict[str, float]:
    """item_scores.scores: {label: probability} ({} when unscored)."""
    return {str(k): float(v) for k, v in json.loads(text or "{}").items()}


def decode_flags(text: str | None) -> tuple[str, ...]:
    return tuple(str(f) for f in json.loads(text or "[]"))


def decode_evidence(text: str | None) -> dict[str, tuple[Phrase, ...]]:
    """item_scores.evidence per label; old rows may lack offsets (start/end None)."""
    out = {}
    for label, phrases in json.loads(text or "{}").items():
        out[str(label)] = tuple(
            Phrase(str(p.get("phrase", "")), float(p.get("weight", 0.0)),
                   _int_or_none(p.get("start")), _int_or_none(p.get("end")))
            for p in phrases if isinstance(p, dict)
        )  # fmt: skip
    return out


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def decode_signals(text: str | None) -> dict[str, tuple[Signal, ...]]:
    out = {}
    for label, signals in json.loads(text or "{}").items():
        out[str(label)] = tuple(
            Signal(str(s.get("name", "")), float(s.get("weight", 0.0)),
                   float(s.get("value", 0.0)), str(s.get("detail") or ""))
            for s in signals if isinstance(s, dict)
        )  # fmt: skip
    return out


def decode_reasons(text: str | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in json.loads(text or "{}").items()}


def decode_score(row: Any) -> ItemScore:
    """An item_scores row (all columns) as its record."""
    return ItemScore(
        row.item_id, row.model_version, row.label, decode_scores(row.scores),
        decode_flags(row.flags), bool(row.flagged), decode_evidence(row.evidence),
        decode_signals(row.signals), decode_reasons(row.reasons), float(row.uncertainty),
        row.narrative_of, row.narrative_similarity, row.scored_at,
    )  # fmt: skip


# -- the other JSON columns (sources.tags and config, facts.topics, drafts.claims and fact_ids,
# audit_log before and after): one encoding for all of them ------------------------------------
def encode_json(value: Any) -> str:
    """A JSON column's text: UTF-8 kept readable, keys in a stable order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def decode_list(text: str | None) -> list[Any]:
    """A JSON list column ([] when empty or NULL)."""
    value = json.loads(text or "[]")
    return value if isinstance(value, list) else []


def decode_object(text: str | None) -> dict[str, Any]:
    """A JSON object column ({} when empty or NULL)."""
    value = json.loads(text or "{}")
    return value if isinstance(value, dict) else {}


def decode_json(text: str | None) -> Any:
    """Any JSON column (None stays None)."""
    return None if text is None else json.loads(text)
