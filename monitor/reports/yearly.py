"""The yearly foreign-information report ("Báo cáo kết quả công tác thông tin đối ngoại năm
YYYY") as a DOCX in the format of Decree 30/2020/NĐ-CP, with one CSV per table.

I. the Department's own information work (own posts by month and topic, their uptake by the
press, press work by form, delegations, training, cooperation with Guangxi, the plan's
targets); II. monitoring and refutation; III. assessment and IV. directions as the writers
entered them; then the appendices. Every figure comes from monitor.reports.stats or
monitor.voice and is defined in the last appendix; counts use the seen day (publication, else
fetch) so they equal `monitor export` for the year (own posts carry ``own: true`` there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from docx.document import Document
from sqlalchemy import Connection, delete, select

from .. import docxfmt
from ..config import Settings
from ..evidence.requests import RequestState, request_states
from ..i18n import vi
from ..review import InvalidInput
from ..review import audit as audit_log
from ..store.tables import report_texts, sources
from ..text.csvsafe import SafeWriter
from ..timefmt import LOCAL, show
from ..vocabulary import ACTIVITY_KINDS, PRESS_FORMS
from ..voice import output
from ..voice.activities import Activity, activities_of, activity_counts
from ..voice.plan import Progress, progress
from ..voice.uptake import UptakeFigures, uptake
from . import charts, stats
from .stats import Counts, Story
from .stats_criticism import CriticismFigures, criticism_figures

HEADER_NATION, HEADER_MOTTO = docxfmt.NATION, docxfmt.MOTTO
COUNT_HEADER = ["Thu thập", "Liên quan", "Bị gắn cờ", "Đã xác nhận", "Đã bác bỏ"]
# Outlet types are the first tag of a source in sources.yaml; these are the ones it uses.
OUTLETS = ("national", "provincial", "construction", "foreign", "blog", "official", "other")


def month_vi(key: str) -> str:
    """ "2026-01" as Vietnamese readers write it: "Tháng 01/2026"."""
    year, _, month = key.partition("-")
    return f"Tháng {month}/{year}" if month else key


@dataclass(frozen=True, slots=True)
class YearReport:
    """Every figure of the yearly report."""

    year: int
    window: stats.Window
    total: Counts
    by_month: list[Counts]
    by_outlet_type: list[Counts]
    by_topic: list[Counts]
    by_source: list[Counts]
    confirmed: list[Story]
    responses: stats.Responses
    days_with_items: int
    criticism: CriticismFigures
    texts: dict[str, str] = field(default_factory=dict)  # the writers' sections (SECTIONS)
    requests: list[RequestState] = field(default_factory=list)  # sent during the year
    # The Department's own work (monitor/voice)
    own_by_month: dict[str, int] = field(default_factory=dict)
    own_by_topic: dict[str, int] = field(default_factory=dict)
    uptake: UptakeFigures = field(default_factory=UptakeFigures)
    activity_counts: dict[str, int] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)
    plan: list[Progress] = field(default_factory=list)
    plan_day: date | None = None  # the day the plan's progress is measured at


def compute(conn: Connection, year: int) -> YearReport:
    """The report's figures for a calendar year (local days)."""
    window = stats.year_window(year)
    cells = stats.cells(conn, window)
    types = stats.outlet_types(conn)
    names: dict[str, str] = dict(conn.execute(select(sources.c.id, sources.c.name)).all())
    confirmed = stats.confirmed_stories(conn, window)
    return YearReport(
        year=year, window=window, total=stats.total(cells, str(year)),
        by_month=stats.by_month(cells, window),
        by_outlet_type=stats.breakdown(cells, lambda c: types.get(c.source_id, "other")),
        by_topic=stats.breakdown(cells, lambda c: c.topic, list(stats.TOPICS)),
        by_source=stats.breakdown(cells, lambda c: names.get(c.source_id, c.source_id)),
        confirmed=confirmed, responses=stats.responses(confirmed),
        days_with_items=len({c.day for c in cells}),
        criticism=criticism_figures(conn, window), texts=assessment(conn, year),
        requests=request_states(conn, window.end, window.start, window.end),
        **own_work(conn, year),
    )  # fmt: skip


