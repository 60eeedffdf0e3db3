"""Why an item was flagged, in an analyst's words.

One sentence per flag: the label's Vietnamese name, the score against the threshold, the
phrases that carry meaning (no grammatical or generic media words, no place names alone),
the labelled examples it resembles, and writing style only where it reads as a reason
("nhiều dấu chấm than", never "ít dấu chấm than" or "bài dài hơn thường lệ").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from classifiers.labels import load_labels

from ..collect.relevance import RelevanceRules, default_rules
from ..text.normalize import fold_key
from ..text.stopwords import GENERIC, STOP

_WORD = re.compile(r"\w+")
# Style measures that read as a reason when they are high; the others (length, line breaks)
# are signals for the model, not arguments for a person.
READABLE_STYLE = {
    "capitals": "nhiều chữ in hoa",
    "exclamations": "nhiều dấu chấm than",
    "questions": "nhiều dấu chấm hỏi",
    "hashtags": "nhiều hashtag",
    "symbols": "nhiều biểu tượng, emoji",
    "digits": "nhiều con số",
    "links": "nhiều đường dẫn",
}
PHRASES_SHOWN = 4


@dataclass(frozen=True, slots=True)
class FlagInputs:
    """What the classifier said about one flagged label of one item."""

    label: str
    score: float
    threshold: float | None
    phrases: Sequence[str]
    signals: Sequence[dict[str, Any]]  # {name, weight, value, detail}
    narrative_of: int | None = None
    narrative_similarity: float | None = None


@cache
def label_names() -> dict[str, str]:
    """Label key -> Vietnamese name, from classifiers/labels.yaml."""
    return {spec.key: spec.name_vi for spec in load_labels()}


def meaningful(phrase: str, rules: RelevanceRules | None = None) -> bool:
    """True when a phrase says something: two content words, or one with a figure, once
    grammatical words, generic media words and Lạng Sơn place names are set aside."""
    rules = rules or default_rules()
    text = phrase
    for match in rules.assess(phrase, "").matches:
        if match.kind == "place":
            for _where, start, end in match.spans:
                text = text[:start] + " " * (end - start) + text[end:]
    content = [w for w in _WORD.findall(fold_key(text)) if w not in STOP and w not in GENERIC]
    if len(content) >= 2:
        return True
    return len(content) == 1 and any(c.isdigit() for c in content[0] + phrase)


def useful_phrases(
    phrases: Sequence[str], limit: int, rules: RelevanceRules | None = None
) -> list[str]:
    """The first ``limit`` meaningful phrases, without repeats (accent-insensitive)."""
    out: list[str] = []
    seen: set[str] = set()
    for phrase in phrases:
        key = " ".join(_WORD.findall(fold_key(phrase)))
        if key in seen or not meaningful(phrase, rules):
            continue
        seen.add(key)
        out.append(phrase)
        if len(out) == limit:
            break
    return out


def readable_signals(signals: Sequence[dict[str, Any]], label: str) -> list[str]:
    """Signals an analyst reads as reasons, in Vietnamese; the rest are left out."""
    out = []
    for s in signals:
        kind, _, rest = str(s.get("name", "")).partition(":")
        value = float(s.get("value", 0.0))
        if kind in ("nearest", "nearest5") and rest == label:
            name = label_names().get(label, label)
            out.append(f"giống các ví dụ «{name}» đã gán nhãn (tương đồng {_num(value)})")
        elif kind == "style" and rest in READABLE_STYLE and value > 0:
            out.append(f"văn phong: {READABLE_STYLE[rest]}")
    return list(dict.fromkeys(out))


def sentence(flag: FlagInputs) -> str:
    """ "Gắn cờ Xuyên tạc: điểm 0,97 ≥ ngưỡng 0,62; cụm từ: “...”; ..." (one line)."""
    name = label_names().get(flag.label, flag.label)
    head = f"Gắn cờ {name}: điểm {_num(flag.score)}"
    if flag.threshold is not None:
        head += f" ≥ ngưỡng {_num(flag.threshold)}" if flag.score >= flag.threshold else ""
    parts = [head]
    if flag.narrative_of is not None:
        similar = (
            f" (tương đồng {_num(flag.narrative_similarity)})" if flag.narrative_similarity else ""
        )
        parts.append(f"lặp lại nội dung của tin #{flag.narrative_of} đã xác nhận{similar}")
    if flag.phrases:
        parts.append("cụm từ: " + ", ".join(f"“{p}”" for p in flag.phrases))
    parts += readable_signals(flag.signals, flag.label)
    return "; ".join(parts)


def _num(value: float | None) -> str:
    return f"{value or 0:.2f}".replace(".", ",")
