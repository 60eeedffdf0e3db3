"""The yearly report's written sections in the store: saved per year, audited only when they
change, removed by an empty text; migration 0011 adds and removes their table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect

from monitor.reports import yearly
from monitor.review import InvalidInput
from monitor.review import audit as audit_log
from monitor.store.db import _alembic_config, create_store_engine, current_revision, migrate

NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)


def test_sections_are_saved_per_year_and_audited(engine) -> None:
    with engine.begin() as conn:
        yearly.save_assessment(conn, "baocao", 2026, {"results": " Tốt.\r\nHơn năm trước. "}, NOW)
        yearly.save_assessment(conn, "baocao", 2026, {"results": "Tốt.\nHơn năm trước."}, NOW)
        assert yearly.assessment(conn, 2026) == {"results": "Tốt.\nHơn năm trước."}
        assert yearly.assessment(conn, 2025) == {}
        yearly.save_assessment(conn, "lanhdao", 2026, {"results": "", "causes": "Do thiếu người."})
        assert yearly.assessment(conn, 2026) == {"causes": "Do thiếu người."}
        assert yearly.compute(conn, 2026).texts == {"causes": "Do thiếu người."}
        with pytest.raises(InvalidInput):
            yearly.save_assessment(conn, "x", 2026, {"invented": "?"})
        with pytest.raises(InvalidInput):
            yearly.save_assessment(conn, "x", 2026, {"limits": "a" * (yearly.MAX_TEXT + 1)})
        entries = audit_log.entries(conn, entity="report", newest_first=False)
    assert [e.action for e in entries] == ["report_text", "report_text"]  # the repeat is no change
    assert entries[1].before == {"results": "Tốt.\nHơn năm trước.", "causes": ""}
    assert entries[1].after == {"results": "", "causes": "Do thiếu người."}


def test_0011_adds_the_table_and_downgrades(db_url: str) -> None:
    engine = create_store_engine(db_url)
    migrate(engine, "0010")
    assert "report_texts" not in inspect(engine).get_table_names()
    migrate(engine, "0011")
    assert "report_texts" in inspect(engine).get_table_names()
    command.downgrade(_alembic_config(engine), "0010")
    assert current_revision(engine) == "0010"
    assert "report_texts" not in inspect(engine).get_table_names()
    migrate(engine)
    engine.dispose()