def own_work(conn: Connection, year: int) -> dict[str, Any]:
    """Section I's figures: own posts, their uptake, activities and the plan's progress (at the
    end of the year, or today for the running year)."""
    start, end = output.year_bounds(year)
    posts = output.own_posts(conn, start, end)
    day = min(datetime.now(UTC).astimezone(LOCAL).date(), date(year, 12, 31))
    return dict(own_by_month=output.by_month(posts, year), own_by_topic=output.by_topic(posts),
                uptake=uptake(conn, start, end), activity_counts=activity_counts(conn, year),
                activities=activities_of(conn, year), plan=progress(conn, year, day),
                plan_day=day)  # fmt: skip


# -- the writers' sections: assessment (results, limits, causes) and next year's directions --

SECTIONS = {"results": "Kết quả", "limits": "Hạn chế", "causes": "Nguyên nhân",
            "directions": "Phương hướng"}  # fmt: skip
MAX_TEXT = 20_000  # characters per section
NOT_WRITTEN = ("Phần này chưa được viết: người viết báo cáo nhập nội dung tại trang Báo cáo "
               "trước khi xuất báo cáo.")  # fmt: skip


def assessment(conn: Connection, year: int) -> dict[str, str]:
    """The sections written for ``year`` (section → text); an unwritten one is absent."""
    rows = conn.execute(
        select(report_texts.c.section, report_texts.c.body).where(
            report_texts.c.report == "yearly", report_texts.c.period == str(year)
        )
    )
    return {section: body for section, body in rows if section in SECTIONS and body.strip()}


def save_assessment(conn: Connection, actor: str, year: int, texts: Mapping[str, str],
                    now: datetime | None = None) -> dict[str, str]:  # fmt: skip
    """Store the sections given (an empty text removes one); audited; returns the new texts."""
    unknown = sorted(set(texts) - set(SECTIONS))
    if unknown:
        raise InvalidInput(f"unknown section {unknown[0]!r}")
    clean = {k: v.replace("\r\n", "\n").strip() for k, v in texts.items()}
    if any(len(v) > MAX_TEXT for v in clean.values()):
        raise InvalidInput(f"a section is longer than {MAX_TEXT} characters")
    before = assessment(conn, year)
    changed = [k for k in SECTIONS if k in clean and clean[k] != before.get(k, "")]
    if not changed:
        return before
    now = now or datetime.now(UTC)
    key = (report_texts.c.report == "yearly") & (report_texts.c.period == str(year))
    conn.execute(delete(report_texts).where(key, report_texts.c.section.in_(changed)))
    rows = [{"report": "yearly", "period": str(year), "section": k, "body": clean[k],
             "updated_by": actor, "updated_at": now} for k in changed if clean[k]]  # fmt: skip
    if rows:
        conn.execute(report_texts.insert(), rows)
    audit_log.record(conn, actor, "report_text", "report", year,
                     {k: before.get(k, "") for k in changed},
                     {k: clean[k] for k in changed}, now)  # fmt: skip
    return assessment(conn, year)


def _counts_rows(rows: list[Counts], prefix: str = "") -> list[list[object]]:
    """One row per key; with ``prefix`` the key is named by the catalogue (e.g. outlet.)."""
    return [[vi(prefix + r.key) if prefix else r.key, r.collected, r.relevant, r.flagged,
             r.confirmed, r.dismissed] for r in rows]  # fmt: skip


