"""flag reasons: item_scores.reasons

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

One sentence per flagged label, in Vietnamese, written when the item is scored
(monitor/flag_reasons.py), as JSON {label: sentence}. Rows scored earlier get an empty object
until they are scored again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "item_scores", sa.Column("reasons", sa.Text(), server_default="{}", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("item_scores", "reasons")
