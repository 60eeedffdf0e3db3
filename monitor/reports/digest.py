"""The weekly digest for leadership: one page as HTML, DOCX or PDF, and sent over SMTP.

Figures come from monitor.reports.stats (seen day: publication, else fetch, local time).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection

from .. import docxfmt, pdffmt
from ..config import Settings
from ..evidence.requests import RequestState, request_states
from ..i18n import vi
from ..mailer import MailError, new_message, send_message
from ..timefmt import show
from ..voice.uptake import PostUptake, UptakeFigures, uptake
from . import charts, stats
from .stats import Counts, Story
from .stats_criticism import CriticismCase, CriticismFigures, criticism_cases, criticism_figures

TREND_WEEKS = 8
CSS = (
    "body{font-family:'Times New Roman',serif;max-width:46em;margin:auto}img{width:100%}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:2px 4px;"
    "font-size:12px}h1{font-size:18px}h2{font-size:15px}"
)


class DigestError(RuntimeError):
    """The digest cannot be written or sent; the message says why."""


@dataclass(frozen=True, slots=True)
class Digest:
    """Every figure of one week's digest."""

    week: str
    window: stats.Window
    this_week: Counts
    previous: Counts
    trend: list[Counts]
    top: list[Story]
    distorted: list[Story]  # confirmed distorted stories of the last 8 weeks
    criticism: list[Story]  # stories judged criticism by an analyst, last 8 weeks
    routed: CriticismFigures  # criticism routed to offices: this week's figures
    routed_cases: list[CriticismCase]  # cases opened in the last 8 weeks
    silent: list[str]  # names of sources silent at the week's end
    requests: list[RequestState] = field(default_factory=list)  # sent in the last 8 weeks
    own: UptakeFigures = field(default_factory=UptakeFigures)  # own posts of the last 8 weeks


def compute(conn: Connection, week: str, silent_after: float) -> Digest:
    """The digest's figures for an ISO week (YYYY-Www)."""
    window = stats.iso_week(week)
    eight = stats.Window(window.first - timedelta(weeks=TREND_WEEKS - 1), window.last)
    cells = stats.cells(conn, eight)
    weeks = stats.by_week(cells, eight)
    health = stats.source_health(conn, window, silent_after, now=window.end)
    return Digest(
        week=week, window=window, this_week=weeks[-1], previous=weeks[-2], trend=weeks,
        top=stats.top_stories(conn, window), distorted=stats.confirmed_stories(conn, eight,
        "distorted"), criticism=stats.criticism_stories(conn, eight),
        routed=criticism_figures(conn, window), routed_cases=criticism_cases(conn, eight),
        silent=[h.name for h in health if h.silent],
        requests=request_states(conn, window.end, eight.start, window.end),
        own=uptake(conn, eight.start, window.end),
    )  # fmt: skip


def _change(now: int, before: int) -> str:
    if before == 0:
        return "mới" if now else "0"
    return f"{(now - before) / before:+.0%}"


def sections(d: Digest) -> list[tuple[str, list[str], list[list[str]]]]:
    """The digest's tables (title, header, rows), shared by every output format."""
    t, p = d.this_week, d.previous
    metrics = (("Thu thập", "collected"), ("Liên quan", "relevant"), ("Bị gắn cờ", "flagged"),
               ("Đã xác nhận", "confirmed"))  # fmt: skip
    volume = [[name, str(getattr(t, key)), str(getattr(p, key)),
               _change(getattr(t, key), getattr(p, key))] for name, key in metrics]  # fmt: skip
    top = [[s.title, s.outlet, str(s.reach), str(s.copies)] for s in d.top]
    distorted = [[s.title, show(s.first_seen, False),
                  vi(f"case.status.{s.case_status or 'none'}") if s.status == "signed_off"
                  else "Chờ lãnh đạo duyệt"] for s in d.distorted]  # fmt: skip
    r = d.routed
    routed = [["Chuyển đơn vị trong tuần", str(r.routed)],
              ["Có kết quả trong tuần", str(r.resolved)],
              ["Đang chờ trả lời", str(r.open)], ["Quá hạn", str(r.overdue)]]  # fmt: skip
    criticism = [[c.title, c.office or "Chưa chuyển", c.due_on.strftime("%d/%m/%Y") if c.due_on
                  else "—", vi(f"case.status.{c.status}")]
                 for c in d.routed_cases]  # fmt: skip
    return [
        ("Khối lượng tin so với tuần trước", ["", "Tuần này", "Tuần trước", "Thay đổi"], volume),
        ("Tin nổi bật theo độ lan tỏa", ["Tiêu đề", "Nguồn đầu tiên", "Số nguồn", "Số bản"], top),
        ("Thông tin xuyên tạc đã xác nhận (8 tuần) và tình trạng phản hồi",
         ["Tiêu đề", "Ngày đăng", "Tình trạng"], distorted),
        ("Góp ý, phản ánh chuyển đơn vị trả lời", ["", "Số hồ sơ"], routed),
        ("Góp ý, phản ánh đã chuyển (8 tuần)", ["Tiêu đề", "Đơn vị", "Hạn trả lời", "Tình trạng"],
         criticism),
        ("Yêu cầu cải chính, gỡ bỏ đã gửi (8 tuần)", ["Tiêu đề", "Kênh", "Hạn", "Kết quả"],
         [[r.title, vi(f"case.channel.{r.channel}"), show(r.due_at),
           vi(f"request.outcome.{r.outcome}") + (" — " + vi("request.overdue") if r.overdue
                                                 else "")] for r in d.requests]),
        (f"Tin bài của Sở (8 tuần): {d.own.picked}/{d.own.posts} được báo chí đăng lại hoặc "
         "trích dẫn", ["Ngày đăng", "Tiêu đề", "Cơ quan báo chí (cách, độ trễ)"],
         [[show(p.post.seen_at, False), p.post.title, _pickups(p) or "Chưa có"]
          for p in d.own.per_post]),
        ("Nguồn ngừng cập nhật", ["Nguồn"], [[n] for n in d.silent]),
    ]  # fmt: skip


