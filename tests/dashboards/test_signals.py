"""The classifier's other reasons (nearest labelled examples, writing style) on the item page
and in the API: translated, formatted per language, and the example's text escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

from classifiers.signals import STYLE_NAMES
from dashboards.i18n import HERE as I18N
from dashboards.i18n import LANGUAGES
from tests.review.seeding import Spec, seed

HOSTILE_SNIPPET = 'Tin đồn <script>alert("x")</script> cửa khẩu đóng cửa'
SIGNALS = {
    "distorted": [
        {"name": "nearest:distorted", "weight": 0.5940, "value": 0.6213, "detail": HOSTILE_SNIPPET},
        {"name": "style:capitals", "weight": 0.2367, "value": 0.974, "detail": ""},
        {"name": "style:digits", "weight": 0.1186, "value": -0.4964, "detail": ""},
    ]
}


def section(html: str) -> str:
    found = re.search(r'<section class="signals">(.*?)</section>', html, re.S)
    assert found, "no signals section"
    return re.sub(r"\s+", " ", found.group(1))


def test_item_page_lists_signals_in_vietnamese_and_escapes_the_example(engine, client_as) -> None:
    [item] = seed(engine, [Spec("Tin về cửa khẩu", signals=SIGNALS)])
    client = client_as("analyst")
    html = client.get(f"/items/{item}").text
    part = section(html)
    assert "Tín hiệu khác" in part and '<span class="tag distorted">Xuyên tạc</span>' in part
    assert "Gần giống mẫu đã gán nhãn «Xuyên tạc» (độ tương đồng 0,62)" in part
    assert "Văn phong: nhiều chữ in hoa" in part and "trọng số 0,24" in part
    assert "ít chữ số" not in part  # "few digits" is no reason an analyst can use
    # The nearest example is crawled text: escaped, never markup.
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in part
    assert "<script>alert" not in html
    english = section(client.get(f"/items/{item}?lang=en").text)
    assert "Close to a labelled example of «Distorted» (similarity 0.62)" in english
    assert "Style: many capital letters" in english and "few digits" not in english


def test_signals_section_hidden_without_signals(engine, client_as) -> None:
    plain, empty = seed(
        engine, [Spec("Tin không có tín hiệu"), Spec("Nhãn rỗng", signals={"distorted": []})]
    )
    client = client_as("analyst")
    for item in (plain, empty):
        html = client.get(f"/items/{item}").text
        assert 'class="signals"' not in html and "Tín hiệu khác" not in html


def test_api_item_returns_signals(engine, client_as) -> None:
    item, unscored = seed(engine, [Spec("Tin", signals=SIGNALS), Spec("Chưa chấm", flagged=None)])
    client = client_as("lead")
    body = client.get(f"/api/items/{item}").json()
    assert body["signals"] == SIGNALS
    assert body["evidence"] == {}
    assert client.get(f"/api/items/{unscored}").json()["signals"] == {}


def test_every_style_measure_is_translated_in_every_language() -> None:
    keys = {f"signal.style.{m}.{d}" for m in STYLE_NAMES for d in ("high", "low")}
    for lang in LANGUAGES:
        catalogue = json.loads((Path(I18N) / f"{lang}.json").read_text(encoding="utf-8"))
        assert keys <= set(catalogue), (lang, keys - set(catalogue))
