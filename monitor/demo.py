"""`monitor demo`: the whole pipeline, offline, on the bundled demo news site."""

from __future__ import annotations

import asyncio
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from .config import Settings
from .devserver import LocalServer
from .records import RELEVANCE_PARTS

DATA = Path(__file__).resolve().parent / "data"
DEMO_SITE = DATA / "demo_site"
DEMO_SOURCES = DATA / "demo_sources.yaml"


def prepare(directory: Path, base_url: str) -> Path:
    """Write the demo's sources file, pointing at the local site, into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "sources.yaml"
    path.write_text(
        DEMO_SOURCES.read_text(encoding="utf-8").replace("{{BASE}}", base_url), encoding="utf-8"
    )
    return path


def _fresh(target: Path) -> None:
    """Start from an empty database; keep the trained seed model (it takes a while to build)."""
    target.mkdir(parents=True, exist_ok=True)
    for child in target.iterdir():
        if child.name == "models":
            continue
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def run_demo(
    directory: str,
    port: int,
    settings: Settings,
    *,
    serve: bool = False,
    web_host: str = "127.0.0.1",
    web_port: int = 8000,
) -> int:
    """Serve the demo site, crawl it into a fresh SQLite database, classify, print what was
    found, then (with ``serve``) serve the dashboard until interrupted."""
    from .collect.pipeline import crawl
    from .progress import CrawlProgress, print_summary
    from .sources import load_sources
    from .store import queries
    from .store.db import current_revision, open_store

    out = Console()
    target = Path(directory)
    _fresh(target)
    with LocalServer(root=DEMO_SITE, port=port, template_vars=True) as site:
        sources_path = prepare(target, site.base_url)
        db_url = f"sqlite:///{(target / 'monitor.db').resolve()}"
        settings = settings.with_overrides(
            database_url=db_url,
            sources=str(sources_path),
            models_dir=str(target / "models"),
            evidence_dir=str(target / "evidence"),
        )
        engine = open_store(db_url)
        out.print(
            f"[bold]1.[/] Cơ sở dữ liệu mới: {target / 'monitor.db'} "
            f"(schema {current_revision(engine)})"
        )
        out.print(f"[bold]2.[/] Trang tin mẫu đang chạy tại {site.base_url}/ (offline)")
        configured = load_sources(sources_path)
        queries.sync_sources(engine, configured)
        _watch_rule(out, engine)
        out.print(f"[bold]3.[/] Thu thập {len(configured)} nguồn tin…")
        with CrawlProgress(enabled=sys.stderr.isatty()) as progress:
            summary = asyncio.run(crawl(engine, settings, force=True, progress=progress.update))
        print_summary(summary, sys.stdout)
        _print_collection(out, engine)
        _classify(out, engine, settings)
        _tip(out, engine, settings)
        _alerts(out, engine, settings.with_overrides(dashboard_url=f"http://{web_host}:{web_port}"))
        _own_voice(out, engine)
        _respond(out, engine, settings)
        if serve:
            _serve(out, engine, settings, web_host, web_port)
    out.print(
        f"\nXem thêm: {_cli(db_url, sources_path)} sources status\n"
        f"          {_cli(db_url, sources_path)} export --relevant-only",
        soft_wrap=True,  # commands stay on one line, ready to copy
    )
    return 0


def _cli(db_url: str, sources: Path) -> str:
    """The demo's own store and sources (never the real sources.yaml), as typed after make."""
    return f".venv/bin/monitor --database {db_url} --sources {sources}"


