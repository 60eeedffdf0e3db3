"""The Department's own posts and their press uptake."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from ..config import Settings
from ..timefmt import LOCAL, show
from . import UserError, command, store


def _uptake_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, help="local calendar year (default: this year)")
    p.add_argument("--refresh", action="store_true",
                   help="recompute the uptake of every own post first (the service does the "
                        "last 45 days hourly)")  # fmt: skip
    p.add_argument("--format", choices=("text", "json"), default="text")


@command("uptake", _uptake_args)
def cmd_uptake(args: argparse.Namespace, settings: Settings) -> int:
    """The Department's own posts (sources marked `own: true`) and which outlets carried them.

    An outlet carried a post when one of its items, from the post's local day to 30 days
    later, belongs to the post's story (reprinted, near-duplicate) or shares a passage of 12
    consecutive words with it (quoted). Prints, per post, its date, topic and the outlets with
    how and the lag in hours; then the share of posts picked up at least once. The same
    figures are on the overview, in the digest and in the yearly report.
    Example: monitor uptake --year 2026 --refresh
    Example: monitor uptake --format json
    """
    from ..voice.output import topic_name, year_bounds
    from ..voice.uptake import refresh_uptake, uptake

    year = args.year or datetime.now(UTC).astimezone(LOCAL).year
    if not 2000 <= year <= 2100:
        raise UserError(f"--year {year} is not a year this tool has data for")
    with store(settings) as engine:
        if args.refresh:
            refresh_uptake(engine, days=None)
        with engine.connect() as conn:
            figures = uptake(conn, *year_bounds(year))
    if args.format == "json":
        print(json.dumps({
            "year": year, "posts": figures.posts, "picked_up": figures.picked,
            "share": round(figures.share, 4), "median_lag_hours": figures.median_lag_hours,
            "by_outlet": dict(figures.by_outlet), "by_how": figures.by_how,
            "per_post": [{"id": p.post.id, "title": p.post.title, "url": p.post.url,
                          "seen_at": p.post.seen_at.isoformat(), "topic": p.post.topic,
                          "pickups": [{"item_id": k.item_id, "source_id": k.source_id,
                                       "how": k.how, "lag_hours": k.lag_hours}
                                      for k in p.pickups]} for p in figures.per_post],
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    for post in figures.per_post:
        outlets = ", ".join(f"{k.source_name} ({k.how}, {k.lag_hours:g} h)" for k in post.pickups)
        print(f"{show(post.post.seen_at, with_time=False)}\t{topic_name(post.post.topic)}\t"
              f"{post.post.title}\t{outlets or '-'}")  # fmt: skip
    print(f"{figures.picked} of {figures.posts} own posts of {year} picked up by at least one "
          f"outlet ({figures.share:.0%})")  # fmt: skip
    return 0