def tables(report: YearReport) -> dict[str, tuple[list[str], list[list[object]]]]:
    """Every table of the report (name → header, rows); the CSV files hold the same."""
    r = report.responses
    median = ("chưa có (chưa gửi phản hồi nào)" if r.median_hours_to_response is None
              else r.median_hours_to_response)  # fmt: skip
    return {
        **own_tables(report),
        "tong_hop": (["Năm", *COUNT_HEADER], _counts_rows([report.total])),
        "theo_thang": (
            ["Tháng", *COUNT_HEADER],
            [[month_vi(str(r[0])), *r[1:]] for r in _counts_rows(report.by_month)],
        ),
        "theo_loai_co_quan": (
            ["Loại cơ quan báo chí", *COUNT_HEADER],
            _counts_rows(report.by_outlet_type, "outlet."),
        ),
        "theo_chu_de": (["Chủ đề", *COUNT_HEADER], _counts_rows(report.by_topic, "relevance.")),
        "theo_nguon": (["Nguồn", *COUNT_HEADER], _counts_rows(report.by_source)),
        "phan_hoi": (
            ["Chỉ tiêu", "Giá trị"],
            [
                ["Tin bài (câu chuyện) đã xác nhận", r.confirmed],
                ["Trong đó lãnh đạo đã duyệt", r.signed_off],
                ["Có dự thảo phản hồi", r.drafted],
                ["Hồ sơ phản hồi đã mở", r.cases],
                ["Đã gửi phản hồi", r.sent],
                ["Cơ quan báo chí đã trả lời", r.answered],
                ["Đã đăng cải chính", r.corrected],
                ["Trung vị thời gian từ khi đăng đến khi phản hồi (giờ)", median],
                ["Yêu cầu cải chính, gỡ bỏ đã gửi", len(report.requests)],
                [
                    "Trong đó được xử lý đúng hạn",
                    sum(q.met_at is not None and q.met_at <= q.due_at for q in report.requests),
                ],
                ["Quá hạn chưa được xử lý (cuối năm)", sum(q.overdue for q in report.requests)],
            ],
        ),  # fmt: skip
        "gop_y_phan_anh": (
            ["Đơn vị", "Đã chuyển", "Có kết quả", "Còn chờ trả lời", "Quá hạn"],
            [[*row] for row in report.criticism.by_office]
            + [
                [
                    "Tổng",
                    report.criticism.routed,
                    report.criticism.resolved,
                    report.criticism.open,
                    report.criticism.overdue,
                ]
            ],
        ),  # fmt: skip
        "phu_luc_vu_viec": (
            [
                "STT",
                "Mã tin",
                "Tiêu đề",
                "Cơ quan báo chí",
                "Ngày đăng",
                "Số nguồn đăng lại",
                "Nhãn",
                "Kênh phản hồi",
                "Tình trạng",
                "Cải chính",
            ],
            [
                [
                    n,
                    s.item_id,
                    s.title,
                    s.outlet,
                    show(s.first_seen, with_time=False),
                    s.reach,
                    vi(f"label.{s.label}"),
                    vi(f"case.channel.{s.channel}") if s.channel else "",
                    vi(f"case.status.{s.case_status or 'none'}"),
                    s.correction_url,
                ]
                for n, s in enumerate(report.confirmed, 1)
            ],
        ),  # fmt: skip
    }


OTHER_WORK = tuple(k for k in ACTIVITY_KINDS if k not in PRESS_FORMS)
PLAN_STATE = {"reached": "Đã đạt", "on_track": "Đúng tiến độ", "behind": "Chậm so với tiến độ"}
HOW = {"story": "đăng lại", "quote": "trích dẫn"}


def _decimal(value: float) -> str:
    """1 decimal, with the Vietnamese decimal comma: 8,2."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _hours(value: float | None) -> object:
    return "" if value is None else round(value, 1)


def own_tables(report: YearReport) -> dict[str, tuple[list[str], list[list[object]]]]:
    """Section I's tables and the appendices of own posts and activities."""
    u, counts = report.uptake, report.activity_counts
    names = {a: vi(f"activity.kind.{a}") for a in ACTIVITY_KINDS}
    return {
        "tin_cua_so_theo_thang": (["Tháng", "Tin bài"],
                                  [[month_vi(k), n] for k, n in report.own_by_month.items()]),
        "tin_cua_so_theo_chu_de": (["Chủ đề", "Tin bài"],
                                   [[output.topic_name(k), n]
                                    for k, n in report.own_by_topic.items()]),
        "bao_chi_dang_lai": (["Cơ quan báo chí", "Tin bài của Sở đã đăng lại hoặc trích dẫn"],
                             [[name, n] for name, n in u.by_outlet]
                             + [["Tin bài được ít nhất một cơ quan đăng lại, trích dẫn",
                                 f"{u.picked}/{u.posts}"]]),
        "cung_cap_thong_tin_bao_chi": (["Hình thức (Nghị định 09/2017/NĐ-CP)", "Số lần"],
                                       [[names[k], counts.get(k, 0)] for k in PRESS_FORMS]),
        "hoat_dong_doi_ngoai": (["Hoạt động", "Số lần"],
                                [[names[k], counts.get(k, 0)] for k in OTHER_WORK]),
        "ke_hoach": (["Nội dung", "Chỉ tiêu", "Đã thực hiện", "Tỷ lệ (%)", "Đánh giá"],
                     [[vi(f"plan.key.{p.key}") if p.key == "own_post" else names[p.key],
                       p.target, p.done, round(100 * p.share), PLAN_STATE[p.state]]
                      for p in report.plan]),
        "phu_luc_tin_cua_so": (
            ["STT", "Mã tin", "Ngày đăng", "Tiêu đề", "Chủ đề", "Địa chỉ",
             "Cơ quan báo chí đăng lại, trích dẫn (cách, độ trễ giờ)"],
            [[n, p.post.id, show(p.post.seen_at, with_time=False), p.post.title,
              output.topic_name(p.post.topic), p.post.url,
              "; ".join(f"{k.source_name} ({HOW[k.how]}, {_hours(k.lag_hours)})"
                        for k in p.pickups)]
             for n, p in enumerate(u.per_post, 1)]),
        "phu_luc_hoat_dong": (
            ["STT", "Ngày", "Hoạt động", "Nội dung", "Địa điểm", "Thành phần", "Đối tác",
             "Tin, hồ sơ liên quan", "Tệp đính kèm (SHA-256)"],
            [[n, f"{a.day:%d/%m/%Y}", names.get(a.kind, a.kind), a.title, a.place,
              a.participants, a.partner,
              ", ".join([*(f"tin {i}" for i in a.item_ids), *(f"hồ sơ {c}" for c in a.case_ids)]),
              "; ".join(f"{x.name} ({x.sha256})" for x in a.attachments)]
             for n, a in enumerate(report.activities, 1)]),
    }  # fmt: skip


