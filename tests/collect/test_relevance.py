"""Gazetteer and lexicon matching: spellings, ambiguous names, exclusions, counts, strict files."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest

from monitor.collect.relevance import RelevanceRules, RulesError, default_rules, load_rules
from monitor.records import Relevance
from monitor.text.normalize import fold_key


@pytest.fixture(scope="module")
def rules() -> RelevanceRules:
    return default_rules()


def places(result: Relevance) -> dict[str, int]:
    return {m.term: m.count for m in result.matches if m.kind == "place"}


def sector(result: Relevance) -> dict[str, int]:
    return {m.term: m.count for m in result.matches if m.kind == "sector"}


@pytest.mark.parametrize(
    "spelling",
    [
        "Lạng Sơn",
        "LẠNG SƠN",
        "lạng sơn",
        unicodedata.normalize("NFD", "Lạng Sơn"),
        "Lang Son",
        "LANG SON",
        "Lạng  Sơn",
        "Lang Sơn",  # one word typed without diacritics
    ],
)
def test_every_spelling_of_the_province(rules: RelevanceRules, spelling: str) -> None:
    result = rules.assess("", f"Chiều qua, đoàn công tác đã đến {spelling} để làm việc.")
    assert result.relevant
    assert places(result) == {"Lạng Sơn": 1}


@pytest.mark.parametrize("spelling", ["xứ Lạng", "Xứ Lạng", "xu Lang", "XỨ LẠNG"])
def test_xu_lang(rules: RelevanceRules, spelling: str) -> None:
    assert places(rules.assess("", f"Mùa đào {spelling} năm nay nở sớm.")) == {"Lạng Sơn": 1}


@pytest.mark.parametrize("text", ["Láng Sơn", "Lạng Sờn", "Lãng Sơn", "lạng sơnx", "Sơn", "Lạng"])
def test_other_words_that_fold_alike_or_parts_do_not_match(
    rules: RelevanceRules, text: str
) -> None:
    result = rules.assess("", f"Ông ấy sống ở {text} từ lâu.")
    assert places(result) == {}
    assert not result.relevant


def test_digits_glued_to_a_name_are_a_boundary(rules: RelevanceRules) -> None:
    assert places(rules.assess("", "56. Bí thư Tỉnh ủy Lạng Sơn57. Phó thủ tướng")) == {
        "Lạng Sơn": 1
    }


def test_terms_with_numbers_do_not_match_inside_longer_numbers(tmp_path: Path) -> None:
    gazetteer = write(tmp_path / "g.yaml", "places:\n  - name: Quốc lộ 4B\n  - name: Km 18\n")
    rules = load_rules(gazetteer, write(tmp_path / "l.yaml", "strong: []\nweak: []\n"))
    text = "Sạt lở trên Quốc lộ 4B tại Km 18, không phải Km 180 hay Km 118."
    assert places(rules.assess("", text)) == {"Quốc lộ 4B": 1, "Km 18": 1}


def test_longest_name_wins(rules: RelevanceRules) -> None:
    text = "UBND TP. Lạng Sơn và Khu kinh tế cửa khẩu Đồng Đăng-Lạng Sơn ký kết."
    assert places(rules.assess("", text)) == {
        "Thành phố Lạng Sơn": 1,
        "Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn": 1,
    }


@pytest.mark.parametrize("dash", ["–", "-", "—", " - ", " – "])
def test_dash_spellings_in_project_names(rules: RelevanceRules, dash: str) -> None:
    text = f"Dự án cao tốc Hữu Nghị{dash}Chi Lăng được đẩy nhanh."
    assert "Cao tốc Hữu Nghị – Chi Lăng" in places(rules.assess("", text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mưa lớn gây sạt lở tại huyện Bắc Sơn.", {"Bắc Sơn": 1}),
        ("Người dân huyện miền núi Bắc Sơn đón Tết.", {"Bắc Sơn": 1}),  # two words between
        ("Khai trương siêu thị ở phường Bắc Sơn, Thanh Hóa.", {}),  # another province
        ("Ông Văn Quan được khen thưởng.", {}),  # a personal name
        ("Hàng hóa qua cửa khẩu Hữu Nghị tăng mạnh.", {"Hữu Nghị": 1}),
        ("Cửa khẩu quốc tế Hữu Nghị mở thêm làn xe.", {"Hữu Nghị": 1}),
        ("Tình hữu nghị Việt Nam – Lào ngày càng bền chặt.", {}),  # the common word
        ("Đoàn đến ga Hữu Nghị lúc 7 giờ.", {"Hữu Nghị": 1}),
        ("Chợ Tân Thanh đông khách.", {"Tân Thanh": 1}),
        ("Xã Tân Thanh, tỉnh Nam Định, tổ chức hội nghị.", {}),
    ],
)
def test_ambiguous_names_need_context(
    rules: RelevanceRules, text: str, expected: dict[str, int]
) -> None:
    assert places(rules.assess("", text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Du khách lên Mẫu Sơn ngắm mây.", {"Mẫu Sơn": 1}),
        ("DU KHÁCH LÊN MẪU SƠN NGẮM MÂY.", {"Mẫu Sơn": 1}),
        ("Các nhà khoa học phân tích mẫu sơn đỏ trên tường.", {}),
        ("Công an quận Ba Đình lập hồ sơ xử lý.", {}),
        ("Thơ văn lãng mạn của thế kỷ trước.", {}),
        ("Bị cáo Đồng Đăng Phúc lãnh án.", {}),
        ("Hàng xếp hàng dài ở cửa khẩu Đồng Đăng.", {"Đồng Đăng": 1}),
    ],
)
def test_names_made_of_common_words(
    rules: RelevanceRules, text: str, expected: dict[str, int]
) -> None:
    assert places(rules.assess("", text)) == expected


def test_anchored_names_count_when_lang_son_is_mentioned(rules: RelevanceRules) -> None:
    without = rules.assess("", "Đoàn đã thăm Văn Quan và Bắc Sơn trong hai ngày.")
    assert places(without) == {}
    with_anchor = rules.assess("Lạng Sơn", "Đoàn đã thăm Văn Quan và Bắc Sơn trong hai ngày.")
    assert places(with_anchor) == {"Lạng Sơn": 2, "Văn Quan": 1, "Bắc Sơn": 1}


def test_unanchored_ambiguous_name_ignores_the_anchor(rules: RelevanceRules) -> None:
    text = "Lạng Sơn tăng cường tình hữu nghị với Quảng Tây."
    assert places(rules.assess("", text)) == {"Lạng Sơn": 1}


def test_context_too_far_away(rules: RelevanceRules) -> None:
    text = "Các cửa khẩu trên cả nước, trong đó có nhiều tuyến hữu nghị, đều mở cửa."
    assert places(rules.assess("", text)) == {}


def test_context_word_inside_a_longer_word_does_not_count(rules: RelevanceRules) -> None:
    # "chuyện" ends in "huyện" but is another word.
    assert places(rules.assess("", "Câu chuyện Bắc Sơn kể lại.")) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Hội nghị bàn về công tác xây dựng Đảng và xây dựng hệ thống chính trị trong sạch.",
        "Tỉnh xây dựng kế hoạch, xây dựng chương trình hành động và xây dựng đội ngũ cán bộ.",
        "Xây dựng văn hóa đọc, xây dựng con người mới, xây dựng nông thôn mới kiểu mẫu.",
        "Công tác quy hoạch cán bộ nhiệm kỳ tới được chuẩn bị chu đáo.",
        "Cảnh sát giao thông xử lý vi phạm giao thông dịp lễ.",
    ],
)
def test_ordinary_uses_of_sector_words_are_not_construction(
    rules: RelevanceRules, text: str
) -> None:
    result = rules.assess("", text)
    assert not result.relevant
    assert sector(result) == {}
    assert "(nghĩa khác)" in result.reason


def test_exclusion_hides_only_its_own_words(rules: RelevanceRules) -> None:
    text = "Tỉnh xây dựng kế hoạch giải phóng mặt bằng cho dự án."
    result = rules.assess("", text)
    assert sector(result) == {"giải phóng mặt bằng": 1, "dự án": 1}
    assert {m.term for m in result.matches if m.kind == "figurative"} == {"xây dựng kế hoạch"}
    assert "không tính 'xây dựng kế hoạch'" in result.reason


def test_exclusion_refused_on_diacritics_does_not_swallow_the_term(rules: RelevanceRules) -> None:
    # "xây dựng đang" folds like the exclusion "xây dựng Đảng" but is not it.
    result = rules.assess("", "Nhà văn hóa xây dựng đang dở dang, đô thị mới chưa có điện.")
    assert sector(result) == {"nhà văn hóa": 1, "xây dựng": 1, "đô thị": 1}


def test_a_passing_word_is_not_construction_news(rules: RelevanceRules) -> None:
    result = rules.assess("Xây dựng", "Đội tuyển xây dựng lại niềm vui. Xây dựng, xây dựng.")
    assert sector(result) == {"xây dựng": 5}
    assert not result.relevant and not result.sector
    assert result.reason.startswith("Không phải tin ngành xây dựng (điểm 0,")


def test_construction_article(rules: RelevanceRules) -> None:
    title = "Đẩy nhanh giải phóng mặt bằng cao tốc Đồng Đăng – Trà Lĩnh"
    text = (
        "Sở Xây dựng cho biết chủ đầu tư đã bàn giao mặt bằng cho nhà thầu thi công.\n"
        "Các nhà thầu huy động thêm máy móc để thi công vượt tiến độ trên địa bàn Tràng Định."
    )
    result = rules.assess(title, text)
    assert result.relevant and result.place and result.sector and result.part == "both"
    assert places(result) == {"Cao tốc Đồng Đăng – Trà Lĩnh": 2, "Tràng Định": 1}
    assert sector(result) == {
        "giải phóng mặt bằng": 2,
        "cao tốc": 2,
        "Sở Xây dựng": 1,
        "chủ đầu tư": 1,
        "bàn giao mặt bằng": 1,
        "nhà thầu": 2,
        "thi công": 2,
        "tiến độ": 1,
    }
    assert result.matches[0].term == "Cao tốc Đồng Đăng – Trà Lĩnh"
    assert result.matches[0].count == 2 and result.matches[0].zones == (("title", 1),)
    assert result.sector_score > 0.7


def test_positions_point_into_the_normalised_fields(rules: RelevanceRules) -> None:
    title = "Cấp giấy phép xây dựng ở Lạng Sơn"
    text = "Mở đầu về nhà thầu.\nThân bài: nhà thầu thi công, nhà thầu nghiệm thu."
    result = rules.assess(title, text)
    fields = {"title": title, "text": text}
    for m in result.matches:
        for where, start, end in m.spans:
            assert fold_key(fields[where][start:end]) == fold_key(m.term)
    contractor = next(m for m in result.matches if m.term == "nhà thầu")
    assert contractor.zones == (("lead", 1), ("body", 2)) and contractor.occurrences == 3


def test_reason_names_the_evidence_in_vietnamese(rules: RelevanceRules) -> None:
    title = "Thu hồi giấy phép xây dựng của nhà thầu vi phạm"
    text = "Sở Xây dựng cho biết nhà thầu thi công sai thiết kế.\n" + "Nhà thầu bị phạt. " * 2
    result = rules.assess(title, text)
    assert result.reason.startswith("Nói về ngành xây dựng (điểm 0,")
    assert "'giấy phép xây dựng' (tiêu đề)" in result.reason
    assert "'nhà thầu' ×4 (tiêu đề)" in result.reason


def test_place_and_sector_are_kept_apart(rules: RelevanceRules) -> None:
    only_place = rules.assess("Hoa đào nở sớm ở Lạng Sơn", "Du khách đến ngắm hoa.")
    assert (only_place.place, only_place.sector, only_place.part) == (True, False, "lang_son")
    assert only_place.reason.startswith("Nhắc đến Lạng Sơn: 'Lạng Sơn' (tiêu đề)")
    only_sector = rules.assess(
        "Hà Nội siết trật tự xây dựng", "Nhiều công trình xây dựng trái phép bị cưỡng chế phá dỡ."
    )
    assert (only_sector.place, only_sector.sector, only_sector.part) == (
        False,
        True,
        "construction",
    )


def test_words_of_other_fields_count_against(rules: RelevanceRules) -> None:
    text = "Dự án phần mềm viễn thông chọn nhà thầu qua đấu thầu; kiến trúc hệ thống mới."
    result = rules.assess("Đấu thầu dự án phần mềm", text)
    assert {m.term for m in result.matches if m.kind == "against"} >= {"phần mềm", "viễn thông"}
    assert not result.sector


def test_unrelated_sports_article_in_hanoi(rules: RelevanceRules) -> None:
    title = "Hà Nội FC thắng đậm trên sân Hàng Đẫy"
    text = (
        "Tối qua, Hà Nội FC đã có chiến thắng 3-0 trước đội khách. Huấn luyện viên cho biết "
        "đội đang xây dựng lối chơi mới và các cầu thủ trẻ tiến bộ nhanh.\n"
        "Khán giả Thủ đô đến sân rất đông dù trời mưa."
    )
    result = rules.assess(title, text)
    assert not result.relevant and result.sector_score == 0
    assert sector(result) == {} and places(result) == {}


def test_title_counts_double(rules: RelevanceRules) -> None:
    result = rules.assess("Lạng Sơn: thi công cầu vượt", "Lạng Sơn thi công. Thi công.")
    assert places(result) == {"Lạng Sơn": 3}
    assert sector(result) == {"thi công": 4, "cầu vượt": 2}


def test_scoring_weights_are_data(tmp_path: Path) -> None:
    gazetteer = write(tmp_path / "g.yaml", "places: []\n")
    lexicon = "strong: [thi công]\nweak: []\nscoring:\n  threshold: {}\n"
    text = "Công nhân thi công suốt đêm."
    low = load_rules(gazetteer, write(tmp_path / "a.yaml", lexicon.format(0.5))).assess("", text)
    high = load_rules(gazetteer, write(tmp_path / "b.yaml", lexicon.format(50))).assess("", text)
    assert low.sector and not high.sector
    with pytest.raises(RulesError, match=r"b.yaml:4: scoring.threshold: expected int or float"):
        load_rules(gazetteer, write(tmp_path / "b.yaml", lexicon.format("many")))
    with pytest.raises(RulesError, match=r"scoring.x: unknown key"):
        load_rules(gazetteer, write(tmp_path / "c.yaml", "strong: []\nweak: []\nscoring: {x: 1}\n"))
    with pytest.raises(RulesError, match=r"strong.roads: unknown key"):
        load_rules(gazetteer, write(tmp_path / "d.yaml", "strong: {roads: [a]}\nweak: []\n"))


def test_normalised_input_can_skip_normalisation(rules: RelevanceRules) -> None:
    text = "Huyện Hữu Lũng triển khai dự án khu đô thị mới."
    assert rules.assess("", text, normalized=True) == rules.assess("", text)


def test_assess_is_fast(rules: RelevanceRules) -> None:
    paragraph = (
        "Ủy ban nhân dân tỉnh Lạng Sơn vừa tổ chức hội nghị đánh giá tiến độ các công trình "
        "trọng điểm; nhà thầu cam kết hoàn thành đúng hạn, người dân đồng thuận cao.\n"
    )
    text = (paragraph * 40)[:5000]
    rules.assess("", text)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        rules.assess("Tiêu đề", text, normalized=True)
        runs.append(time.perf_counter() - start)
    assert sorted(runs)[2] < 0.01  # generous for a shared machine; measured ~0.6 ms


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_user_files_and_tone_mark_conventions(tmp_path: Path) -> None:
    # The file says "hoà" (new style), the text "hòa" (old style): normalisation makes them one.
    gazetteer = write(tmp_path / "g.yaml", "places:\n  - name: Khu đô thị Hoà Bình Xanh\n")
    lexicon = write(tmp_path / "l.yaml", "strong: [thủy lợi]\nweak: []\n")
    rules = load_rules(gazetteer, lexicon)
    result = rules.assess("", "Khu đô thị Hòa Bình Xanh làm công trình thuỷ lợi.")
    assert places(result) == {"Khu đô thị Hòa Bình Xanh": 1}
    assert sector(result) == {"thủy lợi": 1}


@pytest.mark.parametrize(
    ("gazetteer", "message"),
    [
        ("places:\n  - name: A\n    alias: [B]\n", "g.yaml:3: places[0].alias: unknown key"),
        ("places:\n  - aliases: [B]\n", "g.yaml:2: places[0].name: required key is missing"),
        ("places:\n  - name: A\n    anchored: yes\n", "places[0].anchored: only meaningful"),
        (
            "places:\n  - name: A\n    contexts: x\n",
            "g.yaml:3: places[0].contexts: expected a list",
        ),
        ("places:\n  - name: 12\n", "places[0].name: expected str, got int"),
        (
            "places:\n  - name: Lạng Sơn\n  - name: LẠNG SƠN\n",
            "g.yaml:3: places[1].name: 'LẠNG SƠN' is listed twice",
        ),
        ("context_window: many\nplaces: []\n", "context_window: expected int"),
        ("places: [\n", "not valid YAML"),
        ("", "the file is empty"),
    ],
)
def test_bad_gazetteer_errors_name_file_line_and_key(
    tmp_path: Path, gazetteer: str, message: str
) -> None:
    lexicon = write(tmp_path / "l.yaml", "strong: []\nweak: []\n")
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_rules(write(tmp_path / "g.yaml", gazetteer), lexicon)


def test_bad_lexicon_and_missing_file(tmp_path: Path) -> None:
    gazetteer = write(tmp_path / "g.yaml", "places: []\n")
    with pytest.raises(RulesError, match=r"l.yaml:1: strong: required key is missing"):
        load_rules(gazetteer, write(tmp_path / "l.yaml", "weak: []\n"))
    with pytest.raises(RulesError, match=r"l.yaml:2: strong\[1\]: empty term"):
        load_rules(gazetteer, write(tmp_path / "l.yaml", "weak: []\nstrong: [a, '']\n"))
    with pytest.raises(RulesError, match=r"l.yaml:3: exclusions\[0\]: 'Thi công' is listed twice"):
        load_rules(
            gazetteer,
            write(tmp_path / "l.yaml", "weak: [thi công]\nstrong: []\nexclusions: [Thi công]\n"),
        )
    with pytest.raises(RulesError, match="missing.yaml: cannot read"):
        load_rules(gazetteer, tmp_path / "missing.yaml")


def test_packaged_files_load() -> None:
    rules = load_rules()
    assert len(rules.places) >= 30
    assert "xây dựng Đảng" in rules.exclusions
    assert {"quy hoạch chung", "giải phóng mặt bằng"} <= set(rules.strong)
    assert "quy hoạch" in rules.weak and "phần mềm" in rules.against
    assert all(t.topic for t in rules.sector_terms if t.tier != "against")
