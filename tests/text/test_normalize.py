"""The one normaliser: idempotent; NFC, NFD and either tone convention give the same key."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.text.normalize import fold_key, has_diacritics, normalize_line, normalize_text

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "bcdghklmnpqrstvx &;#0123456789\n\u00a0\u200b\t-"
text_strategy = st.text(alphabet=ALPHABET, max_size=80)


@pytest.mark.parametrize(
    ("new_style", "old_style"),
    [
        ("hoà bình", "hòa bình"),
        ("Thuỷ lợi", "Thủy lợi"),
        ("hoá đơn", "hóa đơn"),
        ("khoẻ", "khỏe"),
        ("tuỳ ý", "tùy ý"),
        ("uỷ ban", "ủy ban"),
        ("HOÀ", "HÒA"),
        ("loà xoà", "lòa xòa"),
    ],
)
def test_both_tone_conventions_become_one(new_style: str, old_style: str) -> None:
    assert normalize_text(new_style) == normalize_text(old_style) == old_style


@pytest.mark.parametrize("word", ["quý", "quỳnh", "hoàng", "ngoại", "thuyền", "khuya", "hoạch"])
def test_syllables_outside_the_rule_are_untouched(word: str) -> None:
    assert normalize_text(word) == word


def test_entities_spaces_and_zero_width() -> None:
    raw = "L&#7841;ng S&#417;n&nbsp;&amp;amp; x\u200bứ   Lạng\u00a0\r\n\r\n  Đồng Đăng"
    assert normalize_text(raw) == "Lạng Sơn & xứ Lạng\nĐồng Đăng"
    assert normalize_line(raw) == "Lạng Sơn & xứ Lạng Đồng Đăng"


def test_fold_key() -> None:
    assert fold_key("LẠNG  SƠN") == fold_key("Lang Son") == "lang son"
    assert fold_key("Đồng Đăng") == "dong dang"
    assert has_diacritics("Lạng Sơn") and not has_diacritics("Lang Son")


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_nfc_and_nfd_give_the_same_result(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert normalize_text(nfc) == normalize_text(nfd)
    assert fold_key(nfc) == fold_key(nfd)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["hoà", "hòa", "thuỷ", "thủy", "hoá", "hóa", "khoẻ", "khỏe", "Lạng", "Sơn", "quý"]
        ),
        max_size=8,
    )
)
def test_either_tone_convention_gives_the_same_key(words: list[str]) -> None:
    text = " ".join(words)
    swapped = text.replace("hòa", "hoà").replace("thủy", "thuỷ").replace("hóa", "hoá")
    assert normalize_text(text) == normalize_text(swapped)
    assert fold_key(text) == fold_key(swapped)
