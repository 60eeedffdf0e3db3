"""score signals: item_scores.signals

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

The classifier's reasons beside the evidence phrases (nearest labelled examples, writing
style), as JSON {label: [{name, weight, value, detail}]}. Rows scored before this revision
get an empty object. Batch mode on SQLite (dropping a column rebuilds the table there).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signals", sa.Text(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("item_scores", schema=None) as batch_op:
        batch_op.drop_column("signals")
