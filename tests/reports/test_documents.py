"""The yearly report and the weekly digest read back and checked against database counts;
the digest received by a local SMTP server."""

from __future__ import annotations

import csv
import io
import socket
from datetime import UTC, datetime

import docx
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from monitor.config import load_settings
from monitor.i18n import vi
from monitor.reports import digest, stats, yearly
from monitor.review import verdicts
from monitor.review.users import User
from monitor.store.queries import export_rows
from monitor.store.tables import items
from tests.review.seeding import Spec, seed

NOW = datetime(2020, 3, 6, 3, 0, tzinfo=UTC)  # Friday of 2020-W10, 10:00 local
SPECS = [
    Spec("a", source="s1", hours_ago=1),
    Spec("b", source="s2", hours_ago=2, cluster=0),  # a copy of a: reach 2
    Spec("c", source="s2", hours_ago=24 * 8, label="neutral", flagged=False),  # 2020-W09
    Spec("d", source="s1", hours_ago=30, relevant=False, flagged=None),
]


def _seed(engine) -> list[int]:
    ids = seed(engine, SPECS, now=NOW)
    with engine.begin() as conn:
        verdicts.record_verdict(conn, User(1, "anna", "analyst"), ids[0], "confirm_distorted",
                                "Sai", now=NOW)  # fmt: skip
    return ids


def test_yearly_report_figures_equal_database_and_export(engine, tmp_path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        report = yearly.compute(conn, 2020)
        direct = conn.scalar(select(func.count()).select_from(items))
        window = stats.year_window(2020)
        exported = sum(1 for _ in export_rows(conn, since=window.start, until=window.end))
    assert report.total.collected == direct == exported == 4
    assert (report.total.relevant, report.total.flagged, report.total.confirmed) == (3, 2, 2)
    assert [s.reach for s in report.confirmed] == [2]
    doc = docx.Document(io.BytesIO(yearly.render_docx(report, load_settings({}))))
    header = "\n".join(c.text for c in doc.tables[0].rows[0].cells)
    assert yearly.HEADER_NATION in header and yearly.HEADER_MOTTO in header
    assert "Lạng Sơn, ngày ... tháng ... năm ..." in header and "Số:" in header
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.left_margin.mm)) == (210, 30)
    assert round(section.top_margin.mm) == 20
    assert doc.styles["Normal"].font.name == "Times New Roman"
    [summary] = [t for t in doc.tables if t.rows[0].cells[0].text == "Năm"]
    assert [c.text for c in summary.rows[1].cells][:3] == ["2020", "4", "3"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Nơi nhận:" in "\n".join(c.text for t in doc.tables for c in t.rows[0].cells)
    assert "PHỤ LỤC 2" in text and doc.inline_shapes  # the chart
    written = yearly.write_csvs(report, tmp_path)
    with (tmp_path / "tong_hop.csv").open(encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh))[1][:2] == ["2020", "4"]
    # Every table (the own work's included) and the definitions.
    assert len(written) == len(yearly.tables(report)) + 1 == 17


def test_digest_counts_weeks_and_renders(engine, tmp_path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        d = digest.compute(conn, "2020-W10", 6.0)
    assert (d.this_week.collected, d.previous.collected) == (3, 1)
    assert len(d.trend) == 8 and [s.reach for s in d.top] == [2]
    assert [s.title for s in d.distorted] == ["a"]
    page = docx.Document(io.BytesIO(digest.render_docx(d)))
    assert page.tables[0].rows[1].cells[1].text == "3"
    assert digest.render_pdf(d).startswith(b"%PDF")
    assert "2020-W10" in digest.render_html(d)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(envelope.content)
        return "250 OK"


def test_digest_is_received_by_a_local_smtp_server(engine) -> None:
    _seed(engine)
    inbox = _Inbox()
    # aiosmtpd's start() connects to the port it was given, so port 0 is resolved first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = load_settings({}).with_overrides(
            smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none",
            smtp_from="monitor@example.org", digest_recipients="lanh.dao@example.org",
        )  # fmt: skip
        with engine.connect() as conn:
            d = digest.compute(conn, "2020-W10", 6.0)
        assert digest.send(d, settings) == ["lanh.dao@example.org"]
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and b"2020-W10" in inbox.messages[0]


def test_yearly_report_reads_as_vietnamese(engine, tmp_path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        report = yearly.compute(conn, 2020)
    tables = yearly.tables(report)
    months = [row[0] for row in tables["theo_thang"][1]]
    assert months[0] == "Tháng 01/2020" and months[-1] == "Tháng 12/2020"
    types = {row[0] for row in tables["theo_loai_co_quan"][1]}
    assert types <= {vi(f"outlet.{o}") for o in yearly.OUTLETS}, types
    median = dict((r[0], r[1]) for r in tables["phan_hoi"][1])
    assert median["Trung vị thời gian từ khi đăng đến khi phản hồi (giờ)"] != ""
    appendix = " ".join(row[1] for row in yearly.definitions(report))
    assert "monitor " not in appendix and "sources.yaml" not in appendix and ".csv" not in appendix
