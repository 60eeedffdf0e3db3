"""Dashboard latency on a large store: seed N items (default 1,000,000) into SQLite, then time
the queue, item and search pages through the real app served by uvicorn in a thread (real HTTP
with httpx), and write p50/p95 to BENCHMARKS.md (section "Dashboard").

Usage: python bench/dashboard.py [--items N] [--requests R] [--dir PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from _report import write_section  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from dashboards.app import create_app  # noqa: E402
from monitor.config import load_settings  # noqa: E402
from monitor.review import users as users_mod  # noqa: E402
from monitor.review.users import add_user  # noqa: E402
from monitor.store.db import open_store  # noqa: E402
from monitor.store.review_index import refresh  # noqa: E402

_VOCABULARY = (
    "Lạng Sơn xây dựng công trình dự án cửa khẩu Hữu Nghị Đồng Đăng quy hoạch nhà ở xã hội "
    "giải phóng mặt bằng cao tốc Chi Lăng tỉnh huyện thành phố vốn đầu tư công tiến độ thi công "
    "chất lượng kiểm tra người dân phản ánh vật liệu giá cát đá xi măng đường giao thông trường "
    "học bệnh viện thoát nước đô thị nông thôn Cao Lộc Văn Lãng Tràng Định Bình Gia Bắc Sơn"
)
WORDS = tuple(_VOCABULARY.split())
SOURCES = [f"nguon{n:02d}" for n in range(40)]
LABELS = ("distorted", "hostile", "criticism", "neutral")
NOW = datetime.now(UTC)


def seed(path: Path, n: int, rng: random.Random) -> None:
    """Bulk insert sources, items and scores straight into SQLite (executemany, 50k batches)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    stamp = NOW.replace(tzinfo=None).isoformat(" ")
    db.executemany(
        "INSERT INTO sources (id, name, url, feed_url, type, enabled, in_config, "
        "interval_minutes, tags, config, last_status, error_count, item_count, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, 'rss', 1, 1, 60, '[]', '{}', 'ok', 0, 0, ?, ?)",
        [(s, f"Báo {s}", f"https://{s}.vn/", f"https://{s}.vn/rss", stamp, stamp) for s in SOURCES],
    )
    batch_items, batch_scores, cluster = [], [], 0
    for i in range(1, n + 1):
        cluster = cluster if i % 10 in (3, 7) and cluster else i  # some stories are syndicated
        at = (NOW - timedelta(minutes=i * 525600 // max(n, 1) * 1.0)).replace(tzinfo=None)
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        title = " ".join(rng.choices(WORDS, k=9))
        text = " ".join(rng.choices(WORDS, k=40))
        src = SOURCES[i % len(SOURCES)]
        batch_items.append(
            (
                i,
                src,
                f"https://{src}.vn/{i}",
                digest,
                digest,
                title,
                text,
                at.isoformat(" "),
                rng.random() < 0.4,
                cluster,
            )
        )
        if rng.random() < 0.5:
            label = rng.choice(LABELS)
            score = rng.random()
            flagged = label != "neutral" and score > 0.9
            scores = {k: (score if k == label else (1 - score) / 3) for k in LABELS}
            batch_scores.append((i, label, json.dumps(scores), flagged, at.isoformat(" ")))
        if len(batch_items) == 50_000 or i == n:
            db.executemany(
                "INSERT INTO items (id, source_id, url, canonical_url, url_hash, content_hash, "
                "title, summary, text, text_method, published_at, fetched_at, relevant, "
                "matches, cluster_id) VALUES (?, ?, ?, ?3, ?, ?5, ?, '', ?, 'bench', ?, ?8, ?, "
                "'[]', ?)",
                batch_items,
            )
            db.executemany(
                "INSERT INTO item_scores (item_id, model_version, label, scores, flags, flagged, "
                "evidence, uncertainty, scored_at) "
                "VALUES (?, 'bench', ?, ?, '[]', ?, '{}', 0.5, ?)",
                batch_scores,
            )
            db.commit()
            batch_items, batch_scores = [], []
    db.close()


def serve(app: object) -> tuple[uvicorn.Server, str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


def timed(client: httpx.Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def login(client: httpx.Client) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post(
        "/login", data={"username": "bench", "password": "bench-password", "csrf_token": token}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--dir", default="")
    args = parser.parse_args()
    rng = random.Random(4)
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bench-dashboard-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "monitor.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = open_store(url)
    t0 = time.perf_counter()
    seed(path, args.items, rng)
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with engine.begin() as conn:
        refresh(conn)
    index_s = time.perf_counter() - t0
    users_mod.HASHER = PasswordHasher(time_cost=1, memory_cost=1024)
    with engine.begin() as conn:
        add_user(conn, "bench", "analyst", "bench-password")
    server, base = serve(create_app(load_settings(database_url=url), engine=engine))
    ids = [rng.randint(1, args.items) for _ in range(args.requests)]
    pages = {
        "queue (flagged, page 1)": ["/queue"] * args.requests,
        "queue (flagged, page 20)": ["/queue?page=20"] * args.requests,
        "queue (label + source filter)": ["/queue?label=hostile&source=nguon07"] * args.requests,
        "item page": [f"/items/{i}" for i in ids],
        "search 'lang son' (any status)": ["/queue?status=all&q=lang+son"] * args.requests,
        "search 'van lang cao loc' (flagged)": ["/queue?q=van+lang+cao+loc"] * args.requests,
        "API /api/items?status=flagged": ["/api/items?status=flagged"] * args.requests,
    }
    rows = []
    with httpx.Client(base_url=base, timeout=60) as client:
        login(client)
        for name, urls in pages.items():
            timed(client, urls[:3])  # warm-up
            ms = sorted(timed(client, urls))
            p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
            rows.append(f"| {name} | {statistics.median(ms):.1f} | {p95:.1f} |")
            print(rows[-1], flush=True)
    server.should_exit = True
    size = path.stat().st_size / 2**20
    body = (
        f"{args.items:,} items (40 sources, half scored, "
        f"about 4% flagged, 20% syndicated) in SQLite ({size:,.0f} MiB). Seeding with "
        f"executemany: {seed_s:.0f} s; first review-index refresh (accent-free key, FTS5, "
        f"review state, reach): {index_s:.0f} s. Real HTTP to uvicorn in a thread (httpx "
        f"client, one request at a time, {args.requests} requests per row after 3 warm-up).\n\n"
        "| page | p50 ms | p95 ms |\n|---|---:|---:|\n" + "\n".join(rows) + "\n\n"
        "Target: p95 < 200 ms on SQLite."
    )
    write_section("Dashboard", body)


if __name__ == "__main__":
    main()