def _print_collection(out: Console, engine: Any) -> None:
    from .store import queries

    with engine.connect() as conn:
        totals = queries.collection_totals(conn)
        clusters = queries.top_clusters(conn, limit=8)
        parts = queries.relevance_breakdown(conn)
    out.print(
        f"\n[bold]Tổng cộng[/]: {totals['items']} bài đã lưu, {totals['relevant']} liên quan "
        f"(Lạng Sơn hoặc ngành xây dựng), {totals['stories']} câu chuyện khác nhau, "
        f"{totals['summary_only']} bài chỉ có tóm tắt từ feed, "
        f"{totals['undated']} bài không rõ ngày."
    )
    out.print("\n[bold]Vì sao liên quan[/] (relevance reasons; monitor relevance explain ID):")
    for part, count, examples in parts:
        out.print(f"  {RELEVANCE_PARTS[part][0]}: {count} bài")
        for row in examples:
            reason = escape(row.relevance_reason)
            out.print(f"    #{row.id} {escape(row.title[:70])}\n      {reason}")
    if clusters:
        out.print("\n[bold]Tin được nhiều báo đăng lại[/] (reach = số nguồn):")
        for c in clusters:
            out.print(f"  • [{c['reach']} nguồn, {c['copies']} bản] {escape(c['title'])}")


def _classify(out: Console, engine: Any, settings: Settings) -> None:
    from .flag import active_model, classify_pending, flagged_items

    out.print("\n[bold]4.[/] Phân loại bằng mô hình mẫu (seed model; lần đầu cần huấn luyện)…")
    model = active_model(settings)
    summary = classify_pending(engine, settings, model=model)
    out.print(
        f"Mô hình {summary.model_version}: {summary.scored} bài đã chấm điểm, "
        f"[bold]{summary.flagged} bài cần người xem xét[/] (flagged for review)."
    )
    from .flag.reasons import label_names

    for row in flagged_items(engine, limit=12):
        names = ", ".join(label_names().get(f, f) for f in row["flags"].split(", "))
        label = escape(f"[{names}]")
        out.print(f"  • {label} {escape(row['title'])}")
        for reason in filter(None, row["reasons"]):
            out.print(f"      {escape(reason)}")
    _criticism(out, engine, settings)
    _evidence(out, engine, settings)


def _evidence(out: Console, engine: Any, settings: Settings) -> None:
    """Flagged items are captured as evidence, as the service does after scoring."""
    from .evidence import capture_flagged, captures_of, export_packet, verify
    from .vocabulary import SYSTEM

    captured = capture_flagged(engine, settings)
    out.print(f"\n[bold]Chứng cứ[/] (evidence): đã lưu {captured} trang bị gắn cờ (WARC, SHA-256) "
              f"trong {escape(settings.evidence_dir)}.")  # fmt: skip
    with engine.connect() as conn:
        first = next((i for i in _flagged_ids(engine) if captures_of(conn, i)), None)
    if first is None:
        return
    packet = Path(settings.evidence_dir).parent / f"bang-chung-{first}.zip"
    packet.write_bytes(export_packet(engine, settings, first, SYSTEM))
    ok, reason = verify(packet.read_bytes())
    out.print(f"  Gói chứng cứ mẫu: {escape(str(packet))} — kiểm tra: {escape(reason)}")


def _flagged_ids(engine: Any) -> list[int]:
    from sqlalchemy import select

    from .store.tables import item_scores

    with engine.connect() as conn:
        return list(conn.scalars(select(item_scores.c.item_id).where(item_scores.c.flagged)
                                 .order_by(item_scores.c.item_id)))  # fmt: skip


def _criticism(out: Console, engine: Any, settings: Settings) -> None:
    from .respond.criticism import criticism_list, route_pending

    routed = route_pending(engine, settings)
    out.print(
        f"\n[bold]Góp ý, phản ánh[/] (criticism routed, not rebutted): {routed} bài "
        "chuyển đơn vị trả lời hoặc khắc phục."
    )
    with engine.connect() as conn:
        entries = criticism_list(conn)
    for entry in entries:
        case = entry.case
        due = f"{case.due_on:%d/%m/%Y}" if case.due_on else "—"
        score = f"{case.score or 0:.2f}".replace(".", ",")
        out.print(f"  • {escape(entry.title)}")
        out.print(f"      → {escape(case.office or '')}, hạn trả lời {due} (điểm {score})")


