"""relevance parts: items.place_relevant, sector_relevant, relevance_score, relevance_reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

The two questions behind ``relevant`` stored apart (mentions Lạng Sơn; about the construction
sector, with its score), the one-line reason, and the version of the rules that answered.
Rows stored before this revision keep their old answer: place from their stored matches,
sector = the old one-term rule's; their score stays empty until `monitor relevance rescore`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch rebuild of ``items`` on SQLite would drop a
    # table that other tables point to.
    op.add_column(
        "items",
        sa.Column("place_relevant", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "items",
        sa.Column("sector_relevant", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("items", sa.Column("relevance_score", sa.Float(), nullable=True))
    op.add_column(
        "items", sa.Column("relevance_reason", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("items", sa.Column("relevance_rules", sa.String(16), nullable=True))
    items = sa.table(
        "items",
        sa.column("relevant", sa.Boolean()),
        sa.column("matches", sa.Text()),
        sa.column("place_relevant", sa.Boolean()),
        sa.column("sector_relevant", sa.Boolean()),
    )
    place = items.c.matches.like('%"kind": "place"%')
    sector = items.c.matches.like('%"kind": "sector"%')
    op.execute(
        items.update().values(
            place_relevant=sa.and_(items.c.relevant, place),
            sector_relevant=sa.and_(items.c.relevant, sector),
        )
    )


def downgrade() -> None:
    for name in (
        "relevance_rules",
        "relevance_reason",
        "relevance_score",
        "sector_relevant",
        "place_relevant",
    ):
        op.drop_column("items", name)  # SQLite 3.35 and later drop a column in place
