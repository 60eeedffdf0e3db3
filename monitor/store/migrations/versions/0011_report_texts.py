"""report texts: the writers' own sections of a report (the yearly assessment and directions)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10

One row per report, period and section (e.g. yearly, 2026, results); the text is entered in
the dashboard by a writer or a lead and printed as written. Every edit is audited.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_texts",
        sa.Column("report", sa.String(16), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("section", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("report", "period", "section", name=op.f("pk_report_texts")),
    )


def downgrade() -> None:
    op.drop_table("report_texts")