def definitions(report: YearReport) -> list[list[str]]:
    """The appendix defining every figure (also written as dinh_nghia.csv)."""
    w = report.window
    days = len(w.days())
    return [
        [
            "Thời gian",
            f"Từ 00:00 ngày {w.first:%d/%m/%Y} đến 24:00 ngày {w.last:%d/%m/%Y}, giờ "
            "Việt Nam (UTC+07:00). Mỗi tin được tính vào ngày đăng; tin không ghi ngày đăng được "
            "tính vào ngày thu thập. Danh sách tin xuất từ hệ thống cho cùng kỳ cho đúng các số "
            "này.",
        ],
        [
            "Nguồn",
            "Các nguồn tin được khai báo theo dõi (bảng “Theo nguồn” liệt kê từng nguồn); loại cơ "
            "quan báo chí theo phân loại khi khai báo nguồn, “Khác” khi không phân loại.",
        ],
        [
            "Thu thập",
            "Mọi tin đã lưu. Loại trùng: mỗi địa chỉ chuẩn hóa, mỗi GUID và mỗi nội "
            "dung trong cùng một nguồn chỉ lưu một lần; bản đăng lại ở cơ quan khác là tin riêng, "
            "các bản của cùng một câu chuyện được gom thành một cụm.",
        ],
        [
            "Liên quan",
            "Tin nhắc đến địa danh của tỉnh Lạng Sơn (từ điển địa danh) hoặc nói về "
            "ngành xây dựng: điểm ngành từ 0,5 trở lên, tính từ các thuật ngữ ngành tìm thấy, vị "
            "trí của chúng (tiêu đề, sapo, thân bài) và độ dài bài (từ vựng ngành). Mỗi tin lưu "
            "điểm và lý do, xem được ở trang của tin.",
        ],
        [
            "Góp ý, phản ánh",
            "Hồ sơ phản ánh, phê bình chính đáng về Lạng Sơn được chuyển đơn "
            "vị của Sở (theo điểm phân loại hoặc kết luận của chuyên viên). Đã chuyển: mở trong "
            "năm; có kết quả: ghi nhận trả lời, khắc phục hoặc không thuộc thẩm quyền trong năm; "
            "còn chờ và quá hạn: tính ở cuối năm.",
        ],
        [
            "Bị gắn cờ",
            "Tin liên quan mà bộ phân loại chấm điểm vượt ngưỡng xem xét, dù kết quả "
            "xem xét sau đó thế nào.",
        ],
        [
            "Đã xác nhận / Đã bác bỏ",
            "Trạng thái xem xét hiện tại: đã xác nhận (kể cả đã được "
            "lãnh đạo duyệt) hoặc đã bác bỏ vì báo động nhầm.",
        ],
        [
            "Phản hồi",
            "Tính theo câu chuyện (cụm tin) đã xác nhận; thời gian phản hồi tính từ lần "
            "đăng đầu tiên của câu chuyện đến ngày gửi phản hồi ghi trong hồ sơ.",
        ],
        [
            "Yêu cầu cải chính, gỡ bỏ",
            "Hồ sơ gửi đề nghị cải chính (cơ quan báo chí) hoặc gỡ bỏ "
            "(nền tảng) trong năm, với hạn xử lý theo cấu hình (mặc định 72 giờ và 24 giờ). Được "
            "xử lý: lần kiểm tra lại trang sau khi gửi thấy tin đã gỡ hoặc đã sửa, hoặc hồ sơ ghi "
            "nhận bài cải chính; quá hạn: hết hạn mà chưa được xử lý, tính ở cuối năm.",
        ],
        ["Độ phủ", f"Có tin trong {report.days_with_items}/{days} ngày của kỳ báo cáo."],
        [
            "Tin bài của Sở",
            "Tin bài đăng trên các kênh thông tin của Sở (nguồn được khai báo là "
            "kênh của Sở), tính theo ngày đăng; chủ đề là lĩnh vực ngành xây dựng được nhắc nhiều "
            "nhất trong bài (từ vựng ngành), “khác” khi không có. Trong danh sách tin xuất từ hệ "
            "thống, các tin này có own = true.",
        ],
        [
            "Báo chí đăng lại, trích dẫn",
            "Một cơ quan báo chí được tính là đã đăng lại tin bài "
            "của Sở khi có tin thuộc cùng cụm câu chuyện (đăng lại nguyên văn hoặc gần như nguyên "
            "văn), hoặc trích dẫn khi có tin chứa một đoạn từ 12 chữ liên tiếp giống tin bài của "
            "Sở, đăng từ ngày Sở đăng đến 30 ngày sau. Độ trễ tính từ lúc Sở đăng; tin báo do cán "
            "bộ gửi và kênh của Sở không được tính.",
        ],
        [
            "Cung cấp thông tin cho báo chí, hoạt động đối ngoại",
            "Theo sổ theo dõi hoạt động do Sở nhập hoặc nạp từ tệp (họp báo, giao ban báo chí, "
            "trả lời phỏng vấn, trả lời bằng văn bản, thông cáo báo chí theo Nghị định "
            "09/2017/NĐ-CP; đón tiếp đoàn nước ngoài; hợp tác với địa phương Quảng Tây; tập "
            "huấn), tính theo ngày diễn ra trong năm.",
        ],
        [
            "Kế hoạch",
            "Chỉ tiêu theo kế hoạch năm đã nạp vào hệ thống; đã thực hiện tính như trên "
            f"đến ngày {report.plan_day:%d/%m/%Y}; đúng tiến độ khi đã thực hiện ít nhất phần chỉ "
            "tiêu tương ứng với thời gian đã qua của năm."
            if report.plan_day
            else "Chưa có kế hoạch năm trong hệ thống.",
        ],
    ]


