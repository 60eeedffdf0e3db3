"""service: job store, runs, leases, alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

APScheduler's job store (created here so the scheduler never creates tables at run time),
one row per job run, leases (one crawler per source, the scheduler's heartbeat) and source
alerts. Generated with alembic autogenerate.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.String(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False
        )

    op.create_table(
        "service_leases",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_service_leases")),
    )
    op.create_table(
        "service_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("job", "period", name=op.f("pk_service_runs")),
    )
    with op.batch_alter_table("service_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_runs_job_started_at"), ["job", "started_at"], unique=False
        )

    op.create_table(
        "service_alerts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_service_alerts_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_alerts")),
    )
    with op.batch_alter_table("service_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_alerts_closed_at"), ["closed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_alerts_source_id_kind"), ["source_id", "kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("service_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_alerts_source_id_kind"))
        batch_op.drop_index(batch_op.f("ix_service_alerts_closed_at"))

    op.drop_table("service_alerts")
    with op.batch_alter_table("service_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_runs_job_started_at"))

    op.drop_table("service_runs")
    op.drop_table("service_leases")
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))

    op.drop_table("apscheduler_jobs")
