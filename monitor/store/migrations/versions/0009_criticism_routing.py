"""criticism routing: response_cases.due_on, answer_url, score

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Criticism cases get the date the office must answer by, the link of the answer when it was
published, and the criticism score the item had when it was routed (empty for cases opened
from an analyst's verdict).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("response_cases", sa.Column("due_on", sa.Date(), nullable=True))
    op.add_column("response_cases", sa.Column("answer_url", sa.Text(), nullable=True))
    op.add_column("response_cases", sa.Column("score", sa.Float(), nullable=True))


def downgrade() -> None:
    for name in ("score", "answer_url", "due_on"):
        op.drop_column("response_cases", name)
