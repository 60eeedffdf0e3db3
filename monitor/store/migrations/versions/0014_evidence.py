"""evidence captures

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

One row per capture of an item's page: when, by whom and why, whether the page could be
fetched (a failed capture still keeps the feed entry and the extracted text), and the file
written once under MONITOR_EVIDENCE_DIR with its SHA-256 and size. One row per re-check of a
confirmed item's page: live, changed (a new capture was taken), removed or unreachable. And
the time by which a correction or removal request must have been acted on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_captures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("captured_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("token_path", sa.Text(), nullable=True),
        sa.Column("token_time", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_evidence_captures_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_captures")),
    )
    op.create_index(op.f("ix_evidence_captures_item_id"), "evidence_captures", ["item_id"])
    op.create_table(
        "evidence_checks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("capture_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_evidence_checks_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_checks")),
    )
    op.create_index(op.f("ix_evidence_checks_item_id"), "evidence_checks", ["item_id"])
    op.add_column("response_cases", sa.Column("request_due_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("response_cases", "request_due_at")  # SQLite 3.35+: in place
    op.drop_index(op.f("ix_evidence_checks_item_id"), table_name="evidence_checks")
    op.drop_table("evidence_checks")
    op.drop_index(op.f("ix_evidence_captures_item_id"), table_name="evidence_captures")
    op.drop_table("evidence_captures")
