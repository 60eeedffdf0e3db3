"""Item status derivation from verdicts and sign-offs (the names are in monitor/vocabulary.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..vocabulary import (
    ALIASES,
    REASON_REQUIRED,
    ROLES,
    STATUSES,
    VERDICT_LABELS,
    VERDICT_STATUS,
    VERDICTS,
    User,
    base_status,
)
from . import InvalidInput

__all__ = [
    "ALIASES", "REASON_REQUIRED", "ROLES", "STATUSES", "VERDICT_LABELS", "VERDICT_STATUS",
    "VERDICTS", "User", "VerdictRow", "base_status", "canonical_verdict", "derive_status",
]

def canonical_verdict(name: str) -> str:
    """The canonical verdict name for ``name`` or one of its aliases."""
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    if key not in VERDICTS:
        raise InvalidInput(f"unknown verdict {name!r}; use one of {', '.join(VERDICTS)}")
    return key


@dataclass(frozen=True, slots=True)
class VerdictRow:
    """One stored verdict, as status derivation needs it."""

    id: int
    verdict: str
    analyst: str
    created_at: datetime
    by_lead: bool = False


def derive_status(
    flagged: bool | None, verdicts: Sequence[VerdictRow], signed_off: Iterable[int] = (),
    source_id: str = "",
) -> str:
    """An item's status from its score, its verdicts (all kept) and its sign-offs.

    The latest verdict of each analyst counts; if they lead to different statuses the item is
    disputed, unless the most recent verdict is a lead's, which settles it.
    """
    if not verdicts:
        return base_status(flagged, source_id)
    ordered = sorted(verdicts, key=lambda v: (v.created_at, v.id))
    last = ordered[-1]
    latest: dict[str, VerdictRow] = {}
    for row in ordered:
        latest[row.analyst] = row
    outcomes = {VERDICT_STATUS[row.verdict] for row in latest.values()}
    if len(outcomes) > 1 and not last.by_lead:
        return "disputed"
    status = VERDICT_STATUS[last.verdict]
    if status == "confirmed" and last.id in set(signed_off):
        return "signed_off"
    return status
