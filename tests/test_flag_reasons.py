"""Reasons in an analyst's words: meaningful phrases, readable signals, one sentence a flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.flag.reasons import FlagInputs, meaningful, readable_signals, sentence, useful_phrases
from monitor.text.snippet import snippet


@pytest.mark.parametrize(
    "phrase",
    ["video", "bài đăng", "Chính quyền tỉnh Lạng Sơn", "Ngồi", "Bài viết khẳng định",
     "Người này khẳng định", "Cửa khẩu Hữu Nghị", "cho biết"],
)  # fmt: skip
def test_generic_words_and_bare_place_names_are_not_evidence(phrase: str) -> None:
    assert not meaningful(phrase)


@pytest.mark.parametrize(
    "phrase", ["đóng cửa vĩnh viễn", "5.000 xe", "48.000 tỷ đồng", "lũ cướp đất", "rút ruột"]
)
def test_phrases_that_carry_a_claim_are_kept(phrase: str) -> None:
    assert meaningful(phrase)


def test_useful_phrases_drop_repeats_and_keep_order() -> None:
    found = useful_phrases(["video", "đóng cửa vĩnh viễn", "DONG CUA VINH VIEN", "5.000 xe"], 3)
    assert found == ["đóng cửa vĩnh viễn", "5.000 xe"]


def test_only_signals_that_read_as_reasons() -> None:
    signals = [
        {"name": "style:exclamations", "value": -1.2},  # few exclamation marks: no reason
        {"name": "style:length", "value": 2.0},  # long text: not an argument
        {"name": "style:capitals", "value": 1.5},
        {"name": "nearest:distorted", "value": 0.83},
        {"name": "nearest:hostile", "value": 0.9},  # another label's examples
    ]
    assert readable_signals(signals, "distorted") == [
        "văn phong: nhiều chữ in hoa",
        "giống các ví dụ «Xuyên tạc» đã gán nhãn (tương đồng 0,83)",
    ]


def test_one_sentence_per_flag() -> None:
    flag = FlagInputs("distorted", 0.971, 0.62, ["đóng cửa vĩnh viễn", "5.000 xe"], [],
                      narrative_of=12, narrative_similarity=0.91)  # fmt: skip
    assert sentence(flag) == (
        "Gắn cờ Xuyên tạc: điểm 0,97 ≥ ngưỡng 0,62; lặp lại nội dung của tin #12 đã xác nhận "
        "(tương đồng 0,91); cụm từ: “đóng cửa vĩnh viễn”, “5.000 xe”"
    )
    assert "\n" not in sentence(flag)


def test_snippet_cuts_at_words() -> None:
    text = "Một hai ba bốn năm sáu bảy tám chín mười. Cửa khẩu sẽ đóng cửa vĩnh viễn từ mai."
    start = text.index("đóng cửa")
    cut = snippet(text, start, start + len("đóng cửa vĩnh viễn"), width=15)
    assert cut.startswith("…") and "đóng cửa vĩnh viễn" in cut
    assert not cut.lstrip("…").startswith(("ửa", "u "))


def test_the_configured_gazetteer_decides_which_places_are_not_evidence(tmp_path) -> None:
    """MONITOR_RELEVANCE_GAZETTEER reaches the reasons too: a place the Department added is
    no more evidence by itself than a packaged one."""
    from monitor.collect.relevance import rules_for

    packaged = Path(__file__).resolve().parents[1] / "monitor" / "data" / "gazetteer.yaml"
    extended = tmp_path / "gazetteer.yaml"
    extended.write_text(packaged.read_text(encoding="utf-8")
                        + "  - name: Khu kinh tế Đồng Bành Mới\n", encoding="utf-8")  # fmt: skip
    phrase = "Khu kinh tế Đồng Bành Mới"
    assert meaningful(phrase)  # the packaged gazetteer does not know it: words that mean something
    rules = rules_for(str(extended))
    assert rules is rules_for(str(extended))  # loaded once
    assert not meaningful(phrase, rules) and useful_phrases([phrase], 3, rules) == []
