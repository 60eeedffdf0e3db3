"""Message catalogues: Vietnamese first (vi.json), English second (en.json).

The one place the project's terms get their words: the dashboard translates through it, and
the documents (digest, yearly report, drafts) and the command line take their Vietnamese
names from it with :func:`vi`. Label names come from classifiers/labels.yaml and relevance
parts from monitor/records.py, injected here."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from classifiers.labels import load_labels
from monitor.records import RELEVANCE_PARTS

HERE = Path(__file__).resolve().parent
LANGUAGES = ("vi", "en")
DEFAULT = "vi"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of one language; the labels' names come from classifiers/labels.yaml, the
    one place they are written, and so do the parts of relevance (monitor/records.py)."""
    messages = json.loads((HERE / f"{lang}.json").read_text(encoding="utf-8"))
    for spec in load_labels():
        messages[f"label.{spec.key}"] = spec.name_vi if lang == "vi" else spec.name_en
    for part, (name_vi, name_en) in RELEVANCE_PARTS.items():  # monitor/records.py
        messages[f"relevance.{part}"] = name_vi if lang == "vi" else name_en
    return messages


def translate(lang: str, key: str) -> str:
    """The message for ``key`` in ``lang``, falling back to Vietnamese, then the key."""
    return catalogue(lang).get(key) or catalogue(DEFAULT).get(key) or key


def vi(key: str) -> str:
    """The Vietnamese text of ``key`` (the key itself when there is none: a test forbids it)."""
    return translate("vi", key)
