"""One place that turns typed records into stored column values and back (JSON columns)."""

from __future__ import annotations

import json
from typing import Any

from monitor.records import Match, Relevance


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
