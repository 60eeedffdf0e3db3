"""The review status model: verdict names, their training labels and item status derivation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import InvalidInput

ROLES = ("analyst", "lead", "writer", "admin")

# Statuses an item moves through; "disputed" when analysts' latest verdicts disagree.
STATUSES = (
    "new",  # collected, not scored yet
    "scored",  # scored, under every review threshold
    "flagged",  # scored over a review threshold, waiting for an analyst
    "confirmed",  # confirmed distorted or hostile, waiting for a lead's sign-off
    "signed_off",  # confirmed and signed off by a lead
    "criticism",  # legitimate criticism, routed to the responsible office
    "dismissed",  # a false alarm
    "escalated",  # handed to a lead
    "disputed",  # two analysts disagree; a lead decides
)

VERDICTS = ("confirm_distorted", "confirm_hostile", "criticism", "dismiss", "escalate")
ALIASES = {
    "distorted": "confirm_distorted",
    "hostile": "confirm_hostile",
    "dismissed": "dismiss",
    "false_alarm": "dismiss",
    "escalated": "escalate",
}
# What the classifier learns from each verdict (None: nothing).
VERDICT_LABELS: dict[str, str | None] = {
    "confirm_distorted": "distorted",
    "confirm_hostile": "hostile",
    "criticism": "criticism",
    "dismiss": "neutral",
    "escalate": None,
}
VERDICT_STATUS = {
    "confirm_distorted": "confirmed",
    "confirm_hostile": "confirmed",
    "criticism": "criticism",
    "dismiss": "dismissed",
    "escalate": "escalated",
}
REASON_REQUIRED = {"confirm_distorted", "confirm_hostile", "dismiss"}


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


def base_status(flagged: bool | None) -> str:
    """Status before any verdict: new (unscored), scored or flagged."""
    if flagged is None:
        return "new"
    return "flagged" if flagged else "scored"


def derive_status(
    flagged: bool | None, verdicts: Sequence[VerdictRow], signed_off: Iterable[int] = ()
) -> str:
    """An item's status from its score, its verdicts (all kept) and its sign-offs.

    The latest verdict of each analyst counts; if they lead to different statuses the item is
    disputed, unless the most recent verdict is a lead's, which settles it.
    """
    if not verdicts:
        return base_status(flagged)
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