def _header(doc: Document, settings: Settings, year: int) -> None:
    """Decree 30 header, then the document's kind and title centred."""
    docxfmt.header(doc, settings.parent_agency, settings.agency_name, "Số: ……/BC-SXD")
    docxfmt.para(doc, "BÁO CÁO", bold=True, align="center", size=14)
    docxfmt.para(doc, f"Kết quả công tác thông tin đối ngoại năm {year}", bold=True,
                 align="center")  # fmt: skip


RECIPIENTS = ("Ban Chỉ đạo công tác thông tin đối ngoại tỉnh (b/c);", "UBND tỉnh (b/c);",
              "Lãnh đạo Sở;", "Lưu: VT.")  # fmt: skip


def _written(doc: Document, report: YearReport) -> None:
    """III. Assessment and IV. Directions, as the writers entered them (never invented)."""
    docxfmt.para(doc, "III. ĐÁNH GIÁ", bold=True, align="left")
    for n, section in enumerate(("results", "limits", "causes"), 1):
        docxfmt.para(doc, f"{n}. {SECTIONS[section]}", bold=True, align="left")
        _section_text(doc, report.texts.get(section, ""))
    docxfmt.para(doc, f"IV. PHƯƠNG HƯỚNG NĂM {report.year + 1}", bold=True, align="left")
    _section_text(doc, report.texts.get("directions", ""))


def _section_text(doc: Document, text: str) -> None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        docxfmt.para(doc, NOT_WRITTEN, italic=True)
    for line in lines:
        docxfmt.para(doc, line.replace("**", ""))  # the writer's text, without markup


