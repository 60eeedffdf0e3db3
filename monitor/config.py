"""Every setting declared once: name, default, type, help, and whether it is a secret.

Values come from, in order of precedence: explicit overrides (CLI flags), environment variables
``MONITOR_<NAME>``, then the default. ``Settings.describe()`` masks secrets.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# HTTP headers are ASCII, hence the department's name without diacritics.
DEFAULT_USER_AGENT = (
    "LangSonMonitor/0.1 (news monitoring for So Xay dung Lang Son; public pages only)"
)


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return "MONITOR_" + self.name.upper()


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _networks(raw: str) -> str:
    """Comma-separated addresses or networks, each checked (``10.0.0.1, 192.168.0.0/24``)."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    for part in parts:
        ipaddress.ip_network(part, strict=False)  # ValueError names the bad one
    return ",".join(parts)


def _secret(raw: str) -> str:
    if raw and len(raw) < 32:
        raise ValueError("must have at least 32 characters (or be empty: generated)")
    return raw


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


def _quiet_hours(raw: str) -> str:
    """``HH:MM-HH:MM`` in local time (may cross midnight), or empty."""
    value = raw.strip()
    if not value:
        return ""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ValueError("must look like 22:00-06:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def _share(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 1:
        raise ValueError("must be a number above 0 and at most 1")
    return value


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _smtp_tls(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"starttls", "tls", "none"}:
        raise ValueError("must be starttls, tls or none")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "sqlite:///monitor.db",
        str,
        "SQLAlchemy URL of the store: SQLite file (default) or postgresql+psycopg://...",
        secret=True,
    ),
    Setting("sources", "sources.yaml", str, "Path of the sources file."),
    Setting(
        "user_agent",
        DEFAULT_USER_AGENT,
        str,
        "User-Agent sent with every request (ASCII; add the office's contact address).",
    ),
    Setting("global_concurrency", 16, _positive_int, "Requests in flight at once, all hosts."),
    Setting("per_host_concurrency", 2, _positive_int, "Requests in flight at once per host."),
    Setting("connect_timeout", 10.0, _positive_float, "Seconds to wait for a connection."),
    Setting("read_timeout", 20.0, _positive_float, "Seconds to wait for each read."),
    Setting("total_timeout", 60.0, _positive_float, "Seconds one response may take in all."),
    Setting("max_bytes", 8 * 1024 * 1024, _positive_int, "Largest response body kept (bytes)."),
    Setting(
        "backoff_base_minutes",
        5.0,
        _positive_float,
        "First back-off after a failure; doubles with each consecutive failure.",
    ),
    Setting(
        "backoff_max_minutes",
        720.0,
        _positive_float,
        "Ceiling of the back-off: a failing source is still retried this often.",
    ),
    Setting("max_entries_per_feed", 200, _positive_int, "Entries read from one feed document."),
    Setting(
        "cluster_window_days",
        30,
        _positive_int,
        "Items from this many days back are candidates for story clustering.",
    ),
    Setting(
        "extract_workers",
        0,
        int,
        "Processes for article extraction (0: one per CPU core, 1: in the crawler).",
    ),
    Setting("respect_robots", True, _bool, "Obey robots.txt for article pages."),
    Setting(
        "source_article_concurrency",
        4,
        _positive_int,
        "Article pages of one source in flight at once within a crawl.",
    ),
    Setting(
        "source_time_budget_seconds",
        600.0,
        _positive_float,
        "Seconds one source may spend fetching articles in a crawl; the rest waits for the next.",
    ),
    Setting("relevance_gazetteer", "", str, "Gazetteer YAML used instead of the bundled one."),
    Setting("relevance_lexicon", "", str, "Lexicon YAML used instead of the bundled one."),
    Setting(
        "min_text_words",
        20,
        _positive_int,
        "Extracted text shorter than this falls back to the feed summary.",
    ),
    Setting(
        "secret_key",
        "",
        _secret,
        "Key that signs dashboard sessions, at least 32 characters (empty: generated once into "
        "the secret key file).",
        secret=True,
    ),
    Setting(
        "secret_key_file",
        "",
        str,
        "Where a generated session key is kept, readable by the service only (empty: beside "
        "the SQLite database, else monitor-secret.key in the working directory).",
    ),
    Setting(
        "cookie_secure",
        "auto",
        _choice("auto", "true", "false"),
        "Session cookies marked Secure: true behind HTTPS (also through a proxy), auto when "
        "the request itself is https.",
    ),
    Setting(
        "models_dir",
        "models",
        str,
        "Directory of classifier model versions (the file ACTIVE names the one in use).",
    ),
    Setting(
        "narrative_window_days",
        90,
        _positive_int,
        "How far back a confirmed distorted case can be repeated by a new item.",
    ),
    Setting(
        "narrative_min_chars",
        80,
        _positive_int,
        "Texts shorter than this are not matched against confirmed narratives.",
    ),
    Setting(
        "trusted_proxies",
        "",
        _networks,
        "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For names "
        "the client (empty: the connection's address is the client).",
    ),
    Setting(
        "metrics_token",
        "",
        str,
        "When set, /metrics answers only requests with 'Authorization: Bearer <token>'.",
        secret=True,
    ),
    Setting(
        "four_eyes",
        True,
        _bool,
        "Whoever confirmed a story cannot also sign it off (a second lead does).",
    ),
    Setting(
        "criticism_threshold",
        0.7,
        _share,
        "Relevant items whose criticism score reaches this go to the criticism list.",
    ),
    Setting(
        "criticism_due_days",
        15,
        _positive_int,
        "Days an office has to answer routed criticism (the due date shown and reported).",
    ),
    Setting(
        "offices_file",
        "",
        str,
        "YAML list of the Department's offices criticism is routed to (default: bundled).",
    ),
    Setting(
        "evidence_dir",
        "evidence",
        str,
        "Where captured evidence (WARC files) is written, once each; retention never touches it.",
    ),
    Setting(
        "correction_due_hours",
        72.0,
        float,
        "Hours an outlet has to act on a correction request once it is sent (then overdue).",
    ),
    Setting(
        "removal_due_hours",
        24.0,
        float,
        "Hours a platform has to remove content once asked (Decree 147/2024: 24 hours).",
    ),
    Setting(
        "evidence_batch",
        50,
        _positive_int,
        "Pages captured (or re-checked) at most per service run; the rest wait for the next.",
    ),
    Setting(
        "tsa_url",
        "",
        str,
        "RFC 3161 time-stamp authority for evidence captures (empty: no trusted timestamp).",
    ),
    Setting(
        "tsa_ca_file",
        "",
        str,
        "PEM file of the certificate(s) a timestamp must chain to (needed with MONITOR_TSA_URL).",
    ),
    Setting(
        "evidence_daily_days",
        30,
        _positive_int,
        "Days after confirmation during which a confirmed item's page is re-checked daily.",
    ),
    Setting(
        "evidence_until_days",
        180,
        _positive_int,
        "Days after confirmation until which it is re-checked weekly (then no more).",
    ),
    Setting(
        "evidence_change_threshold",
        0.2,
        _share,
        "Share of the text that must differ for a re-checked page to count as changed.",
    ),
    Setting(
        "tip_allow_private",
        False,
        _bool,
        "Let tip URLs reach private or loopback addresses (a demo on one machine; never in use).",
    ),
    Setting("tip_max_image_bytes", 5 * 1024 * 1024, _positive_int, "Largest tip image (bytes)."),
    Setting("tip_max_chars", 100_000, _positive_int, "Longest pasted tip text (characters)."),
    Setting(
        "activity_max_attachment_bytes",
        20 * 1024 * 1024,
        _positive_int,
        "Largest attachment of an activity (bytes), kept under MONITOR_EVIDENCE_DIR/activities.",
    ),
    Setting("classify_batch", 256, _positive_int, "Items scored per batch by `monitor classify`."),
    Setting(
        "silent_after_intervals",
        6.0,
        _positive_float,
        "A source is called silent after this many of its intervals without a new item.",
    ),
    # -- respond and report
    Setting("smtp_host", "", str, "SMTP server for the weekly digest (empty: digest not sent)."),
    Setting("smtp_port", 587, _positive_int, "SMTP port (587 STARTTLS, 465 TLS, 25 plain)."),
    Setting("smtp_user", "", str, "SMTP login name (empty: no login)."),
    Setting("smtp_password", "", str, "SMTP password.", secret=True),
    Setting("smtp_tls", "starttls", _smtp_tls, "SMTP encryption: starttls, tls or none."),
    Setting("smtp_from", "", str, "Sender address of the weekly digest."),
    Setting(
        "digest_recipients",
        "",
        str,
        "Comma-separated addresses that receive the weekly digest.",
    ),
    Setting(
        "agency_name",
        "SỞ XÂY DỰNG TỈNH LẠNG SƠN",
        str,
        "Agency named in the header of drafts and of the yearly report.",
    ),
    Setting(
        "parent_agency",
        "UBND TỈNH LẠNG SƠN",
        str,
        "The agency's superior body, above its name in the report header.",
    ),
    Setting(
        "spokesperson_contact",
        "Người phát ngôn Sở Xây dựng tỉnh Lạng Sơn (điền số điện thoại và thư điện tử)",
        str,
        "The spokesperson's name and contact, printed at the end of every rebuttal draft.",
    ),
    # -- watch rules and instant alerts
    Setting(
        "alert_notify",
        "",
        str,
        "Comma-separated recipients (email:ADDR, webhook:URL) of the high-priority and "
        "fast-spreading-story alerts (empty: those alerts are not sent).",
    ),
    Setting(
        "alert_spread_outlets",
        3,
        _positive_int,
        "A story spreads fast when this many outlets carry it within MONITOR_ALERT_SPREAD_HOURS.",
    ),
    Setting("alert_spread_hours", 6.0, _positive_float, "The window of a fast-spreading story."),
    Setting(
        "alert_quiet_hours",
        "",
        _quiet_hours,
        "Local hours when no alert is sent, e.g. 22:00-06:00 (held, sent when they end).",
    ),
    Setting(
        "alert_retry_seconds",
        60,
        _positive_int,
        "First wait before a failed alert is retried (doubles each time, at most one hour).",
    ),
    Setting("alert_max_attempts", 8, _positive_int, "Attempts before an alert is marked failed."),
    Setting(
        "webhook_secret",
        "",
        str,
        "Key of the X-Monitor-Signature HMAC-SHA256 header of webhook alerts (empty: unsigned).",
        secret=True,
    ),
    Setting(
        "dashboard_url",
        "",
        str,
        "The dashboard's address as users reach it (links in alerts), e.g. https://giamsat.example.vn",
    ),
    # -- operations service
    Setting("crawl_tick_seconds", 30, _positive_int, "Seconds between looks for due sources."),
    Setting("classify_tick_seconds", 60, _positive_int, "How often the service scores new items."),
    Setting(
        "adaptive_max_factor",
        4.0,
        _positive_float,
        "A source that publishes rarely is polled up to this many times its interval apart.",
    ),
    Setting(
        "retention_days",
        180,
        _positive_int,
        "Full texts of irrelevant items older than this are purged (metadata kept).",
    ),
    Setting("backup_dir", "backups", str, "Directory of the nightly SQLite backups."),
    Setting("backup_keep", 7, _positive_int, "Nightly backups kept (older ones are deleted)."),
    Setting("digest_dir", "digests", str, "Directory where the service writes weekly digests."),
    Setting(
        "volume_change_factor",
        3.0,
        _positive_float,
        "Alert when a source's weekly volume falls below mean/F or rises above mean*F.",
    ),
    Setting(
        "volume_min_weekly",
        10.0,
        _positive_float,
        "Volume alerts only for sources with at least this many items a week on average.",
    ),
    Setting(
        "queue_url",
        "",
        str,
        "Broker of the multi-machine mode (amqp://user:pw@host:5672/%2f); empty: one machine.",
        secret=True,
    ),
    Setting(
        "lease_seconds",
        30.0,
        _positive_float,
        "A crawl lease not renewed for this long is free: a dead worker's source is taken over.",
    ),
    Setting(
        "disk_min_free_mb",
        200,
        _positive_int,
        "/healthz reports 'disk full' when the database's disk has less free space than this.",
    ),
    Setting(
        "shutdown_grace_seconds",
        10.0,
        _positive_float,
        "On SIGTERM, in-flight jobs get this long to reach a clean stopping point.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def with_overrides(self, **overrides: Any) -> Settings:
        merged = dict(self.values)
        for name, value in overrides.items():
            if name not in _BY_NAME:
                raise ConfigError(f"unknown setting {name!r}")
            if value is not None:
                merged[name] = value
        return Settings(merged)

    def describe(self) -> list[tuple[str, str, str]]:
        """(name, shown value, help) per setting, secrets masked."""
        rows = []
        for setting in SETTINGS:
            value = self.values[setting.name]
            shown = str(value)
            if setting.secret and value:
                shown = mask_url(shown) if "://" in shown else "***"
            rows.append((setting.name, shown, setting.help))
        return rows


_SECRET_PARAM = re.compile(r"pass|pwd|secret|token|key|auth|cred", re.I)


def mask_url(value: str) -> str:
    """Hide every secret in a URL: the password of ``user:pw@host`` and the value of any query
    parameter named like a secret (``?password=``, ``sslpassword``, ``token``, ``api_key``...)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        creds, host = netloc.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in creds else f"{user}@{host}"
    query = "&".join(
        f"{name}=***" if _SECRET_PARAM.search(name) else (f"{name}={val}" if sep else name)
        for name, sep, val in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    rebuilt = f"{parts.scheme}://{netloc}{parts.path}" if "://" in value else value
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return rebuilt + (f"?{query}" if query else "") + fragment


def read_config_file(path: str | Path) -> dict[str, str]:
    """Settings from a file of ``MONITOR_NAME=value`` lines (the systemd EnvironmentFile and
    docker --env-file format); blank lines and # comments are skipped, unknown names refused."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    known = {s.env for s in SETTINGS}
    values: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip().removeprefix("export ").strip()
        if not sep:
            raise ConfigError(f"{path}:{number}: expected MONITOR_NAME=value")
        if name not in known:
            raise ConfigError(
                f"{path}:{number}: {name} is not a setting (see `monitor config show`)"
            )
        values[name] = value.strip().strip('"').strip("'")
    return values


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    config_file: str | Path | None = None,
    **overrides: Any,
) -> Settings:
    """Read every setting, validating each one. Precedence: overrides (command-line flags),
    the environment, the settings file (``config_file`` or MONITOR_CONFIG), the default."""
    environ = os.environ if environ is None else environ
    config_file = config_file or environ.get("MONITOR_CONFIG") or None
    merged = dict(read_config_file(config_file)) if config_file else {}
    merged.update({k: v for k, v in environ.items() if k.startswith("MONITOR_")})
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = merged.get(setting.env)
        if raw is None or raw == "":
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={raw!r} is invalid: {exc}") from None
    return Settings(values).with_overrides(**overrides)
