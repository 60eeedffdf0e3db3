"""Hostile crawled content arrives inert; every message has its Vietnamese text."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dashboards.i18n import HERE as I18N
from dashboards.web import HERE as DASHBOARDS
from dashboards.web import highlight
from monitor.records import Phrase
from tests.review.seeding import Spec, seed

TEMPLATES = Path(DASHBOARDS) / "templates"
HOSTILE_TITLE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
HOSTILE_TEXT = 'Xem <a href="javascript:alert(3)">đây</a> <svg onload=alert(4)> Lạng Sơn'


def test_hostile_titles_and_bodies_are_escaped(engine, client_as) -> None:
    evidence = {"hostile": [{"phrase": "Lạng Sơn", "weight": 1.0}]}
    [item] = seed(engine, [Spec(HOSTILE_TITLE, text=HOSTILE_TEXT, evidence=evidence)])
    client = client_as("analyst")
    for page in ("/queue", f"/items/{item}", "/queue?q=lang+son"):
        html = client.get(page).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html and "<svg onload" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    item_html = client.get(f"/items/{item}").text
    assert "&lt;a href=&#34;javascript:alert(3)&#34;&gt;" in item_html
    assert '<mark class="hostile"' in item_html
    assert not re.search(r"<script(?! src=\"/static/app.js\")", item_html)


def test_highlight_splits_into_plain_segments() -> None:
    text = "Tin đồn về Lạng Sơn: <b>giả</b>"
    pieces = highlight(
        text,
        {
            "distorted": (Phrase("tin don", 1.0, 0, 7),),
            "hostile": (Phrase("lang son", 1.0),),
        },
    )
    assert pieces == [
        ("Tin đồn", "distorted"),
        (" về ", ""),
        ("Lạng Sơn", "hostile"),
        (": <b>giả</b>", ""),
    ]


def _keys(lang: str) -> dict[str, str]:
    """The catalogue as served: the JSON file plus the labels' names from labels.yaml."""
    from dashboards.i18n import catalogue

    return catalogue(lang)


def test_label_names_come_from_labels_yaml_only() -> None:
    from classifiers.labels import load_labels

    for lang in ("vi", "en"):
        raw = json.loads((Path(I18N) / f"{lang}.json").read_text(encoding="utf-8"))
        # Two pseudo-labels of the statistics: not scored, and the Department's own posts.
        assert not {k for k in raw if k.startswith("label.")} - {"label.unscored", "label.own"}
    for spec in load_labels():
        assert spec.name_vi and _keys("vi")[f"label.{spec.key}"] == spec.name_vi


def test_every_key_has_vietnamese_text() -> None:
    vi, en = _keys("vi"), _keys("en")
    assert set(vi) >= set(en)
    assert all(value.strip() for value in vi.values())
    assert set(en) == set(vi), set(vi) ^ set(en)


def test_templates_use_only_known_keys() -> None:
    vi = _keys("vi")
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_.]+)["']\)""", path.read_text(encoding="utf-8")))
    assert used and used <= set(vi), used - set(vi)
    # Keys built from a prefix and a value: every value must be there too.
    from monitor.review.status import ROLES, STATUSES, VERDICTS

    for prefix, values in (
        ("status.", STATUSES),
        ("role.", ROLES),
        ("verdict.", VERDICTS),
        ("label.", ("distorted", "hostile", "criticism", "neutral")),
    ):
        assert {prefix + v for v in values} <= set(vi)


def test_evidence_offsets_index_the_body() -> None:
    """Stored offsets point into the body as shown; a title phrase has none and is found by
    its words where the body repeats it."""
    body = "Cửa khẩu sẽ đóng cửa. Tin đồn lan nhanh."
    evidence = {"distorted": (Phrase("sẽ", 1.0, 9, 11), Phrase("Tin đồn", 1.0))}
    pieces = highlight(body, evidence)
    assert pieces == [("Cửa khẩu ", ""), ("sẽ", "distorted"), (" đóng cửa. ", ""),
                      ("Tin đồn", "distorted"), (" lan nhanh.", "")]  # fmt: skip
