"""The one Vietnamese text normaliser: every match, hash, index and model input goes through it.

Steps, in order: HTML entities decoded (to a fixed point, so the result is idempotent),
Unicode NFC, one tone-mark convention (the traditional placement used by most Vietnamese
newsrooms: hòa, khỏe, thủy, not hoà, khoẻ, thuỷ), zero-width characters dropped, every kind of
space folded to a plain space, runs of spaces collapsed, paragraphs kept as single newlines.

``fold_key`` adds an accent-free, lower-case key for text typed without diacritics
("lang son" finds "Lạng Sơn").
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "normalize_text", "normalize_line", "fold_key", "fold_normalized", "has_diacritics",
    "printable", "TONE_MARKS",
]

# Combining tone marks in NFD: grave, acute, tilde, hook above, dot below.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# C0 and C1 controls (newline and tab kept), DEL, lone surrogates and the noncharacters
# U+FFFE/U+FFFF: crawled text may carry any of them, and XML (DOCX), PDF and CSV outputs
# refuse or mangle them.
_CONTROLS = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
     *range(0xD800, 0xE000), 0xFFFE, 0xFFFF],
    None,
)  # fmt: skip
_STRIP = {**_ZERO_WIDTH, **_CONTROLS}
# Any Unicode space separator, tab, form feed, vertical tab: all become one plain space.
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_LETTER = r"[^\W\d_]"
# oa, oe, uy with a tone on the second vowel and nothing after them in the syllable.
# NFD letters: the tone is a combining mark straight after the second vowel.
# Not after another vowel (so "ngoại" is left alone) and "uy" not after q ("quý" keeps its
# tone on y, where qu- is a consonant).
_NEW_STYLE = re.compile(
    r"(?<![aăâeêioôơuưyAĂÂEÊIOÔƠUƯY\u0302\u0306\u031b])"  # no vowel (or vowel mark) before
    r"(?:(?<![qQ])([uU])([yY])|([oO])([aAeE]))"
    r"([" + TONE_MARKS + r"])"
    r"(?!" + _LETTER + r"|[\u0300-\u036f])",
    re.UNICODE,
)


def _old_style(match: re.Match[str]) -> str:
    first = match.group(1) or match.group(3)
    second = match.group(2) or match.group(4)
    return first + match.group(5) + second


def _unescape(text: str) -> str:
    # Decode until nothing changes: "&amp;amp;" from a double-escaping CMS ends as "&".
    while "&" in text:
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def _place_tones(text: str) -> str:
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _NEW_STYLE.sub(_old_style, nfd))


def normalize_text(text: str | None) -> str:
    """Return ``text`` in the project's one canonical form (paragraphs kept as newlines)."""
    if not text:
        return ""
    text = _unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_STRIP)
    text = _place_tones(text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()


def printable(text: str) -> str:
    """``text`` without the characters no document format accepts (controls but newline and
    tab, lone surrogates, noncharacters): for text stored before normalisation removed them."""
    return text.translate(_CONTROLS)


def normalize_line(text: str | None) -> str:
    """Like :func:`normalize_text` but on one line (titles, names, search queries)."""
    return normalize_text(text).replace("\n", " ")


_STRIP_MARKS = re.compile(r"[\u0300-\u036f]")


def fold_key(text: str | None) -> str:
    """Accent-free, case-folded, single-spaced key: ``fold_key("Lạng  Sơn") == "lang son"``."""
    return fold_normalized(normalize_line(text).casefold())


def fold_normalized(text: str) -> str:
    """The accent-free form of text already normalised and case-folded (``fold_key``'s last
    step, for callers that hold both forms and must not normalise twice)."""
    text = text.replace("đ", "d")
    return _STRIP_MARKS.sub("", unicodedata.normalize("NFD", text))


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries any Vietnamese diacritic (or đ)."""
    return fold_key(text) != normalize_line(text).casefold()