def _pickups(post: PostUptake) -> str:
    """"Báo Lạng Sơn (đăng lại, 6 giờ); Báo Xây dựng (trích dẫn, 27 giờ)"."""
    how = {"story": "đăng lại", "quote": "trích dẫn"}
    return "; ".join(f"{k.source_name} ({how[k.how]}, {f'{k.lag_hours:g}'.replace('.', ',')} giờ)"
                     for k in post.pickups)  # fmt: skip


def title(d: Digest) -> str:
    """The digest's title line."""
    return (f"Bản tin tuần {d.week} ({d.window.first:%d/%m} – {d.window.last:%d/%m/%Y}): "
            "theo dõi báo chí về Lạng Sơn và ngành xây dựng")  # fmt: skip


def chart(d: Digest) -> bytes:
    """The 8-week trend chart (PNG)."""
    return charts.trend([w.key[5:] for w in d.trend], {
        "Liên quan": [w.relevant for w in d.trend], "Bị gắn cờ": [w.flagged for w in d.trend]},
        "Xu hướng 8 tuần")  # fmt: skip


def render_html(d: Digest) -> str:
    """A self-contained HTML page (the chart inline), also the email's body."""
    e = html.escape
    png = base64.b64encode(chart(d)).decode()
    parts = [
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{e(title(d))}</title>"
        f"<style>{CSS}</style></head><body><h1>{e(title(d))}</h1>",
        f"<img alt='Xu hướng 8 tuần' src='data:image/png;base64,{png}'>",
    ]
    for name, header, rows in sections(d):
        parts.append(f"<h2>{e(name)}</h2>")
        if not rows:
            parts.append("<p>Không có.</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        parts.append("</table>")
    parts.append("<p><small>Định nghĩa số liệu: xem Phụ lục 4 của báo cáo năm.</small></p>")
    return "".join(parts) + "</body></html>"


def render_docx(d: Digest) -> bytes:
    """The digest as DOCX bytes."""
    doc = docxfmt.document()
    docxfmt.para(doc, title(d), bold=True, align="center", size=14)
    docxfmt.image(doc, chart(d), width_mm=135)
    for name, header, rows in sections(d):
        docxfmt.para(doc, name, bold=True, align="left")
        if rows:
            docxfmt.table(doc, header, rows, size=10)
        else:
            docxfmt.para(doc, "Không có.")
    return docxfmt.save(doc)


def render_pdf(d: Digest) -> bytes:
    """The digest as PDF bytes (reportlab, DejaVu Sans from matplotlib: works offline)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

    regular, bold = pdffmt.register_fonts()
    body = ParagraphStyle("b", fontName=regular, fontSize=8, leading=10)
    head = ParagraphStyle("h", fontName=bold, fontSize=10, leading=13, spaceBefore=4)
    text = pdffmt.pdf_text
    story: list[object] = [Paragraph(text(title(d)), head),
                           Image(io.BytesIO(chart(d)), width=170 * mm, height=55 * mm)]  # fmt: skip
    for name, header, rows in sections(d):
        story.append(Paragraph(text(name), head))
        cells = [[Paragraph(text(c), body) for c in r] for r in [header, *rows]]
        if not rows:
            story.append(Paragraph("Không có.", body))
            continue
        grid = Table(cells, repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]))
        story += [grid, Spacer(1, 2 * mm)]
    return pdffmt.build(story)


def render(d: Digest, suffix: str) -> bytes:
    """The digest in the format named by a file suffix (.html, .docx or .pdf)."""
    if suffix == ".html":
        return render_html(d).encode("utf-8")
    if suffix == ".docx":
        return render_docx(d)
    if suffix == ".pdf":
        return render_pdf(d)
    raise DigestError(f"unknown digest format {suffix!r}: use .html, .docx or .pdf")


def send(d: Digest, settings: Settings, attachment: Path | None = None) -> list[str]:
    """Email the digest (HTML body, optional attachment) to the configured recipients."""
    recipients = [a.strip() for a in settings.digest_recipients.split(",") if a.strip()]
    if not settings.smtp_host or not recipients or not settings.smtp_from:
        raise DigestError("set MONITOR_SMTP_HOST, MONITOR_SMTP_FROM and "
                          "MONITOR_DIGEST_RECIPIENTS to send the digest")  # fmt: skip
    msg = new_message()
    msg["Subject"], msg["From"], msg["To"] = title(d), settings.smtp_from, ", ".join(recipients)
    msg.set_content("Bản tin tuần ở dạng HTML; mở bằng trình đọc thư hỗ trợ HTML.")
    msg.add_alternative(render_html(d), subtype="html")
    if attachment is not None:
        kind = {".pdf": ("application", "pdf"), ".html": ("text", "html")}.get(
            attachment.suffix, ("application", "octet-stream"))  # fmt: skip
        msg.add_attachment(attachment.read_bytes(), maintype=kind[0], subtype=kind[1],
                           filename=attachment.name)  # fmt: skip
    try:
        send_message(msg, settings)
    except MailError as exc:
        raise DigestError(f"cannot send the digest: {exc}") from None
    return recipients

