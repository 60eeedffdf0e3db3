"""The watch-rule query language: words, phrases, AND/OR/NOT, parentheses, diacritics, and
errors that say where the problem is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.watch.query import Document, QueryError, RuleIndex, parse

ARTICLE = Document.of(
    "Cửa khẩu Hữu Nghị đóng cửa?",
    "Tin đồn trên mạng xã hội nói cửa khẩu Hữu Nghị ở Lạng Sơn sẽ đóng cửa vĩnh viễn. "
    "Sở Xây dựng cho biết thông tin này là sai sự thật; công trình nhà ở xã hội vẫn thi công.",
)


def hit(query: str, doc: Document = ARTICLE) -> bool:
    return parse(query).matches(doc)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cửa khẩu", True),
        ('"cửa khẩu hữu nghị"', True),
        ('"hữu nghị cửa khẩu"', False),  # a phrase keeps its order
        ("cua khau", True),  # typed without diacritics: matches any accents
        ('"cua khau huu nghi"', True),
        ("CỬA KHẨU", True),  # case does not matter
        ("cưa khâu", False),  # typed with diacritics: only that spelling
        ("lạng sơn AND sai", True),
        ("lạng sơn AND bắc giang", False),
        ("bắc giang OR hữu nghị", True),
        ("hữu nghị NOT xã", False),
        ("hữu nghị NOT (bắc giang OR cao bằng)", True),
        ("(đóng OR mở) AND (cửa khẩu)", True),
        ("sai", True),
        ("sa", False),  # whole words only
        ("xây", True),
        ('"xây dựng" đóng cửa', True),
        ("ha noi OR ho chi minh", False),
        ("hoà", False),
    ],
)
def test_queries(query: str, expected: bool) -> None:
    assert hit(query) is expected


def test_tone_mark_placement_entities_and_unicode_form_are_one_spelling() -> None:
    doc = Document.of("Hòa Bình và thủy điện", "Kh&ocirc;ng c&oacute; g&igrave;")
    assert hit("hoà bình", doc) and hit("thuỷ điện", doc) and hit("không có", doc)
    nfd = "Ho\u0300a Bi\u0300nh"  # decomposed marks
    assert hit(nfd, doc)
    assert hit("HOA BINH", doc)


def test_lower_case_operators_are_words() -> None:
    doc = Document.of("Rock and roll")
    assert hit("rock and roll", doc)
    assert not hit("rock AND jazz", doc)


@pytest.mark.parametrize(
    ("query", "position", "reason"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ('cửa "khẩu', 4, "quotation"),
        ("(cửa khẩu", 0, "not closed"),
        ("cửa khẩu)", 8, "no opening"),
        ("cửa AND", 7, "missing at the end"),
        ("OR cửa", 0, "OR needs"),
        ("cửa AND OR khẩu", 8, "OR needs"),
        ("cửa ()", 4, "empty"),
        ("NOT cửa", 0, "must be there"),
        ('cửa ""', 4, "no word"),
        ("cửa ---", 4, "not a word"),
    ],
)
def test_bad_queries_name_the_position(query: str, position: int, reason: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert f"at character {position + 1}" in str(caught.value)
    # Every problem has its code, and the code its Vietnamese sentence (the watch page).
    from monitor.i18n import vi

    assert caught.value.code != "other"
    assert vi(f"watch.query.{caught.value.code}") != f"watch.query.{caught.value.code}"


def test_the_index_evaluates_only_candidates_and_agrees_with_each_rule() -> None:
    queries = ["cửa khẩu", "bắc giang", "NOT bắc giang AND sai", "xã hội OR cao bằng",
               '"nhà ở xã hội"', "mạng xã hội NOT sai"]  # fmt: skip
    index = RuleIndex((q, parse(q)) for q in queries)
    assert index.matching(ARTICLE) == [q for q in queries if hit(q)]
    assert len(index) == len(queries)


WORDS = st.sampled_from(["cửa", "khẩu", "cua", "khau", "lạng", "sơn", "bắc", "xã", "hội", "sai"])


@st.composite
def queries(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        words = draw(st.lists(WORDS, min_size=1, max_size=3))
        return '"' + " ".join(words) + '"' if len(words) > 1 else words[0]
    left, right = draw(queries(depth + 1)), draw(queries(depth + 1))
    op = draw(st.sampled_from(["AND", "OR", "", "AND NOT"]))
    return f"({left} {op} {right})"


@settings(max_examples=200, deadline=None)
@given(st.lists(queries(), min_size=1, max_size=8), st.lists(WORDS, max_size=12))
def test_the_index_never_loses_a_match(qs: list[str], words: list[str]) -> None:
    """Whatever the rules and the item, the anchors never hide a rule that matches."""
    doc = Document.of(" ".join(words))
    parsed = []
    for q in qs:
        try:
            parsed.append((q, parse(q)))
        except QueryError:
            continue
    index = RuleIndex(parsed)
    assert index.matching(doc) == [q for q, p in parsed if p.matches(doc)]