DEMO_YEAR = 2026  # the demo site's articles are dated October and November 2026
def _tip(out: Console, engine: Any, settings: Settings) -> None:
    """A tip: pasted text an analyst saw on Facebook, through the same processing, scoring
    and clustering as a crawled item, to the queue (`monitor submit --text-file`)."""
    from .i18n import vi
    from .review.queue import QueueFilter, list_queue
    from .tips import submit_tip
    from .vocabulary import User

    text = (DATA / "demo_tip.txt").read_text(encoding="utf-8")
    result = submit_tip(engine, settings, User(0, DEMO_ANALYST, "analyst"), text=text,
                        seen_on="facebook", seen_at="2026-11-28T20:15:00+07:00", via="cli",
                        note="Thấy trong một nhóm cư dân, khoảng 300 lượt chia sẻ")  # fmt: skip
    with engine.connect() as conn:
        row = next((r for r in list_queue(conn, QueueFilter(per_page=200)).items
                    if r.id == result.id), None)  # fmt: skip
    place = (f"vào hàng đợi (Tin báo, ưu tiên {vi('priority.' + row.level).lower()})" if row
             else "chưa vào hàng đợi")  # fmt: skip
    story = " (cùng câu chuyện với một tin đã thu thập)" if result.joined_story else ""
    out.print(f"\n[bold]Tin báo[/] (tip from an analyst, seen on Facebook): #{result.id} "
              f"{escape(text.splitlines()[0])} → {place}{story}", soft_wrap=True)  # fmt: skip


DEMO_RULE = ("Cửa khẩu Hữu Nghị", '"cua khau huu nghi" AND ("đóng cửa" OR "mac ket")')
DEMO_ANALYST = "phantich"  # dashboards/demo.py: the rule shows on this analyst's watch page
DEMO_DUTY = "email:truc-ban@soxaydung.langson.gov.vn"


def _watch_rule(out: Console, engine: Any) -> None:
    """A watch rule saved before the crawl, as an analyst would (dashboard or `monitor watch`)."""
    from .vocabulary import User
    from .watch.rules import add_rule

    name, query = DEMO_RULE
    add_rule(engine, User(0, DEMO_ANALYST, "analyst"), name=name, query=query, relevant_only=True,
             notify=["email:phantich@soxaydung.langson.gov.vn"])  # fmt: skip
    out.print(f"    Quy tắc theo dõi «{escape(name)}» của {DEMO_ANALYST}: {escape(query)} "
              "(gõ không dấu vẫn khớp chữ có dấu)", soft_wrap=True)  # fmt: skip


def _alerts(out: Console, engine: Any, settings: Settings) -> None:
    """The service's alert pass after scoring, with a local mail sink standing in for the
    Department's mail server: what the analyst and the duty officer receive."""
    from .devserver import MailSink
    from .watch.alerts import deliver, match_new

    with MailSink() as sink:
        local = settings.with_overrides(
            smtp_host=sink.host, smtp_port=sink.port, smtp_tls="none",
            smtp_from="giamsat@soxaydung.langson.gov.vn", alert_notify=DEMO_DUTY,
        )  # fmt: skip
        matched = match_new(engine, local)
        sent = deliver(engine, local)
        sink.wait(sent.sent, timeout=10)
    triggers = ", ".join(f"{n} {k}" for k, n in sorted(matched.by_trigger.items()))
    out.print(f"\n[bold]Cảnh báo tức thì[/] (instant alerts): {matched.events} khớp ({triggers}); "
              f"{sent.sent} thư gửi tới hộp thư thử tại {sink.host}:{sink.port}:")  # fmt: skip
    for mail in sink.messages:
        out.print(f"  ┌ Tới: {escape(mail['To'])} — {escape(mail['Subject'])}", soft_wrap=True)
        for line in mail.get_content().strip().splitlines()[2:14]:
            out.print(f"  │ {escape(line)}", soft_wrap=True)
        out.print("  └ …")


