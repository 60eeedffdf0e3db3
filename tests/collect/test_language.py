"""Offline language detection."""

from __future__ import annotations

import socket
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from monitor.collect import language
from monitor.collect.language import detect_language

VIETNAMESE = "Ủy ban nhân dân tỉnh Lạng Sơn vừa họp đánh giá tiến độ các công trình trọng điểm."
ENGLISH = "The provincial committee met to review the progress of key construction projects."
CHINESE = "谅山省人民委员会召开会议，评估重点建设项目的进度，并要求加快施工。"
# The same Vietnamese sentence typed without diacritics, as on some forums and comments.
NO_DIACRITICS = (
    "Chieu qua, doan cong tac cua tinh da den Lang Son de lam viec voi lanh dao huyen ve tien "
    "do giai phong mat bang du an cao toc, nguoi dan dong tinh va mong som duoc ban giao dat "
    "tai dinh cu."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VIETNAMESE, "vi"),
        (unicodedata.normalize("NFD", VIETNAMESE), "vi"),
        (ENGLISH, "en"),
        (CHINESE, "zh"),
        # Documented behaviour: accent-free Vietnamese of a paragraph's length is still "vi"
        # thanks to the restricted language set; one short sentence may come back "en" or "fr".
        (NO_DIACRITICS, "vi"),
    ],
)
def test_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Lạng Sơn", "12/05/2025 08:30", "Xem thêm >>"])
def test_too_short_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("language detection tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    identifier = language._load_identifier()
    assert identifier.classify(VIETNAMESE)[0] == "vi"


def test_thread_safe_lazy_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    loads = []
    real = language._load_identifier

    def counting() -> object:
        loads.append(1)
        return real()

    monkeypatch.setattr(language, "_identifier", None)
    monkeypatch.setattr(language, "_load_identifier", counting)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(detect_language, [VIETNAMESE, ENGLISH] * 4))
    assert results == ["vi", "en"] * 4
    assert len(loads) == 1
