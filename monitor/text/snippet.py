"""The text a classifier reads for an item, and short extracts of it for people."""

from __future__ import annotations


def item_text(title: str, text: str) -> str:
    """What the classifier reads for an item: the title, then the body."""
    return f"{title}\n{text}" if title and not text.startswith(title) else text


def body_shift(title: str, text: str) -> int:
    """Where the body starts in :func:`item_text`: subtract it from an offset into the
    classifier's input to get an offset into the body (stored evidence is body-relative)."""
    return len(item_text(title, text)) - len(text)


def snippet(text: str, start: int, end: int, width: int = 70) -> str:
    """The words around text[start:end], cut at word boundaries, with ellipses."""
    a, b = max(0, start - width), min(len(text), end + width)
    if a > 0:
        space = text.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    if b < len(text):
        space = text.rfind(" ", end, b)
        b = space if space >= 0 else b
    head = "…" if a > 0 else ""
    tail = "…" if b < len(text) else ""
    return head + " ".join(text[a:b].split()) + tail
