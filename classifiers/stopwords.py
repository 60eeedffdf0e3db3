"""Vietnamese function words that never make evidence on their own or at a phrase's edge.

Written for this project: tense and voice markers, quantifiers, conjunctions, prepositions,
pronouns, classifiers, discourse particles and degree adverbs. The list is for explanations
only (the model itself still sees every syllable). Text typed without diacritics is matched
through its accent-free key, so "da", "bi", "duoc" count as "đã", "bị", "được"; a few content
words share such a key (e.g. "dân" and "dần" do not, but "ca" may be "cá"), which only means
they cannot stand alone as evidence in undiacritised text.
"""

from __future__ import annotations

from functools import lru_cache

from monitor.text.normalize import fold_key, has_diacritics

__all__ = ["STOPWORDS", "is_stopword"]

_WORDS = """
    đã đang sẽ bị được vừa mới từng sắp hãy đừng chớ nên cần phải có không chưa chẳng chả
    những các mọi mỗi từng toàn cả tất mấy vài nhiều ít một hai ba
    thì là và với của nhưng mà hay hoặc nếu tuy dù vì do nên để cho bởi rằng như
    này đó đấy kia ấy nọ đây thế vậy sao nào gì ai đâu bao
    cũng vẫn còn lại rồi nữa đều chỉ ngay luôn cứ thôi thật rất quá lắm hơn nhất khá hẳn
    trong ngoài trên dưới về ra vào lên xuống tới đến từ tại ở qua theo sau trước giữa bằng cùng
    khi lúc hết nhau tự
    tôi ta mình tao tớ họ nó hắn chúng bạn ông bà anh chị em cô chú bác
    cái con chiếc việc sự cuộc điều
    à ạ ơi nhé nha nhỉ ư hả chứ đi
"""
STOPWORDS: frozenset[str] = frozenset(_WORDS.split())


@lru_cache(maxsize=1)
def _folded() -> frozenset[str]:
    return frozenset(fold_key(word) for word in STOPWORDS)


def is_stopword(syllable: str) -> bool:
    """True for a function word (lower-cased; without diacritics, by its accent-free key)."""
    low = syllable.lower()
    if low in STOPWORDS:
        return True
    return not has_diacritics(low) and fold_key(low) in _folded()
