"""The vocabulary's terms as the store reads them, one definition each:

- *seen time*: when an item was published, else when it was fetched;
- *confirmed*: an item whose review status is now confirmed or signed off (its latest
  verdicts say distorted or hostile, undisputed); a confirmed *label* is that of its latest
  verdict that teaches one.

Statistics, narrative matching, learning and drafts use these and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, func, select

from ..vocabulary import CONFIRMED
from .tables import items, review_state, sources, verdicts


def seen_at(columns: Any = items.c) -> Any:
    """SQL: the item's seen time (published, else fetched)."""
    return func.coalesce(columns.published_at, columns.fetched_at)


def not_own(source_id: Any = items.c.source_id) -> ColumnElement[bool]:
    """SQL: the item is not from one of the Department's own channels (those are its output:
    never scored, never reviewed)."""
    return source_id.not_in(select(sources.c.id).where(sources.c.own))


def seen_time(row: Any) -> datetime:
    """The seen time of a row that has published_at and fetched_at."""
    return row.published_at or row.fetched_at


def confirmed(status: Any = review_state.c.status) -> ColumnElement[bool]:
    """SQL: the review status is confirmed or signed off."""
    return status.in_(CONFIRMED)


def latest_labelled_verdicts() -> Subquery:
    """Per item, its latest verdict that teaches a label: item_id, label, created_at."""
    latest = (
        select(verdicts.c.item_id, func.max(verdicts.c.id).label("vid"))
        .where(verdicts.c.label.is_not(None))
        .group_by(verdicts.c.item_id)
        .subquery()
    )
    return (
        select(verdicts.c.item_id, verdicts.c.label, verdicts.c.created_at)
        .join(latest, and_(verdicts.c.id == latest.c.vid))
        .subquery()
    )
