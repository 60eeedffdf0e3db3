"""sessions: dashboard sessions kept server-side, so they can be revoked

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

A session cookie now names a row here (by the SHA-256 of its random token): logout, a
password change, a reset by an admin and deactivation revoke rows. Also drops the session
key that earlier versions generated into app_settings: the generated key now lives in a file
readable only by the service (a copy of a database backup must not sign sessions).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("users.id"), nullable=False),  # fmt: skip
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.execute("DELETE FROM app_settings WHERE key = 'session.secret'")


def downgrade() -> None:
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