def _own_voice(out: Console, engine: Any) -> None:
    """The Department's own portal: its posts, and which outlets carried them."""
    from .voice.output import topic_name, year_bounds
    from .voice.uptake import refresh_uptake, uptake

    refresh_uptake(engine, days=None)
    with engine.connect() as conn:
        figures = uptake(conn, *year_bounds(DEMO_YEAR))
    out.print(f"\n[bold]Thông tin của Sở[/] (own posts and press uptake): {figures.posts} tin "
              f"bài năm {DEMO_YEAR}, {figures.picked} được báo chí đăng lại hoặc "
              "trích dẫn:", soft_wrap=True)  # fmt: skip
    how = {"story": "đăng lại", "quote": "trích dẫn"}
    for post in figures.per_post:
        picked = "; ".join(f"{k.source_name} ({how[k.how]} sau {_comma(k.lag_hours)} giờ)"
                           for k in post.pickups) or "chưa có báo nào đăng lại"  # fmt: skip
        topic = escape(f"[{topic_name(post.post.topic)}]")
        out.print(f"  • {escape(post.post.title)} {topic}\n      → {escape(picked)}",
                  soft_wrap=True)  # fmt: skip
    _activities(out, engine)


def _comma(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _activities(out: Console, engine: Any) -> None:
    """What no crawler sees: the activity register and the year's plan, imported from files
    as a writer would (`monitor activities import`, `monitor plan import`)."""
    from .i18n import vi
    from .vocabulary import OPERATOR
    from .voice.activities import activities_of, import_activities
    from .voice.plan import import_plan, progress

    import_activities(engine, OPERATOR, DATA / "demo_activities.yaml")
    import_plan(engine, OPERATOR, DATA / "demo_plan.yaml")
    with engine.connect() as conn:
        done = activities_of(conn, DEMO_YEAR)
        plan = progress(conn, DEMO_YEAR, date(DEMO_YEAR, 11, 30))
    out.print(f"\n[bold]Hoạt động đối ngoại[/] (activity register): {len(done)} hoạt động năm "
              f"{DEMO_YEAR}, ví dụ:")  # fmt: skip
    for a in done[-4:]:
        out.print(f"  • {a.day:%d/%m/%Y} {escape(vi('activity.kind.' + a.kind))}: "
                  f"{escape(a.title)}", soft_wrap=True)  # fmt: skip
    out.print(f"[bold]Kế hoạch năm {DEMO_YEAR}[/] (đến 30/11):")
    for p in plan:
        name = vi("plan.key.own_post" if p.key == "own_post" else f"activity.kind.{p.key}")
        state = {"reached": "đã đạt", "on_track": "đúng tiến độ", "behind": "chậm"}[p.state]
        out.print(f"  • {escape(name)}: {p.done}/{p.target} ({state})")


def _respond(out: Console, engine: Any, settings: Settings) -> None:
    from .respond.demo import prepare_demo_responses

    out.print("\n[bold]Phản hồi và báo cáo[/] (respond and report):")
    out.print(escape(prepare_demo_responses(engine, settings)), soft_wrap=True)


def _serve(out: Console, engine: Any, settings: Settings, host: str, port: int) -> None:
    """`monitor run` on the demo: the scheduler keeps crawling and scoring, the dashboard
    serves; the demo site stays up until Ctrl+C."""
    from dashboards.app import service_app
    from dashboards.demo import prepare_demo_users

    from .service.runner import run

    users = prepare_demo_users(engine)
    out.print(
        f"\n[bold]5.[/] Dịch vụ đang chạy (monitor run: lịch thu thập, phân loại, "
        f"cảnh báo) và bảng điều khiển: http://{host}:{port}/  (Ctrl+C để dừng)"
    )
    for name, role, password in users:
        out.print(f"    đăng nhập {name} / {password}  ({role})")
    run(settings, service_app, host=host, port=port)
