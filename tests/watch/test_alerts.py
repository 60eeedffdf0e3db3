"""Watch rules and instant alerts against a real store, a real local SMTP server (aiosmtpd) and
a real local webhook receiver: once per item and rule, bursts grouped, retried with back-off,
held in quiet hours, failures visible."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from monitor.config import load_settings
from monitor.devserver import LocalServer, MailSink, Response
from monitor.store.tables import alert_deliveries, alert_events, audit_log, item_scores, sources
from monitor.vocabulary import OPERATOR, PermissionDenied, User
from monitor.watch.alerts import (
    backoff,
    deliver,
    delivery_counts,
    in_quiet_hours,
    match_new,
    resend,
    signature,
)
from monitor.watch.rules import RuleError, add_rule, list_rules, remove_rule, try_rule
from tests.review.seeding import NOW, Spec, seed

ANALYST = User(1, "anna", "analyst")
LEAD = User(2, "lan", "lead")
BEFORE = NOW - timedelta(days=1)  # rules made before the items were collected
BORDER = (
    "Tin đồn cửa khẩu Hữu Nghị đóng cửa vĩnh viễn",
    "Mạng xã hội lan truyền tin cửa khẩu Hữu Nghị sẽ đóng cửa; thông tin này sai.",
)
HOUSING = ("Khởi công nhà ở xã hội tại phường Đông Kinh", "Dự án 500 căn hộ cho công nhân.")


@pytest.fixture
def sink():
    with MailSink() as s:
        yield s


def _settings(engine, sink=None, **extra):
    mail = dict(smtp_host=sink.host, smtp_port=sink.port, smtp_tls="none",
                smtp_from="giamsat@soxd.langson.gov.vn") if sink else {}  # fmt: skip
    return load_settings({}, database_url=str(engine.url), **mail, **extra)


def _rule(engine, name="Cửa khẩu", query='"cửa khẩu" AND (đóng OR dong)', user=OPERATOR,
          notify=("email:phongtt@example.vn",), **filters):  # fmt: skip
    return add_rule(engine, user, name=name, query=query, notify=list(notify), now=BEFORE,
                    **filters)  # fmt: skip


def test_a_matching_item_is_mailed_once_even_when_scored_again(engine, sink) -> None:
    settings = _settings(engine, sink)
    _rule(engine)
    ids = seed(engine, [Spec(BORDER[0], text=BORDER[1]), Spec(HOUSING[0], text=HOUSING[1])])
    assert match_new(engine, settings, NOW).events == 1
    sent = deliver(engine, settings, NOW)
    assert sent.sent == 1 and sink.wait(1)
    mail = sink.messages[0]
    assert mail["To"] == "phongtt@example.vn" and "«Cửa khẩu»" in mail["Subject"]
    body = mail.get_content()
    assert BORDER[0] in body and "khớp quy tắc «Cửa khẩu»" in body and HOUSING[0] not in body
    # Scored again (a retrained model): the item is not announced a second time.
    with engine.begin() as conn:
        conn.execute(update(item_scores).where(item_scores.c.item_id == ids[0])
                     .values(scored_at=NOW + timedelta(minutes=5)))  # fmt: skip
    assert match_new(engine, settings, NOW + timedelta(minutes=6)).events == 0
    assert deliver(engine, settings, NOW + timedelta(minutes=6)).sent == 0
    assert len(sink.messages) == 1


def test_a_burst_is_one_message_per_recipient(engine, sink) -> None:
    settings = _settings(engine, sink)
    _rule(engine, notify=("email:a@example.vn", "email:b@example.vn"))
    seed(engine, [Spec(f"{BORDER[0]} ({n})", text=BORDER[1]) for n in range(5)])
    assert match_new(engine, settings, NOW).events == 10
    assert deliver(engine, settings, NOW).sent == 2
    assert sink.wait(2)
    assert sorted(m["To"] for m in sink.messages) == ["a@example.vn", "b@example.vn"]
    assert all("5 cảnh báo" in m["Subject"] for m in sink.messages)


def test_rules_only_announce_what_is_collected_after_them(engine, sink) -> None:
    settings = _settings(engine, sink)
    seed(engine, [Spec(BORDER[0], text=BORDER[1])])
    add_rule(engine, OPERATOR, name="Muộn", query="cửa khẩu", notify=["email:x@example.vn"],
             now=NOW + timedelta(hours=1))  # fmt: skip
    assert match_new(engine, settings, NOW).events == 0
    assert try_rule(engine, "Muộn", now=NOW).total == 1  # but `test` shows it


def test_filters(engine, sink) -> None:
    settings = _settings(engine, sink)
    second = Spec(BORDER[0] + " (2)", source="baomoi", text=BORDER[1], cluster=0)
    seed(engine, [Spec(BORDER[0], text=BORDER[1], relevant=False), second])
    _rule(engine, "Nhãn", "cửa khẩu", label="hostile")
    _rule(engine, "Tầm", "cửa khẩu", min_reach=2)
    _rule(engine, "Nguồn", "cửa khẩu", source="baomoi")
    _rule(engine, "Liên quan", "cửa khẩu", relevant_only=True)
    match_new(engine, settings, NOW)
    with engine.connect() as conn:
        fired = sorted(conn.scalars(select(alert_events.c.rule_name)))
    # label: neither is hostile; reach 2: both (one story, two outlets); source: the second;
    # relevant only: the second.
    assert fired == ["Liên quan", "Nguồn", "Tầm", "Tầm"]


def test_an_unreachable_mail_server_keeps_the_alert_and_retries_with_back_off(engine) -> None:
    with MailSink() as probe:
        dead_port = probe.port
    settings = _settings(engine, None, smtp_host="127.0.0.1", smtp_port=dead_port,
                         smtp_tls="none", smtp_from="giamsat@example.vn",
                         alert_max_attempts=3)  # fmt: skip
    _rule(engine)
    seed(engine, [Spec(BORDER[0], text=BORDER[1])])
    match_new(engine, settings, NOW)
    first = deliver(engine, settings, NOW)
    assert first.retrying == 1 and first.sent == 0
    with engine.connect() as conn:
        row = conn.execute(select(alert_deliveries)).one()
    assert row.state == "pending" and row.attempts == 1 and "Connection refused" in row.last_error
    assert row.next_attempt_at == NOW + backoff(settings, 1)
    assert deliver(engine, settings, NOW + timedelta(seconds=10)).retrying == 0  # not yet due
    later = NOW + timedelta(hours=2)
    deliver(engine, settings, later)
    assert deliver(engine, settings, later + timedelta(hours=2)).failed == 1
    with engine.connect() as conn:
        assert delivery_counts(conn)["failed"] == 1
        assert conn.execute(select(alert_deliveries.c.attempts)).scalar() == 3
    # The server comes back: "send again" delivers it, with the same content.
    with MailSink(port=dead_port) as sink:
        assert resend(engine, row.id, LEAD, later)
        assert not resend(engine, row.id, LEAD, later)  # pending now, not failed
        assert deliver(engine, settings, later + timedelta(hours=3)).sent == 1
        assert sink.wait(1) and BORDER[0] in sink.messages[0].get_content()


def test_back_off_doubles_up_to_an_hour() -> None:
    settings = load_settings({}, alert_retry_seconds=60)
    assert [backoff(settings, n).total_seconds() for n in (1, 2, 3, 7, 20)] == [
        60, 120, 240, 3600, 3600]  # fmt: skip


def test_quiet_hours_hold_alerts_until_they_end(engine, sink) -> None:
    settings = _settings(engine, sink, alert_quiet_hours="22:00-06:00")
    _rule(engine)
    seed(engine, [Spec(BORDER[0], text=BORDER[1])])
    night = NOW.replace(hour=16)  # 23:00 in Lạng Sơn
    match_new(engine, settings, night)
    assert deliver(engine, settings, night).held
    with engine.connect() as conn:
        assert delivery_counts(conn)["waiting_events"] == 1
    morning = NOW.replace(hour=23, minute=30)  # 06:30
    assert deliver(engine, settings, morning).sent == 1 and sink.wait(1)
    assert in_quiet_hours("22:00-06:00", NOW.replace(hour=22, minute=59))  # 05:59
    assert not in_quiet_hours("12:00-13:00", NOW.replace(hour=4))  # 11:00


def test_webhook_payload_signature_and_failures(engine) -> None:
    received = []

    def hook(request):
        received.append(request)
        return Response(204) if len(received) > 1 else Response(503, b"busy")

    with LocalServer() as relay:
        relay.route("/hook", hook)
        settings = load_settings({}, database_url=str(engine.url), webhook_secret="k" * 32)
        url = relay.url("/hook") + "?token=s3cret"
        _rule(engine, notify=(f"webhook:{url}",), user=LEAD)
        seed(engine, [Spec(BORDER[0], text=BORDER[1])])
        match_new(engine, settings, NOW)
        assert deliver(engine, settings, NOW).retrying == 1
        with engine.connect() as conn:
            error = conn.execute(select(alert_deliveries.c.last_error)).scalar()
        assert "503" in error and "s3cret" not in error
        assert deliver(engine, settings, NOW + timedelta(minutes=5)).sent == 1
    first, second = received
    assert first.body == second.body  # a retry sends the same delivery
    payload = json.loads(second.body)
    assert payload["type"] == "monitor.alerts" and payload["version"] == 1
    assert payload["delivery_id"] == int(second.headers["x-monitor-delivery"])
    [alert] = payload["alerts"]
    assert alert["trigger"] == "rule" and alert["rule"] == "Cửa khẩu"
    assert alert["item"]["title"] == BORDER[0] and alert["item"]["channel"] == "crawl"
    assert second.headers["x-monitor-signature"] == signature("k" * 32, second.body)


def test_high_priority_and_spreading_stories_alert_the_configured_recipients(engine, sink) -> None:
    settings = _settings(engine, sink, alert_notify="email:truc@example.vn",
                         alert_spread_outlets=3, alert_spread_hours=6)  # fmt: skip
    seed(engine, [
        Spec("Tin sai về cao tốc", source="a", score=0.97, hours_ago=2),
        Spec("Tin sai về cao tốc (2)", source="b", cluster=0, hours_ago=1.5),
        Spec("Tin sai về cao tốc (3)", source="c", cluster=0, hours_ago=1),
        Spec("Tin cũ một nguồn", source="a", score=0.6, hours_ago=200),
    ])  # fmt: skip
    summary = match_new(engine, settings, NOW)
    assert summary.by_trigger["spread"] == 1
    assert summary.by_trigger["priority"] == 3  # fresh, strong and carried by three outlets
    assert deliver(engine, settings, NOW).sent == 1 and sink.wait(1)
    body = sink.messages[0].get_content()
    assert "lan nhanh: 3 nguồn trong 6 giờ" in body and "Tin cũ một nguồn" not in body


def test_rules_are_checked_and_errors_say_what_is_wrong(engine) -> None:
    seed(engine, [Spec(BORDER[0], text=BORDER[1])])
    with pytest.raises(RuleError, match="at character 9"):
        _rule(engine, query="cửa khẩu)")
    with pytest.raises(RuleError, match="not an email"):
        _rule(engine, notify=("email:không-phải-thư",))
    with pytest.raises(RuleError, match="email:ADDRESS or webhook:URL"):
        _rule(engine, notify=("sms:0912345678",))
    with pytest.raises(RuleError, match="label"):
        _rule(engine, label="rumour")
    with pytest.raises(RuleError, match="neither a source id nor a tag"):
        _rule(engine, source="khong-co")
    with pytest.raises(PermissionDenied):
        _rule(engine, user=ANALYST, notify=("webhook:https://relay.example.vn/h",))
    _rule(engine, user=ANALYST)
    with pytest.raises(RuleError, match="already have"):
        _rule(engine, user=ANALYST)
    _rule(engine, user=LEAD)  # another owner may use the name
    with engine.connect() as conn:
        assert [(r.owner, r.name) for r in list_rules(conn)] == [("anna", "Cửa khẩu"),
                                                                  ("lan", "Cửa khẩu")]  # fmt: skip
    with pytest.raises(RuleError, match="several rules"):
        remove_rule(engine, OPERATOR, "Cửa khẩu")
    with pytest.raises(PermissionDenied):
        remove_rule(engine, ANALYST, "Cửa khẩu", owner="lan")
    remove_rule(engine, ANALYST, "Cửa khẩu", owner="anna")
    with engine.connect() as conn:
        actions = list(conn.scalars(select(audit_log.c.action).order_by(audit_log.c.id)))
    assert actions == ["watch_add", "watch_add", "watch_remove"]


def test_the_service_tick_that_scores_an_item_sends_its_alert(engine, sink, tmp_path) -> None:
    """Stored, then scored by the service's classify job with the bundled model: the alert
    leaves in that same tick."""
    from monitor.service.jobs import ServiceContext, classify_items

    settings = _settings(engine, sink, evidence_dir=str(tmp_path / "evidence"))
    _rule(engine)
    seed(engine, [Spec(BORDER[0], text=BORDER[1], flagged=None)])  # collected, not scored yet
    with engine.begin() as conn:  # the sources file's entry, which evidence capture reads
        conn.execute(
            update(sources)
            .where(sources.c.id == "baolangson")
            .values(
                config=json.dumps(
                    {"id": "baolangson", "name": "Báo Lạng Sơn", "url": "https://baolangson.vn/"}
                )
            )
        )
    detail = classify_items(ServiceContext(engine, settings))
    assert "alerts_matched=1 alerts_sent=1" in detail
    assert sink.wait(1) and BORDER[0] in sink.messages[0].get_content()


def test_a_long_vietnamese_subject_keeps_its_spaces(engine, sink) -> None:
    settings = _settings(engine, sink)
    name = "Cửa khẩu Hữu Nghị đóng cửa vĩnh viễn, tin đồn trên mạng xã hội"
    _rule(engine, name=name)
    seed(engine, [Spec(BORDER[0], text=BORDER[1])])
    match_new(engine, settings, NOW)
    assert deliver(engine, settings, NOW).sent == 1 and sink.wait(1)
    assert sink.messages[0]["Subject"] == f"[Giám sát] 1 cảnh báo: «{name}»"


def test_webhook_addresses_are_shown_without_their_secrets() -> None:
    from monitor.watch.alerts import shown_target

    assert shown_target("webhook:https://relay.vn/hook?token=abc") == (
        "webhook:https://relay.vn/hook?token=***"
    )
    assert shown_target("webhook:https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeof/send"
                        ) == "webhook:https://api.telegram.org/***/send"  # fmt: skip
    assert shown_target("email:a@example.vn") == "email:a@example.vn"
