"""The watch page ("Theo dõi & cảnh báo") against a real store: rules added, paused, tested and
deleted through the forms by analysts and leads, CSRF and permissions enforced on the server,
errors in Vietnamese with the query's position, hostile names escaped, the deliveries with
"send again", the overview's warning and the /metrics gauges."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.store.tables import alert_deliveries, alert_events, audit_log, watch_rules
from tests.review.seeding import Spec, seed

BORDER = Spec(
    "Tin đồn cửa khẩu Hữu Nghị đóng cửa vĩnh viễn",
    text="Mạng xã hội lan truyền tin cửa khẩu Hữu Nghị sẽ đóng cửa; thông tin này sai.",
)
HOUSING = Spec("Khởi công nhà ở xã hội tại phường Đông Kinh", text="Dự án 500 căn hộ.",
               label="neutral", flagged=False)  # fmt: skip
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_QUERY = '"<img src=x onerror=alert(2)>" OR cửa'


def _form(client, **fields) -> dict[str, str]:
    data = {"csrf_token": client.csrf, "name": "Cửa khẩu",
            "query": '"cửa khẩu" AND (đóng OR dong)', "label": "", "source": "",
            "min_reach": "0", "notify": "email:phongtt@example.vn"}  # fmt: skip
    data.update(fields)
    return data


def _add(client, **fields):
    return client.post("/watch/rules", data=_form(client, **fields), follow_redirects=False)


def _rules(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.name: dict(r._mapping) for r in conn.execute(select(watch_rules))}


def _actions(engine) -> list[str]:
    with engine.connect() as conn:
        found = conn.scalars(select(audit_log.c.action).order_by(audit_log.c.id))
        return [a for a in found if a.startswith(("watch_", "alert_"))]


def _error(html: str) -> str:
    found = re.search(r'id="watch-error">(.*?)</div>', html, re.S)
    assert found, "no error shown"
    return found.group(1)


def test_analyst_adds_tests_pauses_resumes_and_deletes_a_rule(engine, client_as) -> None:
    border, housing = seed(engine, [BORDER, HOUSING], now=datetime.now(UTC))
    client = client_as("analyst")
    page = client.get("/watch")
    assert page.status_code == 200 and "Theo dõi &amp; cảnh báo" in page.text
    assert 'href="/watch" class="on"' in page.text  # in the navigation
    assert 'name="notify"' in page.text and ">email:</textarea>" in page.text  # the hint
    assert "webhook:https" not in page.text  # webhooks are not offered to analysts

    added = _add(client, label="distorted", relevant_only="1")
    assert added.status_code == 303 and added.headers["location"] == "/watch?done=added"
    rule = _rules(engine)["Cửa khẩu"]
    assert rule["owner"] == "analyst" and rule["label"] == "distorted" and rule["relevant_only"]
    listed = client.get("/watch?done=added").text
    assert "Đã thêm quy tắc." in listed and f'data-rule="{rule["id"]}"' in listed
    assert "&#34;cửa khẩu&#34; AND (đóng OR dong)" in listed and "Xuyên tạc" in listed
    assert "email:phongtt@example.vn" in listed and "Đang bật" in listed

    tested = client.get(f"/watch/rules/{rule['id']}/test")
    assert tested.status_code == 200
    assert f'href="/items/{border}"' in tested.text and f"/items/{housing}" not in tested.text
    assert "Trong 30 ngày qua: đã xét 2 bài, 1 bài khớp quy tắc." in tested.text

    base = f"/watch/rules/{rule['id']}"
    paused = client.post(f"{base}/active", data={"csrf_token": client.csrf, "active": "0"},
                         follow_redirects=False)  # fmt: skip
    assert paused.status_code == 303 and not _rules(engine)["Cửa khẩu"]["active"]
    assert "Bật lại" in client.get("/watch").text
    client.post(f"{base}/active", data={"csrf_token": client.csrf, "active": "1"})
    assert _rules(engine)["Cửa khẩu"]["active"]

    deleted = client.post(f"{base}/delete", data={"csrf_token": client.csrf},
                          follow_redirects=False)  # fmt: skip
    assert deleted.status_code == 303 and deleted.headers["location"] == "/watch?done=removed"
    assert _rules(engine) == {}
    assert "Chưa có quy tắc theo dõi nào." in client.get("/watch").text
    assert _actions(engine) == ["watch_add", "watch_pause", "watch_resume", "watch_remove"]


def test_lead_adds_a_webhook_and_manages_everyones_rules(engine, client_as) -> None:
    analyst, lead = client_as("analyst"), client_as("lead")
    assert _add(analyst).status_code == 303
    page = lead.get("/watch").text
    assert "webhook:https" in page  # offered to leads
    hook = "webhook:https://relay.example.vn/zalo?token=bi-mat-123"
    added = _add(lead, name="Nhà ở", query="nha o xa hoi", notify=f"email:lan@example.vn\n{hook}")
    assert added.status_code == 303
    rules = _rules(engine)
    assert rules["Nhà ở"]["owner"] == "lead"
    listed = lead.get("/watch").text
    assert "bi-mat-123" not in listed and "token=***" in listed  # the secret is masked
    assert "<th>Người tạo</th>" in listed and ">analyst</td>" in listed  # everyone's, with owner
    analyst_rule = rules["Cửa khẩu"]["id"]
    assert lead.get(f"/watch/rules/{analyst_rule}/test").status_code == 200
    paused = lead.post(f"/watch/rules/{analyst_rule}/active",
                       data={"csrf_token": lead.csrf, "active": "0"},
                       follow_redirects=False)  # fmt: skip
    assert paused.status_code == 303 and not _rules(engine)["Cửa khẩu"]["active"]
    assert lead.post(f"/watch/rules/{analyst_rule}/delete",
                     data={"csrf_token": lead.csrf}).status_code == 200  # fmt: skip
    assert set(_rules(engine)) == {"Nhà ở"}


def test_analyst_is_refused_webhooks_and_other_peoples_rules(engine, client_as) -> None:
    lead, analyst = client_as("lead"), client_as("analyst")
    assert _add(lead, name="Của lãnh đạo").status_code == 303
    lead_rule = _rules(engine)["Của lãnh đạo"]["id"]
    assert "Của lãnh đạo" not in analyst.get("/watch").text  # only one's own rules

    refused = _add(analyst, notify="webhook:https://relay.example.vn/hook")
    assert refused.status_code == 403
    assert "Chỉ lãnh đạo và quản trị viên được gửi cảnh báo tới webhook." in _error(refused.text)
    assert "webhook:https://relay.example.vn/hook</textarea>" in refused.text  # values kept
    assert set(_rules(engine)) == {"Của lãnh đạo"}

    for path, data in ((f"/watch/rules/{lead_rule}/active", {"active": "0"}),
                       (f"/watch/rules/{lead_rule}/delete", {})):  # fmt: skip
        answer = analyst.post(path, data={"csrf_token": analyst.csrf, **data})
        assert answer.status_code == 403, path
    assert analyst.get(f"/watch/rules/{lead_rule}/test").status_code == 403
    assert analyst.post("/watch/rules/999/delete", data={"csrf_token": analyst.csrf}
                        ).status_code == 404  # fmt: skip
    assert _rules(engine)["Của lãnh đạo"]["active"]
    assert _actions(engine) == ["watch_add"]


def test_every_write_needs_the_csrf_token(engine, client_as) -> None:
    client = client_as("lead")
    no_token = {k: v for k, v in _form(client).items() if k != "csrf_token"}
    assert client.post("/watch/rules", data=no_token).status_code == 403
    wrong = client.post("/watch/rules", data={**no_token, "csrf_token": "sai"})
    assert wrong.status_code == 403 and _rules(engine) == {}
    assert _add(client).status_code == 303
    rule = _rules(engine)["Cửa khẩu"]["id"]
    for path in (f"/watch/rules/{rule}/active", f"/watch/rules/{rule}/delete",
                 "/watch/deliveries/1/resend"):  # fmt: skip
        assert client.post(path, data={"active": "0"}).status_code == 403, path
    assert _rules(engine)["Cửa khẩu"]["active"]


def test_errors_are_vietnamese_name_the_position_and_keep_the_values(engine, client_as) -> None:
    client = client_as("analyst")
    bad = _add(client, name="Giữ tên", query="cửa khẩu AND", label="hostile", relevant_only="1",
               min_reach="3", notify="email:a@example.vn")  # fmt: skip
    assert bad.status_code == 400
    error = _error(bad.text)
    assert "Truy vấn có lỗi ở ký tự 13: thiếu từ hoặc cụm từ ở cuối." in error
    assert 'value="Giữ tên"' in bad.text and 'value="cửa khẩu AND"' in bad.text
    assert '<option value="hostile" selected>' in bad.text and 'value="3"' in bad.text
    assert 'name="relevant_only" value="1" checked' in bad.text
    assert "email:a@example.vn</textarea>" in bad.text

    quote = _add(client, query='nhà "ở xã hội')
    assert "ký tự 5: dấu ngoặc kép chưa được đóng." in _error(quote.text)
    assert "<mark>&#34;</mark>ở xã hội" in _error(quote.text)  # the query, marked
    paren = _add(client, query="(lừa đảo OR tuyển dụng")
    assert "ký tự 1: dấu mở ngoặc này chưa được đóng." in _error(paren.text)
    assert "ký tự 1: truy vấn cần ít nhất một từ" in _error(_add(client, query="NOT cầu").text)

    cases = {
        "email:khong-phai-email": "«email:khong-phai-email»: người nhận phải có dạng",
        "": "Hãy nhập ít nhất một người nhận",
        "email:": "Hãy nhập ít nhất một người nhận",
    }
    for notify, message in cases.items():
        answer = _add(client, notify=notify)
        assert answer.status_code == 400 and message in _error(answer.text), notify
    assert "không phải mã nguồn hay nhãn nguồn" in _error(_add(client, source="khong-co").text)
    assert "số nguyên từ 0" in _error(_add(client, min_reach="-1").text)
    assert "số nguyên từ 0" in _error(_add(client, min_reach="ba").text)
    assert "Tên quy tắc phải có" in _error(_add(client, name="  ").text)
    assert _add(client).status_code == 303
    taken = _add(client)
    assert taken.status_code == 400 and "Bạn đã có quy tắc tên «Cửa khẩu»" in _error(taken.text)
    assert "ký tự 5: dấu đóng ngoặc này không có" in _error(_add(client, query="cầu )").text)
    english = client.get("/watch?lang=en")
    assert "Watch &amp; alerts" in english.text
    again = _add(client, query="cầu OR OR đường")
    assert "The query has a problem at character 8: OR needs a word" in _error(again.text)


def test_hostile_rule_names_queries_and_errors_are_escaped(engine, client_as) -> None:
    seed(engine, [BORDER], now=datetime.now(UTC))
    client = client_as("lead")
    added = _add(client, name=HOSTILE_NAME, query=HOSTILE_QUERY)
    assert added.status_code == 303
    rule = _rules(engine)[HOSTILE_NAME]["id"]
    _deliveries(engine, [("email:phongtt@example.vn", "failed", '<img src=x onerror="alert(3)">')])
    for path in ("/watch", f"/watch/rules/{rule}/test"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    bad = _add(client, name=HOSTILE_NAME, query='<svg onload=alert(4)> "')
    assert "<svg" not in bad.text and "&lt;svg onload=alert(4)&gt;" in bad.text


def _deliveries(engine, rows, at: datetime | None = None) -> list[int]:
    """Delivery rows (target, state, last error), oldest first."""
    at = at or datetime.now(UTC) - timedelta(hours=1)
    ids = []
    with engine.begin() as conn:
        for n, (target, state, error) in enumerate(rows):
            ids.append(conn.execute(alert_deliveries.insert().values(
                target=target, state=state, subject=f"Cảnh báo {n}: <b>1 tin</b>", events=1,
                attempts=5 if state == "failed" else 1, last_error=error,
                next_attempt_at=at + timedelta(minutes=5) if state == "pending" else None,
                created_at=at + timedelta(minutes=n), sent_at=at if state == "sent" else None,
            )).inserted_primary_key[0])  # fmt: skip
    return ids


def test_deliveries_failed_first_resend_and_who_sees_what(engine, client_as) -> None:
    analyst, lead = client_as("analyst"), client_as("lead")
    assert _add(analyst, notify="email:anna@example.vn").status_code == 303
    hook = "webhook:https://relay.example.vn/tg?token=bi-mat-456"
    failed, sent, other, hooked = _deliveries(engine, [
        ("email:anna@example.vn", "failed", "SMTP: 550 <hộp thư> không tồn tại"),
        ("email:anna@example.vn", "sent", None),
        ("email:khac@example.vn", "pending", None),
        (hook, "failed", "connection refused"),
    ])  # fmt: skip

    page = lead.get("/watch").text
    rows = re.findall(r'data-delivery="(\d+)"', page)
    assert rows == [str(hooked), str(failed), str(other), str(sent)]  # failed first, newest first
    assert "bi-mat-456" not in page and "token=***" in page
    assert "SMTP: 550 &lt;hộp thư&gt; không tồn tại" in page
    assert page.count('action="/watch/deliveries/') == 2  # "Gửi lại" on the failed ones only
    assert 'data-state="failed">Gửi lỗi: <b>2</b>' in page
    assert "Có 2 lần gửi cảnh báo bị lỗi" in page
    assert "Có 2 lần gửi cảnh báo bị lỗi" in lead.get("/overview").text

    own = analyst.get("/watch").text
    assert re.findall(r'data-delivery="(\d+)"', own) == [str(failed), str(sent)]
    assert "khac@example.vn" not in own and "relay.example.vn" not in own
    assert 'data-state="failed">Gửi lỗi: <b>1</b>' in own and "/resend" not in own
    assert "Có 1 lần gửi cảnh báo bị lỗi" in analyst.get("/overview").text
    refused = analyst.post(f"/watch/deliveries/{failed}/resend", data={"csrf_token": analyst.csrf})
    assert refused.status_code == 403

    again = lead.post(f"/watch/deliveries/{failed}/resend", data={"csrf_token": lead.csrf},
                      follow_redirects=False)  # fmt: skip
    assert again.status_code == 303 and "done=resent" in again.headers["location"]
    with engine.connect() as conn:
        row = conn.execute(select(alert_deliveries).where(alert_deliveries.c.id == failed)).one()
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "alert_resend")).one()
    assert row.state == "pending" and row.attempts == 0
    assert (entry.actor, entry.entity, entry.entity_id) == ("lead", "alert_delivery", str(failed))
    twice = lead.post(f"/watch/deliveries/{failed}/resend", data={"csrf_token": lead.csrf})
    assert "không ở trạng thái lỗi nên không gửi lại" in twice.text
    assert "Có 1 lần gửi cảnh báo bị lỗi" in lead.get("/overview").text
    assert "cảnh báo bị lỗi" not in analyst.get("/overview").text


def test_metrics_count_deliveries_by_state_and_waiting_matches(engine, client_as, app) -> None:
    from fastapi.testclient import TestClient

    [item] = seed(engine, [BORDER], now=datetime.now(UTC))
    _deliveries(engine, [("email:a@example.vn", "failed", "x"), ("email:a@example.vn", "failed",
                "y"), ("email:a@example.vn", "sent", None), ("email:b@example.vn", "pending",
                None)])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(alert_events.insert().values(
            trigger="rule", rule_key="rule:1", rule_name="Cửa khẩu", item_id=item,
            target="email:a@example.vn", reason="khớp", matched_at=datetime.now(UTC)))  # fmt: skip
    text = TestClient(app).get("/metrics").text
    assert "# TYPE monitor_alert_deliveries gauge" in text
    assert 'monitor_alert_deliveries{state="failed"} 2' in text
    assert 'monitor_alert_deliveries{state="sent"} 1' in text
    assert 'monitor_alert_deliveries{state="pending"} 1' in text
    assert 'monitor_alert_deliveries{state="sending"} 0' in text
    assert "\nmonitor_alert_events_waiting 1\n" in text


def test_a_writer_keeps_email_rules_and_sees_matches_without_item_links(engine, client_as) -> None:
    [border] = seed(engine, [BORDER], now=datetime.now(UTC))
    writer = client_as("writer")
    assert 'href="/watch"' in writer.get("/overview").text
    assert _add(writer).status_code == 303
    rule = _rules(engine)["Cửa khẩu"]["id"]
    tested = writer.get(f"/watch/rules/{rule}/test").text
    assert BORDER.title in tested and f"/items/{border}" not in tested


def test_every_query_error_of_the_parser_has_its_vietnamese_sentence() -> None:
    """Each reason monitor.watch.query gives is translated (none falls back to "cannot be
    read"), with the position counted from 1 as the parser's message counts it."""
    from dashboards.i18n import translate
    from dashboards.watch import query_error
    from monitor.watch.query import QueryError, parse

    fallback = translate("vi", "watch.query.other")
    bad = ['"abc', "", "cầu )", "NOT cầu", "cầu AND", "()", "(cầu", "AND cầu", '" "', "!!!",
           "cầu AND )", "x" * 2001]  # fmt: skip
    reasons = set()
    for query in bad:
        try:
            parse(query)
        except QueryError as exc:
            shown = query_error("vi", query, exc)
            reasons.add(exc.reason)
            assert fallback not in shown.message, (query, exc.reason)
            assert f"ký tự {exc.position + 1}:" in shown.message and f"{exc.position + 1})" in str(
                exc
            )
        else:
            raise AssertionError(f"{query!r} parsed")
    assert len(reasons) == len(bad)