class _Numbered:
    """Tables numbered in the order they appear."""

    def __init__(self, doc: Document, t: Mapping[str, tuple[list[str], list[list[object]]]]):
        self.doc, self.t, self.n = doc, t, 0

    def __call__(self, name: str, caption: str) -> None:
        self.n += 1
        docxfmt.para(self.doc, f"Bảng {self.n}. {caption}", italic=True, align="left")
        docxfmt.table(self.doc, *self.t[name])


def _own_work(doc: Document, report: YearReport, table: _Numbered) -> None:
    """I. The Department's own foreign-information work."""
    u, counts, year = report.uptake, report.activity_counts, report.year
    docxfmt.para(doc, "I. KẾT QUẢ CÔNG TÁC THÔNG TIN ĐỐI NGOẠI CỦA SỞ", bold=True, align="left")
    docxfmt.para(doc, "1. Thông tin trên cổng thông tin điện tử của Sở", bold=True, align="left")
    docxfmt.para(doc, f"Năm {year}, Sở đăng {u.posts} tin bài trên các kênh thông tin của Sở "
                 "(danh sách tại Phụ lục 2).")  # fmt: skip
    table("tin_cua_so_theo_thang", "Tin bài của Sở theo tháng")
    table("tin_cua_so_theo_chu_de", "Tin bài của Sở theo chủ đề")
    docxfmt.para(doc, "2. Báo chí đăng lại, trích dẫn thông tin của Sở", bold=True, align="left")
    lag = (
        ""
        if u.median_lag_hours is None
        else f"; trung vị thời gian đến lần đăng lại đầu tiên {_decimal(u.median_lag_hours)} giờ"
    )
    share = f"{100 * u.share:.0f}"
    docxfmt.para(doc, f"{u.picked}/{u.posts} tin bài ({share}%) được ít nhất một cơ quan báo chí "
                 f"đăng lại hoặc trích dẫn{lag}.")  # fmt: skip
    table("bao_chi_dang_lai", "Cơ quan báo chí đăng lại, trích dẫn tin bài của Sở")
    docxfmt.para(doc, "3. Cung cấp thông tin cho báo chí", bold=True, align="left")
    press = sum(counts.get(k, 0) for k in PRESS_FORMS)
    docxfmt.para(doc, f"Sở cung cấp thông tin cho báo chí {press} lần theo các hình thức của "
                 "Nghị định số 09/2017/NĐ-CP (danh sách tại Phụ lục 3).")  # fmt: skip
    table("cung_cap_thong_tin_bao_chi", "Cung cấp thông tin cho báo chí theo hình thức")
    docxfmt.para(doc, "4. Hoạt động đối ngoại, hợp tác với các địa phương Quảng Tây (Trung "
                 "Quốc), tập huấn", bold=True, align="left")  # fmt: skip
    table("hoat_dong_doi_ngoai", "Hoạt động đối ngoại và tập huấn")
    for a in activities_of_kind(report, "cooperation"):
        partner = f" với {a.partner}" if a.partner else ""
        docxfmt.para(doc, f"– Ngày {a.day:%d/%m/%Y}: {a.title}{partner}"
                     + (f" ({a.place})" if a.place else "") + ".")  # fmt: skip
    docxfmt.para(doc, "5. Thực hiện kế hoạch năm", bold=True, align="left")
    if report.plan:
        table("ke_hoach", "Kết quả thực hiện các chỉ tiêu của kế hoạch")
    else:
        docxfmt.para(doc, "Chưa có kế hoạch năm trong hệ thống (monitor plan import).",
                     italic=True)  # fmt: skip


def activities_of_kind(report: YearReport, kind: str) -> list[Activity]:
    return [a for a in report.activities if a.kind == kind]


