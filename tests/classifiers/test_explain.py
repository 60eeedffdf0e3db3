"""Evidence phrases: meaningful words of the text, merged, with exact spans."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from classifiers.explain import MAX_RUN, phrases_from_credit
from classifiers.stopwords import is_stopword
from monitor.text.normalize import normalize_text

TEXTS = [
    'Chợ Đông Kinh "bị bịa đặt" là sắp sập!!! Đừng tin, đó là tin đồn...',
    "Bọn quan chức lũ ăn hại cút hết đi. Đồ lũ sâu mọt đáng bị treo cổ!",
    "Cầu Kỳ Lừa bị xuyên tạc số liệu vốn đầu tư, nhưng thì là và của những các.",
    "Khu nhà ở xã hội &quot;kêu gọi mọi người kéo đến đập phá&quot; – tin số 3.",
]


def _syllables(phrase: str) -> list[str]:
    return re.findall(r"\w+", phrase)


def _all_evidence(model):
    for text in TEXTS:
        for label in model.review_labels:
            yield text, model.explain(text, label, top=8)


def test_no_punctuation_or_function_word_alone(four_class):
    model, _texts, _labels = four_class
    seen = 0
    for _text, evidence in _all_evidence(model):
        for e in evidence:
            seen += 1
            words = _syllables(e.phrase)
            assert words, f"punctuation-only evidence {e.phrase!r}"
            assert not all(is_stopword(w) for w in words), e.phrase
            assert not is_stopword(words[0]) and not is_stopword(words[-1]), e.phrase
            assert e.phrase == e.phrase.strip()
    assert seen > 0


def test_multi_word_phrases_appear(four_class):
    model, _texts, _labels = four_class
    evidence = model.explain("Chợ Đông Kinh bị bịa đặt là sắp sập, mọi người đừng tin.",
                             "distorted")
    assert any(len(_syllables(e.phrase)) >= 2 for e in evidence)
    hostile = model.explain(TEXTS[1], "hostile")
    assert any(len(_syllables(e.phrase)) >= 2 for e in hostile)


def test_spans_match_normalised_text(four_class):
    model, _texts, _labels = four_class
    nfd = unicodedata.normalize("NFD", TEXTS[1])
    for text in [*TEXTS, nfd]:
        normal = normalize_text(text)
        for label in model.labels:
            evidence = model.explain(text, label, top=8)
            spans = sorted((e.start, e.end) for e in evidence)
            for e in evidence:
                assert normal[e.start : e.end] == e.phrase
                assert e.weight > 0
            for (_a, b), (c, _d) in zip(spans, spans[1:], strict=False):
                assert b <= c, "evidence spans overlap"


def _units(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\d+(?:[.,]\d+)+|\w+", text)]


def test_adjacent_evidence_merges_and_weights_add():
    text = "họ nói lũ sâu dân mọt đã bị đuổi"
    units = _units(text)
    credit = np.array([0.0, 0.0, 0.5, 0.4, 0.3, 0.2, 0.0, 0.0, 0.0])
    (weight, start, end), = phrases_from_credit(text, units, credit)
    assert text[start:end] == "lũ sâu dân mọt"
    assert abs(weight - 1.4) < 1e-9


def test_function_words_trimmed_and_clauses_kept_apart():
    text = "đã bị đóng cửa, vĩnh viễn thì"
    units = _units(text)
    credit = np.array([0.9, 0.9, 0.2, 0.2, 0.3, 0.3, 0.5])
    got = {text[s:e] for _w, s, e in phrases_from_credit(text, units, credit)}
    assert got == {"đóng cửa", "vĩnh viễn"}


def test_weak_function_word_bridges_but_strong_negative_breaks():
    text = "đội vốn và rút ruột"
    units = _units(text)
    bridged = np.array([0.4, 0.4, -0.05, 0.3, 0.3])
    phrases = [text[s:e] for _w, s, e in phrases_from_credit(text, units, bridged)]
    assert phrases == ["đội vốn và rút ruột"]
    broken = bridged.copy()
    broken[2] = -1.0
    phrases = [text[s:e] for _w, s, e in phrases_from_credit(text, units, broken)]
    assert phrases == ["đội vốn", "rút ruột"]


def test_long_runs_split_at_function_words():
    text = "đội vốn gấp bốn lần và tham nhũng"
    units = _units(text)
    credit = np.array([0.4, 0.4, 0.2, 0.1, 0.2, -0.05, 0.3, 0.3])
    phrases = {text[s:e] for _w, s, e in phrases_from_credit(text, units, credit)}
    assert phrases == {"đội vốn gấp bốn lần", "tham nhũng"}
    assert all(len(_syllables(p)) <= MAX_RUN for p in phrases)


def test_repeated_phrase_counts_once_at_its_first_span():
    text = "quan tham. Lại quan tham"
    units = _units(text)
    credit = np.array([0.3, 0.3, -0.1, 0.2, 0.2])
    (weight, start, end), = phrases_from_credit(text, units, credit)
    assert (start, end) == (0, 9) and abs(weight - 1.0) < 1e-9


def test_stopwords_match_text_typed_without_diacritics():
    assert is_stopword("đã") and is_stopword("Được") and is_stopword("duoc")
    assert not is_stopword("tham") and not is_stopword("sập")
