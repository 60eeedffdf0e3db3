"""a named person compares every citation of a draft with its document before approval

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

Fact retrieval cites a wrong fact for a good share of claims written to tempt it
(BENCHMARKS.md, "Fact citations"), so a draft version that cites facts records who compared
each citation with the document it names (``drafts.checked_by``, ``checked_at``); a rebuttal
case is approved only on a checked version.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("drafts", sa.Column("checked_by", sa.String(64), nullable=True))
    op.add_column("drafts", sa.Column("checked_at", WHEN, nullable=True))


def downgrade() -> None:
    op.drop_column("drafts", "checked_at")  # SQLite 3.35+: in place
    op.drop_column("drafts", "checked_by")