def _monitoring(doc: Document, report: YearReport, table: _Numbered) -> None:
    """II. Monitoring and refutation."""
    total = report.total
    docxfmt.para(doc, "II. THEO DÕI, PHẢN BÁC THÔNG TIN SAI LỆCH", bold=True, align="left")
    docxfmt.para(doc, "1. Kết quả theo dõi", bold=True, align="left")
    docxfmt.para(doc, f"Năm {report.year}, hệ thống đã thu thập {total.collected} tin, trong đó "
                 f"{total.relevant} tin liên quan đến tỉnh Lạng Sơn hoặc ngành xây dựng "
                 "(định nghĩa tại Phụ lục 4).")  # fmt: skip
    for name, caption in (("tong_hop", "Tổng hợp"), ("theo_thang", "Theo tháng"),
                          ("theo_loai_co_quan", "Theo loại cơ quan báo chí"),
                          ("theo_chu_de", "Theo chủ đề")):  # fmt: skip
        table(name, caption)
    docxfmt.image(
        doc,
        charts.bars(
            [m.key[5:] for m in report.by_month],
            {
                "Liên quan": [m.relevant for m in report.by_month],
                "Bị gắn cờ": [m.flagged for m in report.by_month],
            },
            f"Tin theo tháng năm {report.year}",
        ),
    )
    docxfmt.para(doc, "2. Tin bị gắn cờ, đã xác nhận và đã bác bỏ", bold=True, align="left")
    docxfmt.para(doc, f"Có {total.flagged} tin bị gắn cờ; {total.confirmed} tin được xác nhận "
                 f"là sai sự thật hoặc thù địch; {total.dismissed} tin được bác bỏ. Danh sách "
                 "vụ việc đã xác nhận ở Phụ lục 1.")  # fmt: skip
    docxfmt.para(doc, "3. Phản hồi, phản bác", bold=True, align="left")
    table("phan_hoi", "Kết quả phản hồi")
    c = report.criticism
    docxfmt.para(doc, "4. Góp ý, phản ánh", bold=True, align="left")
    docxfmt.para(doc, f"Có {c.routed} góp ý, phản ánh được chuyển đơn vị trả lời hoặc khắc phục; "
                 f"{c.resolved} đã có kết quả; cuối năm còn {c.open} chờ trả lời, trong đó "
                 f"{c.overdue} quá hạn.")  # fmt: skip
    table("gop_y_phan_anh", "Góp ý, phản ánh theo đơn vị")
    docxfmt.para(doc, "5. Nguồn theo dõi", bold=True, align="left")
    table("theo_nguon", "Theo nguồn")


def render_docx(report: YearReport, settings: Settings) -> bytes:
    """The report as DOCX bytes."""
    doc = docxfmt.document()
    _header(doc, settings, report.year)
    t = tables(report)
    table = _Numbered(doc, t)
    _own_work(doc, report, table)
    _monitoring(doc, report, table)
    _written(doc, report)
    docxfmt.footer(doc, RECIPIENTS)
    wide = docxfmt.landscape(doc)  # ten columns do not fit a portrait page
    docxfmt.para(doc, "PHỤ LỤC 1. DANH SÁCH VỤ VIỆC ĐÃ XÁC NHẬN", bold=True, align="center")
    docxfmt.table(doc, *t["phu_luc_vu_viec"], size=10, text_mm=wide)
    docxfmt.para(doc, "PHỤ LỤC 2. TIN BÀI CỦA SỞ VÀ BÁO CHÍ ĐĂNG LẠI, TRÍCH DẪN", bold=True,
                 align="center")  # fmt: skip
    docxfmt.table(doc, *t["phu_luc_tin_cua_so"], size=10, text_mm=wide)
    docxfmt.para(doc, "PHỤ LỤC 3. HOẠT ĐỘNG THÔNG TIN ĐỐI NGOẠI", bold=True, align="center")
    docxfmt.table(doc, *t["phu_luc_hoat_dong"], size=10, text_mm=wide)
    docxfmt.para(doc, "PHỤ LỤC 4. ĐỊNH NGHĨA CÁC SỐ LIỆU", bold=True, align="center")
    docxfmt.table(doc, ["Số liệu", "Định nghĩa"], definitions(report), size=11, text_mm=wide)
    docxfmt.para(doc, "Mỗi bảng có kèm tệp số liệu (CSV) cùng tên để đối chiếu.",
                 italic=True)  # fmt: skip
    return docxfmt.save(doc)


def write_csvs(report: YearReport, directory: str | Path) -> list[Path]:
    """One UTF-8 CSV (with BOM, for Excel) per table, plus dinh_nghia.csv."""
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    named: dict[str, tuple[list[str], Sequence[Sequence[object]]]] = dict(tables(report))
    named["dinh_nghia"] = (["Số liệu", "Định nghĩa"], definitions(report))
    for name, (header, rows) in named.items():
        path = out_dir / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = SafeWriter(fh)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written
