"""Crawl benchmark: many local feeds behind a configurable latency, through the real pipeline.

Prints articles/s, wall time against the ideal (requests x latency / concurrency) and peak
memory, and writes them to BENCHMARKS.md. Feeds are spread over several loopback addresses
(127.0.0.x) so per-host limits behave as with real outlets.

    python bench/crawl.py --feeds 300 --articles 50 --latency 0.1 --latency 0
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402
from monitor.collect.pipeline import crawl  # noqa: E402
from monitor.config import load_settings  # noqa: E402
from monitor.devserver import LocalServer, Request, Response  # noqa: E402
from monitor.sources import parse_sources  # noqa: E402
from monitor.store import queries  # noqa: E402
from monitor.store.db import open_store  # noqa: E402

PARAGRAPHS = [
    "Ban Quản lý dự án giao thông tỉnh Lạng Sơn cho biết tuyến cao tốc đoạn {n} đã hoàn thành "
    "khoảng {p}% khối lượng thi công phần đường và cầu trong tháng này.",
    "Theo chủ đầu tư, công tác giải phóng mặt bằng tại xã {n} đã bàn giao {p} ha cho nhà thầu, "
    "các mũi thi công tăng ca để bảo đảm tiến độ đề ra từ đầu năm.",
    "Sở Xây dựng đề nghị các đơn vị kiểm soát chất lượng vật liệu, an toàn lao động và vệ sinh "
    "môi trường trên công trường số {n}, nhất là trong mùa mưa.",
    "Người dân địa phương mong muốn dự án sớm hoàn thành để việc đi lại, giao thương qua cửa "
    "khẩu thuận lợi hơn; nhiều hộ đã nhận tiền bồi thường đợt {p}.",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành phối hợp tháo gỡ vướng mắc về thủ tục đầu tư, "
    "cấp phép khai thác mỏ vật liệu và điều chỉnh quy hoạch khu vực {n}.",
]


def article(feed: int, index: int) -> str:
    """A page whose words are the template's, shuffled per article: real stories differ, and
    templated near-copies would all fall into one story cluster."""
    n, p = feed * 100 + index, (feed * 7 + index * 13) % 97
    rng = random.Random(n)
    paragraphs = []
    for template in PARAGRAPHS * 2:
        words = template.format(n=n, p=p).split()
        rng.shuffle(words)
        paragraphs.append("Lạng Sơn: " + " ".join(words))
    body = "".join(f"<p>{escape(t)}</p>" for t in paragraphs)
    menu = "".join(f"<li><a href='/m{i}'>Mục {i}</a></li>" for i in range(30))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Tin {n}</title>"
        f"<meta property='article:published_time' content='2026-11-20T08:00:00+07:00'>"
        f"</head><body><nav><ul>{menu}</ul></nav><article><h1>Tin {n}: cao tốc đoạn {n}"
        f"</h1><div class='detail-content'>{body}</div></article><footer>© Báo mẫu</footer>"
        f"</body></html>"
    )


def feed(base: str, feed_no: int, articles: int) -> str:
    entries = "".join(
        f"<item><title>Tin {feed_no * 100 + i}: cao tốc đoạn {feed_no * 100 + i}</title>"
        f"<link>{base}/f{feed_no}/a{i}.html</link><guid>{base}/f{feed_no}/a{i}.html</guid>"
        f"<description>Tin số {i}</description></item>"
        for i in range(articles)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>F{feed_no}"
        f"</title>{entries}</channel></rss>"
    )


def serve(articles: int, latency: float):
    def handler(server_base: list[str]):
        def respond(req: Request) -> Response:
            parts = req.path.strip("/").split("/")
            feed_no = int(parts[0][1:])
            if parts[1] == "rss.xml":
                return Response(
                    200,
                    feed(server_base[0], feed_no, articles),
                    {"Content-Type": "application/rss+xml; charset=utf-8"},
                )
            return Response(200, article(feed_no, int(parts[1][1:].split(".")[0])))

        return respond

    return handler


def _serve_forever(articles: int, latency: float, hosts: int, conn) -> None:  # noqa: ANN001
    """Child process: the local outlets, so the crawler does not share its GIL with them."""
    servers = []
    for h in range(hosts):
        srv = LocalServer(host=f"127.0.0.{h + 1}", latency=latency)
        srv.routes = _Routes(serve(articles, latency)([srv.base_url]))
        servers.append(srv.start())
    conn.send([srv.base_url for srv in servers])
    conn.recv()  # wait for the parent to finish
    for srv in servers:
        srv.stop()


async def one_run(feeds: int, articles: int, latency: float, hosts: int, concurrency: int) -> dict:
    import multiprocessing

    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(
        target=_serve_forever, args=(articles, latency, hosts, child), daemon=True)
    proc.start()
    bases = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lines = ["sources:"]
            for f in range(feeds):
                lines.append(f"  - {{id: f{f}, name: F{f}, url: '{bases[f % hosts]}/f{f}/rss.xml', "
                             "allow_private_links: true}")
            db_url = f"sqlite:///{tmp}/bench.db"
            engine = open_store(db_url)
            queries.sync_sources(engine, parse_sources("\n".join(lines)))
            settings = load_settings({}, database_url=db_url, global_concurrency=concurrency,
                                     per_host_concurrency=max(2, concurrency // hosts + 1),
                                     respect_robots=False, max_entries_per_feed=articles)
            start = time.perf_counter()
            summary = await crawl(engine, settings, force=True)
            wall = time.perf_counter() - start
            engine.dispose()
    finally:
        parent.send("stop")
        proc.join(timeout=10)
    requests = feeds * (articles + 1)
    ideal = requests * latency / concurrency
    return {"latency": latency, "items": summary.new_items, "wall": wall,
            "rate": summary.new_items / wall, "ideal": ideal,
            "efficiency": ideal / wall if ideal else None}


class _Routes(dict):
    """Every path goes to one handler (the devserver looks routes up by path)."""

    def __init__(self, handler):
        super().__init__()
        self.handler = handler

    def get(self, key, default=None):
        return self.handler


def _row(r: dict) -> str:
    ideal = f"{r['ideal']:.1f} s" if r["ideal"] else "—"
    share = f"{r['efficiency']:.0%}" if r["efficiency"] else "—"
    return (
        f"| {r['latency'] * 1000:.0f} ms | {r['items']} | {r['wall']:.1f} s | {r['rate']:.1f} "
        f"| {ideal} | {share} | {r['peak_mb']:.0f} MB |"
    )


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument(
        "--latency",
        type=float,
        action="append",
        help="server latency in seconds (repeatable; default 0.1 and 0)",
    )
    parser.add_argument("--hosts", type=int, default=20, help="loopback addresses to spread over")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    latencies = args.latency or [0.1, 0.0]
    results = []
    for latency in latencies:
        r = asyncio.run(one_run(args.feeds, args.articles, latency, args.hosts, args.concurrency))
        r["peak_mb"] = peak_mb()
        results.append(r)
        eff = f"{r['efficiency']:.0%} of ideal ({r['ideal']:.1f} s)" if r["ideal"] else "n/a"
        print(
            f"latency {latency * 1000:.0f} ms: {r['items']} articles in {r['wall']:.1f} s = "
            f"{r['rate']:.1f} articles/s; {eff}; peak RSS {r['peak_mb']:.0f} MB",
            flush=True,
        )
    if not args.no_write:
        rows = "\n".join(_row(r) for r in results)
        write_section(
            "Crawl",
            f"""
`bench/crawl.py --feeds {args.feeds} --articles {args.articles} --hosts {args.hosts}
--concurrency {args.concurrency}`: {args.feeds} local RSS feeds with {args.articles} article
pages each, spread over {args.hosts} loopback addresses, crawled through the real pipeline
(fetch, feed parsing, article extraction in worker processes, normalisation, language,
relevance, fingerprint, SQLite writes). Ideal = requests x latency / concurrency. The local
outlets run in a separate process on the same two cores. One run per latency.

| latency | articles | wall time | articles/s | ideal | share of ideal | peak RSS |
|---|---|---|---|---|---|---|
{rows}

Targets (issue 2): within 80% of the ideal at 100 ms; 100 articles/s or more at 0 ms.
""",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
