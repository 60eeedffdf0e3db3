"""classification: item scores and analyst verdicts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "item_scores",
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("uncertainty", sa.Float(), nullable=False),
        sa.Column("narrative_of", sa.BigInteger(), nullable=True),
        sa.Column("narrative_similarity", sa.Float(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_item_scores_item_id_items")
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_scores")),
    )
    with op.batch_alter_table("item_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_scores_flagged"), ["flagged"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_item_scores_uncertainty"), ["uncertainty"], unique=False
        )

    op.create_table(
        "verdicts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_verdicts_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdicts")),
    )
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verdicts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_verdicts_item_id"), ["item_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdicts_item_id"))
        batch_op.drop_index(batch_op.f("ix_verdicts_created_at"))

    op.drop_table("verdicts")
    with op.batch_alter_table("item_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_scores_uncertainty"))
        batch_op.drop_index(batch_op.f("ix_item_scores_flagged"))

    op.drop_table("item_scores")
