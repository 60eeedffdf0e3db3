"""page status and remembered feed rhythm

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

items.page_status says what became of an item's article page as a value, no longer as prose
to match: page (its text is the page's), feed_only (the source does not fetch pages),
not_fetched (a rule forbade it: robots.txt, a blocked address), fetch_failed (retried later),
unusable (fetched, but extraction failed or gave too little: the feed summary was kept).
Rows written before are classified from their fetch_error text.

sources.publish_gap_minutes and sources.feed_ttl_minutes keep what the last full read of a
feed said about its rhythm, so that a 304 answer keeps the adaptive polling interval.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("items", sa.Column("page_status", sa.String(16), nullable=True))
    op.add_column("sources", sa.Column("publish_gap_minutes", sa.Float(), nullable=True))
    op.add_column("sources", sa.Column("feed_ttl_minutes", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE items SET page_status = CASE"
        " WHEN fetch_error LIKE 'fetch failed%' THEN 'fetch_failed'"
        " WHEN fetch_error LIKE 'not fetched%' THEN 'not_fetched'"
        " WHEN fetch_error IS NOT NULL THEN 'unusable'"
        " WHEN text_method = 'feed-summary' THEN 'feed_only'"
        " ELSE 'page' END"
    )


def downgrade() -> None:
    # SQLite 3.35 and later drop a column in place (no table copy, foreign keys untouched).
    op.drop_column("sources", "feed_ttl_minutes")
    op.drop_column("sources", "publish_gap_minutes")
    op.drop_column("items", "page_status")
