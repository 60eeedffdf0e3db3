"""the Department's own voice: own sources, press uptake, activities, the plan

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

``sources.own`` marks the Department's own channels (sources.yaml ``own: true``). What outlets
carried of each own post is derived data (``own_uptake``: the same story, or a quoted
passage, with the lag). The activity register holds what no crawler sees (press conferences,
interviews, written answers, delegations, cooperation with Guangxi, training), with linked
items or cases and hashed attachments; the plan holds the year's targets per kind of output.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("sources", sa.Column("own", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))  # fmt: skip
    op.create_table(
        "own_uptake",
        sa.Column("own_item_id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("how", sa.String(8), nullable=False),
        sa.Column("lag_hours", sa.Float(), nullable=True),
        sa.Column("found_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["own_item_id"], ["items.id"],
                                name=op.f("fk_own_uptake_own_item_id_items")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"],
                                name=op.f("fk_own_uptake_item_id_items")),
        sa.PrimaryKeyConstraint("own_item_id", "item_id", name=op.f("pk_own_uptake")),
    )  # fmt: skip
    op.create_index(op.f("ix_own_uptake_item_id"), "own_uptake", ["item_id"])
    op.create_table(
        "activities",
        sa.Column("id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False, server_default=""),
        sa.Column("participants", sa.Text(), nullable=False, server_default=""),
        sa.Column("partner", sa.Text(), nullable=False, server_default=""),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("item_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("case_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("origin", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("day", "kind", "title", name=op.f("uq_activities_day_kind_title")),
    )
    op.create_index(op.f("ix_activities_day"), "activities", ["day"])
    op.create_table(
        "activity_attachments",
        sa.Column("id", ID, nullable=False),
        sa.Column("activity_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"],
                                name=op.f("fk_activity_attachments_activity_id_activities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_attachments")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_activity_attachments_activity_id"), "activity_attachments", ["activity_id"]
    )
    op.create_table(
        "plan_targets",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("year", "key", name=op.f("pk_plan_targets")),
    )


def downgrade() -> None:
    op.drop_table("plan_targets")
    op.drop_index(op.f("ix_activity_attachments_activity_id"), table_name="activity_attachments")
    op.drop_table("activity_attachments")
    op.drop_index(op.f("ix_activities_day"), table_name="activities")
    op.drop_table("activities")
    op.drop_index(op.f("ix_own_uptake_item_id"), table_name="own_uptake")
    op.drop_table("own_uptake")
    op.drop_column("sources", "own")  # SQLite 3.35+: in place
