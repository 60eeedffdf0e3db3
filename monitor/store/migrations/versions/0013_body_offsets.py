"""evidence offsets relative to the body

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Evidence phrases stored in item_scores.evidence pointed into the classifier's input (the title,
a line break, then the body), so every reader had to move them back. They now index the body
(items.text) itself; a phrase found in the title keeps no offsets. This revision rewrites the
stored rows the same way, in batches; downgrading moves them back.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 1000


def _shift(title: str | None, text: str | None) -> int:
    """Where the body starts in the classifier's input (monitor.text.snippet.body_shift)."""
    title, text = title or "", text or ""
    return len(title) + 1 if title and not text.startswith(title) else 0


def _rewrite(direction: int) -> None:
    conn = op.get_bind()
    last = -1
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT s.item_id, s.evidence, i.title, i.text FROM item_scores s"
                " JOIN items i ON i.id = s.item_id"
                " WHERE s.item_id > :last AND s.evidence <> '{}' ORDER BY s.item_id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        for item_id, raw, title, text in rows:
            shift = _shift(title, text) * direction
            evidence = json.loads(raw or "{}")
            for phrases in evidence.values():
                for p in phrases:
                    if isinstance(p, dict) and isinstance(p.get("start"), int):
                        start = int(p["start"]) - shift
                        end = int(p.get("end") or p["start"]) - shift
                        if start < 0:
                            p.pop("start"), p.pop("end", None)  # in the title: no body offsets
                        else:
                            p["start"], p["end"] = start, end
            conn.execute(
                sa.text("UPDATE item_scores SET evidence = :e WHERE item_id = :i"),
                {"e": json.dumps(evidence, ensure_ascii=False), "i": item_id},
            )
        last = rows[-1][0]


def upgrade() -> None:
    _rewrite(+1)


def downgrade() -> None:
    _rewrite(-1)  # phrases of the title lost their offsets: they stay without
