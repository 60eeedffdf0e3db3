"""The store's tables (SQLAlchemy Core). The schema itself is created only by migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite needs INTEGER PRIMARY KEY for its rowid alias; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; returns aware UTC datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),  # as configured
    Column("feed_url", Text, nullable=False),  # current address (permanent redirects)
    Column("type", String(16), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("in_config", Boolean, nullable=False),  # false once removed from sources.yaml
    # The Department's own channel (sources.yaml own: true): its output, never flagged; 0016
    Column("own", Boolean, nullable=False, server_default=false()),
    Column("interval_minutes", Integer, nullable=False),
    Column("tags", Text, nullable=False, default="[]"),
    Column("config", Text, nullable=False, default="{}"),  # the whole entry of sources.yaml
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_status", String(16), nullable=False, default="never"),
    Column("last_http_status", Integer),
    Column("last_error", Text),
    Column("last_warning", Text),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_checked_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("next_check_at", UTCDateTime(), index=True),
    # What the last full read said about the feed's rhythm (kept across 304 answers); 0012
    Column("publish_gap_minutes", Float),
    Column("feed_ttl_minutes", Integer),
    Column("last_new_item_at", UTCDateTime()),
    Column("item_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False),
    Column("guid", Text),
    Column("guid_hash", String(64)),  # sha256 of the GUID, unique per source
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("url_hash", String(64), nullable=False),  # sha256 of canonical_url, unique
    Column("content_hash", String(64), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("text_method", String(32), nullable=False),
    Column("published_at", UTCDateTime(), index=True),
    Column("date_source", String(16)),
    Column("fetched_at", UTCDateTime(), nullable=False, index=True),
    Column("language", String(8)),
    Column("relevant", Boolean, nullable=False, index=True),  # place_relevant OR sector_relevant
    # JSON list of {term, kind, count, topic, zones, spans} (monitor.records.Match)
    Column("matches", Text, nullable=False, default="[]"),
    # Server defaults (as in migration 0007), so rows written without them stay valid.
    Column("place_relevant", Boolean, nullable=False, server_default=false()),  # Lạng Sơn
    Column("sector_relevant", Boolean, nullable=False, server_default=false()),  # the sector
    Column("relevance_score", Float),  # the sector score in [0, 1); NULL before revision 0007
    Column("relevance_reason", Text, nullable=False, server_default=""),  # one line, Vietnamese
    Column("relevance_rules", String(16)),  # version of the gazetteer and lexicon that answered
    Column("cluster_id", BigInteger, index=True),
    Column("fingerprint", LargeBinary),
    Column("fetch_error", Text),  # why the article page could not be used, if it could not
    Column("page_status", String(16)),  # PAGE_STATUSES (monitor/records.py); 0012
    Column("article_etag", Text),
    Column("article_last_modified", Text),
    # crawl, or tip (submitted by a person, source "tip"; see the tips table); 0015
    Column("channel", String(8), nullable=False, server_default="crawl"),
    UniqueConstraint("url_hash"),
    UniqueConstraint("source_id", "guid_hash"),
    UniqueConstraint("source_id", "content_hash"),
)

source_events = Table(
    "source_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("level", String(8), nullable=False),  # error, warning, info
    Column("message", Text, nullable=False),
    Column("url", Text),
    Column("http_status", Integer),
    Index(None, "source_id", "at"),
)

# -- classification and review ----------------------------------------------------------------
item_scores = Table(
    "item_scores",
    metadata,
    Column("item_id", Id, ForeignKey("items.id"), primary_key=True),
    Column("model_version", String(64), nullable=False),
    Column("label", String(32), nullable=False),  # the most probable label
    Column("scores", Text, nullable=False),  # JSON {label: probability}
    Column("flags", Text, nullable=False, default="[]"),  # review labels over their threshold
    Column("flagged", Boolean, nullable=False, index=True),
    Column("evidence", Text, nullable=False, default="{}"),  # JSON {label: [phrase, weight...]}
    # JSON {label: [{name, weight, value, detail}]}: nearest labelled examples, writing style
    Column("signals", Text, nullable=False, default="{}", server_default="{}"),
    Column("reasons", Text, nullable=False, server_default="{}"),  # JSON {label: one sentence}
    Column("uncertainty", Float, nullable=False, index=True),  # for active learning
    Column("narrative_of", BigInteger),  # an earlier confirmed item this one repeats
    Column("narrative_similarity", Float),
    Column("scored_at", UTCDateTime(), nullable=False),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("verdict", String(32), nullable=False),  # see monitor.flag.VERDICT_LABELS
    Column("label", String(32)),  # what the classifier learns from it (None: nothing)
    Column("reason", Text, nullable=False, default=""),
    Column("analyst", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
)

# -- review dashboard (migration 0003) --------------------------------------------------------
# Users, the append-only audit log, assignments, lead sign-offs, login attempts (rate limiting
# shared by every process), small key/value settings (the session secret, index watermarks),
# the accent-free search key of every item and the derived review state the queue reads.
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # analyst, lead, writer, admin
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_login_at", UTCDateTime()),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False, index=True),
    Column("entity", String(32), nullable=False),  # item, user, source...
    Column("entity_id", String(64), nullable=False),
    Column("before", Text),  # JSON, None when the thing did not exist
    Column("after", Text),  # JSON
    Index(None, "entity", "entity_id"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("assignee", String(64)),  # None: unassigned
    Column("assigned_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("verdict_id", Id, ForeignKey("verdicts.id"), nullable=False),
    Column("lead", String(64), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("success", Boolean, nullable=False),
    Index(None, "username", "at"),
    Index(None, "client", "at"),
)

# Dashboard sessions (migration 0010): the cookie carries a random token, the row its hash.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
)

# The writers' own sections of a report, by report, period and section (migration 0011).
report_texts = Table(
    "report_texts",
    metadata,
    Column("report", String(16), primary_key=True),  # yearly
    Column("period", String(16), primary_key=True),  # 2026
    Column("section", String(32), primary_key=True),  # results, limits, causes, directions
    Column("body", Text, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

item_search = Table(
    "item_search",
    metadata,
    Column("item_id", Id, ForeignKey("items.id"), primary_key=True, autoincrement=False),
    Column("key", Text, nullable=False),  # fold_key(title + text): accent-free, lower case
)

review_state = Table(
    "review_state",
    metadata,
    Column("item_id", Id, ForeignKey("items.id"), primary_key=True, autoincrement=False),
    Column("cluster_id", BigInteger, nullable=False, index=True),
    Column("source_id", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("label", String(32)),
    Column("score", Float, nullable=False, default=0.0),
    Column("reach", Integer, nullable=False, default=1),
    Column("priority", Float, nullable=False, default=0.0),  # log-space, see monitor.review
    Column("assignee", String(64), index=True),
    Column("seen_at", UTCDateTime(), nullable=False, index=True),  # published, else fetched
    Column("updated_at", UTCDateTime(), nullable=False),
    Index(None, "status", "priority"),
    Index(None, "priority"),
)

# The review index reads scores written since its last refresh (monitor.store.review_index).
Index("ix_item_scores_scored_at", item_scores.c.scored_at)


# -- respond and report (migration 0004) ------------------------------------------------------
# The fact base rebuttals cite, the versioned drafts and the response cases (a rebuttal of a
# confirmed distorted story, or criticism routed to an office). Nothing here is ever sent to an
# outlet by the program: a person records what was sent, when and what came back.
facts = Table(
    "facts",
    metadata,
    Column("id", String(64), primary_key=True),  # stable, cited in drafts: "XD-2020-01"
    Column("statement", Text, nullable=False),  # Vietnamese, one or two sentences
    Column("doc_number", String(64), nullable=False),  # "125/QĐ-UBND"
    Column("doc_date", Date, nullable=False),
    Column("issuer", Text, nullable=False),
    Column("link", Text, nullable=False, default=""),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),  # None: still valid
    Column("topics", Text, nullable=False, default="[]"),  # JSON list of strings
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),  # Markdown, the text a person edits
    Column("claims", Text, nullable=False, default="[]"),  # JSON: claims, facts and scores
    Column("fact_ids", Text, nullable=False, default="[]"),  # JSON: every fact cited
    Column("unmatched", Integer, nullable=False, default=0),  # claims left for the analyst
    Column("author", String(64), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    # Who compared every citation with the document it names, and when (migration 0017); a
    # rebuttal case is approved only on a checked version.
    Column("checked_by", String(64)),
    Column("checked_at", UTCDateTime()),
    UniqueConstraint("item_id", "version"),
)

response_cases = Table(
    "response_cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # rebuttal, criticism
    Column("channel", String(32)),  # press_release, portal_post, correction_request
    Column("office", Text),  # criticism: the office it was routed to
    Column("status", String(16), nullable=False, index=True),
    Column("draft_id", Id, ForeignKey("drafts.id")),
    Column("approved_by", String(64)),
    Column("approved_at", UTCDateTime()),
    Column("sent_at", UTCDateTime()),
    Column("answer", Text),  # the outlet's answer, or the office's
    Column("answered_at", UTCDateTime()),
    Column("correction_url", Text),
    Column("correction_at", UTCDateTime()),
    Column("note", Text, nullable=False, default=""),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("due_on", Date),  # criticism: the office answers by this (local) day
    Column("answer_url", Text),  # criticism: where the answer was published
    Column("score", Float),  # criticism: the item's criticism score when it was routed
    # correction or removal request: acted on by then, or overdue (migration 0014)
    Column("request_due_at", UTCDateTime()),
    UniqueConstraint("item_id", "kind"),
)

# -- operations service (migration 0005) ------------------------------------------------------
# APScheduler's job store (the exact shape SQLAlchemyJobStore expects, so it accepts the table
# made here instead of creating its own), one row per job run (a job done once per period),
# leases (one crawler per source across machines, the scheduler's heartbeat) and alerts.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    metadata,
    Column("id", String(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

service_runs = Table(
    "service_runs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("period", String(64), primary_key=True),  # e.g. 2026-W48 for the weekly digest
    Column("status", String(16), nullable=False),  # running, done, failed
    Column("holder", String(128), nullable=False),  # host:pid that ran it
    Column("detail", Text, nullable=False, default=""),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("duration_ms", Integer),
    Index(None, "job", "started_at"),
)

service_leases = Table(
    "service_leases",
    metadata,
    Column("name", String(128), primary_key=True),  # source:<id>, scheduler
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

service_alerts = Table(
    "service_alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # silent, volume_drop, volume_spike
    Column("message", Text, nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime(), index=True),
    Index(None, "source_id", "kind"),
)

# Evidence captures (migration 0014): files written once under MONITOR_EVIDENCE_DIR.
evidence_captures = Table(
    "evidence_captures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("captured_at", UTCDateTime(), nullable=False),
    Column("captured_by", String(64), nullable=False),
    Column("reason", String(32), nullable=False),  # flagged, confirmed, changed, manual
    Column("status", String(16), nullable=False),  # ok, failed (the page could not be fetched)
    Column("http_status", Integer),
    Column("problem", Text),
    Column("path", Text, nullable=False),  # relative to the evidence directory
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("token_path", Text),  # the RFC 3161 token beside it (MONITOR_TSA_URL), if any
    Column("token_time", UTCDateTime()),  # the authority's genTime
)

# Re-checks of confirmed items (migration 0014): is the page still there?
evidence_checks = Table(
    "evidence_checks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("checked_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),  # live, changed, removed, unreachable
    Column("http_status", Integer),
    Column("detail", Text, nullable=False),
    Column("capture_id", BigInteger),  # the new capture when the page changed
)

# -- watch rules, alerts, tips (migration 0015) -----------------------------------------------
# A saved search: query (monitor.watch.query), filters, and whom to notify (JSON list of
# "email:ADDR" / "webhook:URL").
watch_rules = Table(
    "watch_rules",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False),  # a user's name, or "cli"
    Column("name", String(120), nullable=False),
    Column("query", Text, nullable=False),
    Column("label", String(32)),  # only items scored with this label over its threshold
    Column("source", String(64)),  # a source id or one of the sources' tags
    Column("min_reach", Integer, nullable=False, server_default="0"),  # outlets in the story
    Column("relevant_only", Boolean, nullable=False, server_default=false()),
    Column("notify", Text, nullable=False, server_default="[]"),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("owner", "name"),
)

# One message to one recipient, grouping the events of a burst; retried with back-off.
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("target", Text, nullable=False),  # email:ADDR or webhook:URL
    Column("state", String(16), nullable=False, index=True),  # pending, sent, failed
    Column("subject", Text, nullable=False),
    Column("events", Integer, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime()),  # pending: not before this (back-off, quiet hours)
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
)

# What matched: a rule (rule:<id>), a high priority (priority) or a fast story (spread), for one
# item and one recipient, once.
alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("trigger", String(16), nullable=False),  # rule, priority, spread
    Column("rule_key", String(64), nullable=False),
    Column("rule_name", Text, nullable=False),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False),
    Column("target", Text, nullable=False),
    Column("reason", Text, nullable=False),  # one line in Vietnamese
    Column("matched_at", UTCDateTime(), nullable=False),
    Column("delivery_id", BigInteger, index=True),  # None: not handed to a delivery yet
    UniqueConstraint("rule_key", "item_id", "target"),
)

# Items submitted by people: where and when they were seen, by whom, through what.
tips = Table(
    "tips",
    metadata,
    Column("item_id", Id, ForeignKey("items.id"), primary_key=True, autoincrement=False),
    Column("seen_on", String(16), nullable=False),  # monitor.vocabulary.PLATFORMS
    Column("seen_at", UTCDateTime()),
    Column("submitted_by", String(64), nullable=False),  # user name, or token:<name>
    Column("via", String(8), nullable=False),  # cli, web, api
    Column("note", Text, nullable=False, server_default=""),
    Column("image_sha256", String(64)),
    Column("image_path", Text),  # relative to the evidence directory
    Column("image_type", String(32)),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Bearer tokens for partner systems (scope "tips"); only the SHA-256 of a token is kept.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", String(16), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
)

# -- the Department's own voice (migration 0016) -----------------------------------------------
# Derived: what outlets carried of each own post (the same story, or a quoted passage).
own_uptake = Table(
    "own_uptake",
    metadata,
    Column("own_item_id", Id, ForeignKey("items.id"), primary_key=True, autoincrement=False),
    Column(
        "item_id", Id, ForeignKey("items.id"), primary_key=True, autoincrement=False, index=True
    ),
    Column("source_id", String(64), nullable=False),  # the outlet that carried it
    Column("how", String(8), nullable=False),  # story, quote
    Column("lag_hours", Float),  # from the own post to the outlet's item (seen times)
    Column("found_at", UTCDateTime(), nullable=False),
)

# What no crawler sees: press work, delegations, cooperation, training (ACTIVITY_KINDS).
activities = Table(
    "activities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False, index=True),  # local date
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("place", Text, nullable=False, server_default=""),
    Column("participants", Text, nullable=False, server_default=""),
    Column("partner", Text, nullable=False, server_default=""),  # e.g. a Guangxi locality
    Column("note", Text, nullable=False, server_default=""),
    Column("item_ids", Text, nullable=False, server_default="[]"),  # JSON list of item ids
    Column("case_ids", Text, nullable=False, server_default="[]"),  # JSON list of case ids
    Column("origin", Text, nullable=False, server_default=""),  # dashboard, or the file imported
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("day", "kind", "title"),
)

activity_attachments = Table(
    "activity_attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("activity_id", Id, ForeignKey("activities.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("path", Text, nullable=False),  # relative to the evidence directory, written once
    Column("added_by", String(64), nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
)

# The year's plan: a target per kind of output or activity (PLAN_KEYS).
plan_targets = Table(
    "plan_targets",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("key", String(32), primary_key=True),
    Column("target", Integer, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
