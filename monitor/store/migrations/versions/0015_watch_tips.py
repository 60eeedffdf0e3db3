"""watch rules, alerts, tips and API tokens

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

Watch rules (saved searches with filters and whom to notify); one row per (rule, item,
recipient) that matched, unique so that an item is never announced twice for one rule; the
deliveries that group them, with their state and retries. Tips: items submitted by people
(channel "tip", source "tip") with where and when they were seen. API tokens, stored hashed,
for partner systems that submit tips.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "items", sa.Column("channel", sa.String(8), nullable=False, server_default="crawl")
    )
    op.create_table(
        "watch_rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("label", sa.String(32), nullable=True),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("min_reach", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("relevant_only", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("notify", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_rules")),
        sa.UniqueConstraint("owner", "name", name=op.f("uq_watch_rules_owner_name")),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", ID, nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
    )
    op.create_index(op.f("ix_alert_deliveries_state"), "alert_deliveries", ["state"])
    op.create_table(
        "alert_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("rule_key", sa.String(64), nullable=False),
        sa.Column("rule_name", sa.Text(), nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("matched_at", WHEN, nullable=False),
        sa.Column("delivery_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_alert_events_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        sa.UniqueConstraint(
            "rule_key", "item_id", "target", name=op.f("uq_alert_events_rule_key_item_id_target")
        ),
    )
    op.create_index(op.f("ix_alert_events_delivery_id"), "alert_events", ["delivery_id"])
    op.create_table(
        "tips",
        sa.Column("item_id", ID, nullable=False),
        sa.Column("seen_on", sa.String(16), nullable=False),
        sa.Column("seen_at", WHEN, nullable=True),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("image_sha256", sa.String(64), nullable=True),
        sa.Column("image_path", sa.Text(), nullable=True),
        sa.Column("image_type", sa.String(32), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_tips_item_id_items")),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_tips")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    # The source every tip belongs to: never crawled (not enabled, not in sources.yaml).
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    sources = sa.table(
        "sources", *(sa.column(name) for name in (
            "id", "name", "url", "feed_url", "type", "enabled", "in_config", "interval_minutes",
            "tags", "config", "last_status", "error_count", "item_count", "created_at",
            "updated_at",
        ))
    )  # fmt: skip
    op.execute(
        sources.insert().values(
            id="tip", name="Tin báo", url="tip:", feed_url="tip:", type="tip", enabled=False,
            in_config=False, interval_minutes=1440, tags='["tip"]', config="{}",
            last_status="never", error_count=0, item_count=0, created_at=now, updated_at=now,
        )
    )  # fmt: skip


def downgrade() -> None:
    # Tip items and the "tip" source stay: valid rows of the older schema, never crawled.
    op.drop_table("api_tokens")
    op.drop_table("tips")
    op.drop_index(op.f("ix_alert_events_delivery_id"), table_name="alert_events")
    op.drop_table("alert_events")
    op.drop_index(op.f("ix_alert_deliveries_state"), table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_table("watch_rules")
    op.drop_column("items", "channel")  # SQLite 3.35+: in place
