"""Whole-word search of many terms over folded Vietnamese text, diacritics respected.

Terms are compiled once into one regular expression over a folded copy of the normalised text
(lower case, no diacritics, one character for one, so a span found in the folded copy is the
same span in the normalised text). A span found on the folded key then has to agree with the
written term word by word: each word is either typed without diacritics or carries the term's
own diacritics ("Lang Son" and "Lạng Sơn" count, "Láng Sơn" does not).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from monitor.text.normalize import fold_key, has_diacritics

__all__ = ["Term", "Matcher", "fold", "canon", "words", "capitalised", "LETTER", "WORD"]

_DASHES = "-–—"
_SEPARATOR = re.compile(rf"(\s*[{_DASHES}]\s*|\s+)")
WORD = re.compile(r"\w+")
# Words end where letters end: "Lạng Sơn57." (a list glued by a bad extraction) still matches.
LETTER = r"[^\W\d_]"


def _fold_table() -> dict[int, str]:
    # One character in, one character out, so spans line up; everything else is left as is.
    table: dict[int, str] = {}
    for code in chain(range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        key = fold_key(chr(code))
        if len(key) == 1 and key != chr(code):
            table[code] = key
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    return text.translate(_FOLD)


def canon(folded: str) -> str:
    """One spelling of separators: any run of spaces is one space, any dash is " - "."""
    return "".join(
        (" - " if part.strip() else " ") if i % 2 else part
        for i, part in enumerate(_SEPARATOR.split(folded))
    )


def words(text: str) -> list[str]:
    return [w for i, w in enumerate(_SEPARATOR.split(text)) if i % 2 == 0 and w]


def _splits_number(folded: str, start: int, end: int) -> bool:
    """True when a term starting or ending with a digit is cut out of a longer number."""
    before, after = folded[start - 1 : start] if start else "", folded[end : end + 1]
    return (before + folded[start]).isdigit() or (folded[end - 1] + after).isdigit()


def _same_accents(written: str, term: str) -> bool:
    """True when each written word is accent-free or carries the term word's own diacritics."""
    pairs = zip(words(written), words(term), strict=False)
    return all(not has_diacritics(w) or w.casefold() == t.casefold() for w, t in pairs)


def capitalised(written: str) -> bool:
    """True when every word starts with a capital letter ("Mẫu Sơn", not "mẫu sơn")."""
    return all(w[0].isupper() for w in words(written))


def _trie_regex(terms: list[str]) -> str:
    """One regular expression for many folded terms, shared prefixes factored out (fast)."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for unit in _units(term):
            node = node.setdefault(unit, {})
        node[""] = {}
    return _node_regex(trie)


def _units(term: str) -> Iterator[str]:
    for i, part in enumerate(_SEPARATOR.split(term)):
        if i % 2:
            yield "\x00dash" if part.strip() else "\x00space"
        else:
            yield from part


def _node_regex(node: dict[str, Any]) -> str:
    optional = "" in node
    branches = []
    for unit, child in sorted((u, c) for u, c in node.items() if u):
        if unit == "\x00space":
            head = r"\s+"
        elif unit == "\x00dash":
            head = rf"\s*[{_DASHES}]\s*"
        else:
            head = re.escape(unit)
        branches.append(head + _node_regex(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:  # greedy: the longer term is tried first, the shorter one is the fallback
        return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
    return body


@dataclass(frozen=True, slots=True)
class Term:
    """One spelling to find; ``payload`` says what it stands for (kind, canonical name)."""

    written: str  # normalised spelling from the YAML file
    payload: tuple[str, str]  # kind: place, context, strong, weak, exclude


class Matcher:
    """Leftmost-longest whole-word search of many terms over folded text."""

    def __init__(self, terms: list[Term]) -> None:
        self._by_key: dict[str, list[Term]] = {}
        for term in terms:
            self._by_key.setdefault(canon(fold(term.written)), []).append(term)
        alternatives = sorted(self._by_key)
        body = _trie_regex(alternatives) if alternatives else r"(?!x)x"
        self._pattern = re.compile(rf"(?<!{LETTER}){body}(?!{LETTER})")

    def find(
        self, text: str, folded: str, pos: int = 0, endpos: int | None = None
    ) -> Iterator[tuple[Term, int, int]]:
        """Yield (term, start, end) of every accepted match; ``folded`` is ``text`` folded."""
        endpos = len(folded) if endpos is None else endpos
        while (found := self._pattern.search(folded, pos, endpos)) is not None:
            start, end = found.span()
            term = self._accept(text, folded, start, end)
            while term is None and end > start:
                # The longest spelling was refused on its diacritics: try shorter ones here.
                shorter = self._pattern.match(folded, start, end - 1)
                if shorter is None:
                    break
                end = shorter.end()
                if re.match(LETTER, folded[end : end + 1]):
                    continue  # cut inside a word by the end limit, not a real boundary
                term = self._accept(text, folded, start, end)
            if term is None:
                pos = start + 1
                continue
            yield term, start, end
            pos = end

    def _accept(self, text: str, folded: str, start: int, end: int) -> Term | None:
        if _splits_number(folded, start, end):
            return None
        candidates = self._by_key.get(canon(folded[start:end]), [])
        written = text[start:end]
        return next((t for t in candidates if _same_accents(written, t.written)), None)
