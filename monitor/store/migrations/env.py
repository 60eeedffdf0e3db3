"""Alembic environment: the engine is handed over by monitor.store.db (no alembic.ini)."""

from alembic import context

from monitor.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
