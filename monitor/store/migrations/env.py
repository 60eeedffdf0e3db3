"""Alembic environment: the engine is handed over by monitor.store.db (no alembic.ini)."""

from alembic import context

from monitor.store.tables import metadata

# The accent-free full-text index (SQLite FTS5 table and its shadow tables, PostgreSQL GIN
# index) is derived data built by monitor.store.review_index; autogenerate must not drop it.
DERIVED_PREFIX = "item_fts"


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001, ANN201
    return not (reflected and compare_to is None and (name or "").startswith(DERIVED_PREFIX))


engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
    )
    context.run_migrations()
