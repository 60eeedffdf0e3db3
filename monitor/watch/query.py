"""The query language of watch rules, and matching many rules against one item fast.

A query is words and "quoted phrases" joined by AND, OR and NOT (upper case; a lower-case
"and" is a word) with parentheses; two terms side by side mean AND, and AND binds tighter than
OR. Every term goes through the one normaliser (monitor.text.normalize) and is matched on whole
words. A term typed without diacritics ("cua khau") matches with or without them ("cửa khẩu",
"cua khau"); a term typed with them matches only that spelling, whatever its HTML entities,
Unicode form or tone-mark placement ("hoà" and "hòa" are one spelling). A bad query raises
QueryError with the position (0-based, in characters) of the problem.

Matching 1,000 rules against an item does not evaluate 1,000 rules: each rule has anchors,
words without which it cannot match (the rarest-looking word of an AND, every branch of an
OR); ``RuleIndex`` keeps the rules under their anchors and evaluates only those whose anchor
the item contains, plus the few rules that have none (a NOT at the top).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..text.normalize import (
    fold_key,
    fold_normalized,
    has_diacritics,
    normalize_line,
    normalize_text,
)

__all__ = ["QueryError", "Query", "parse", "Document", "RuleIndex"]

OPERATORS = ("AND", "OR", "NOT")
MAX_LENGTH = 2000
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"?|[^\s()"]+')


class QueryError(ValueError):
    """A query that cannot be read; ``position`` is where the problem is (0-based), ``code``
    names the problem for a translated message (the catalogue's watch.query.<code>, with
    ``params``)."""

    def __init__(self, message: str, position: int, code: str = "other",
                 params: tuple[object, ...] = ()) -> None:  # fmt: skip
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class Document:
    """An item's words, once: with diacritics (normalised, lower case) and without them.
    The spaced strings hold every word between single spaces, for phrases."""

    words: frozenset[str]
    folded: frozenset[str]
    spaced: str
    spaced_folded: str

    @classmethod
    def of(cls, *parts: str | None) -> Document:
        """The words of any text (normalised here)."""
        return cls.of_stored(normalize_text("\n".join(p for p in parts if p)))

    @classmethod
    def of_stored(cls, *parts: str | None) -> Document:
        """The words of stored text, which was normalised when it was collected (the one
        normaliser is idempotent: this only skips doing it twice)."""
        text = "\n".join(p for p in parts if p).casefold()
        words = _WORD.findall(text)
        folded = _WORD.findall(fold_normalized(text))
        return cls(frozenset(words), frozenset(folded),
                   " " + " ".join(words) + " ", " " + " ".join(folded) + " ")  # fmt: skip


# -- the tree -----------------------------------------------------------------------------------
class Node:
    def matches(self, doc: Document) -> bool:
        raise NotImplementedError

    def anchors(self) -> frozenset[tuple[bool, str]] | None:
        """(folded, word) pairs of which the item must hold at least one; None: no such set."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Term(Node):
    words: tuple[str, ...]  # one word, or the words of a phrase
    folded: bool  # typed without diacritics: matched on the accent-free words
    needle: str = ""  # a phrase's words between single spaces, as found in Document.spaced

    def __post_init__(self) -> None:
        object.__setattr__(self, "needle", " " + " ".join(self.words) + " ")

    def matches(self, doc: Document) -> bool:
        if len(self.words) == 1:
            return self.words[0] in (doc.folded if self.folded else doc.words)
        return self.needle in (doc.spaced_folded if self.folded else doc.spaced)

    def anchors(self) -> frozenset[tuple[bool, str]] | None:
        return frozenset({(self.folded, max(self.words, key=len))})

    def __str__(self) -> str:
        return self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node

    def matches(self, doc: Document) -> bool:
        return not self.child.matches(doc)

    def anchors(self) -> frozenset[tuple[bool, str]] | None:
        return None

    def __str__(self) -> str:
        return f"NOT {self.child}"


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]

    def matches(self, doc: Document) -> bool:
        return all(child.matches(doc) for child in self.children)

    def anchors(self) -> frozenset[tuple[bool, str]] | None:
        # Any one child's anchors will do: the smallest set of the longest words.
        sets = [a for a in (c.anchors() for c in self.children) if a is not None]
        if not sets:
            return None
        return min(sets, key=lambda s: (len(s), -min(len(w) for _, w in s)))

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]

    def matches(self, doc: Document) -> bool:
        return any(child.matches(doc) for child in self.children)

    def anchors(self) -> frozenset[tuple[bool, str]] | None:
        found: set[tuple[bool, str]] = set()
        for child in self.children:
            anchors = child.anchors()
            if anchors is None:
                return None
            found |= anchors
        return frozenset(found)

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.children)) + ")"


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the text as typed and its tree."""

    text: str
    root: Node

    def matches(self, doc: Document) -> bool:
        return self.root.matches(doc)


# -- the parser ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # word, phrase, and, or, not, open, close
    text: str
    pos: int


def _tokens(query: str) -> list[_Tok]:
    found = []
    for m in _TOKEN.finditer(query):
        raw, pos = m.group(0), m.start()
        if raw.isspace():
            continue
        if raw == "(":
            found.append(_Tok("open", raw, pos))
        elif raw == ")":
            found.append(_Tok("close", raw, pos))
        elif raw.startswith('"'):
            if len(raw) < 2 or not raw.endswith('"'):
                raise QueryError("a quotation mark is not closed", pos, "quote")
            found.append(_Tok("phrase", raw[1:-1], pos))
        elif raw in OPERATORS:
            found.append(_Tok(raw.lower(), raw, pos))
        else:
            found.append(_Tok("word", raw, pos))
    return found


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _tokens(query)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def end(self) -> int:
        return len(self.query)

    def parse(self) -> Node:
        if not self.toks:
            raise QueryError("the query is empty", 0, "empty")
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ")" stops an expression early
            raise QueryError("this closing parenthesis has no opening one", tok.pos, "stray_close")
        if node.anchors() is None and _only_negative(node):
            raise QueryError("a query needs at least one word that must be there", 0, "only_not")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "close"):
            if tok.kind == "and":
                self.i += 1
            parts.append(self.not_expr())
        # Cheapest first (a word, a phrase, then groups and negations): same truth, and most
        # items are rejected by one set lookup.
        return parts[0] if len(parts) == 1 else And(tuple(sorted(parts, key=_cost)))

    def not_expr(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "not":
            self.i += 1
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("a word or a phrase is missing at the end", self.end(), "missing_end")
        self.i += 1
        if tok.kind == "open":
            if (nxt := self.peek()) is not None and nxt.kind == "close":
                raise QueryError("the parentheses are empty", tok.pos, "empty_parens")
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "close":
                raise QueryError("this parenthesis is not closed", tok.pos, "unclosed")
            self.i += 1
            return node
        if tok.kind in ("word", "phrase"):
            return _term(tok)
        if tok.kind == "close":
            raise QueryError(
                "a word or a phrase is missing before this parenthesis", tok.pos, "before_paren"
            )
        raise QueryError(
            f"{tok.text} needs a word or a phrase before and after it",
            tok.pos,
            "operator",
            (tok.text,),
        )


def _term(tok: _Tok) -> Term:
    text = normalize_line(tok.text).casefold()
    folded = not has_diacritics(text)
    words = tuple(_WORD.findall(fold_key(text) if folded else text))
    if not words:
        if tok.kind == "phrase":
            raise QueryError("the phrase holds no word", tok.pos, "phrase_empty")
        raise QueryError("this is not a word", tok.pos, "not_word")
    return Term(words, folded)


def _cost(node: Node) -> int:
    if isinstance(node, Term):
        return 0 if len(node.words) == 1 else 1
    return 3 if isinstance(node, Not) else 2


def _only_negative(node: Node) -> bool:
    """True when nothing in the query is required to be present (NOT x, NOT x OR NOT y)."""
    if isinstance(node, Not):
        return True
    if isinstance(node, Or):
        return any(_only_negative(c) for c in node.children)
    if isinstance(node, And):
        return all(_only_negative(c) for c in node.children)
    return False


def parse(query: str) -> Query:
    """Read a query, or raise QueryError saying where it goes wrong."""
    if len(query) > MAX_LENGTH:
        raise QueryError(
            f"the query is longer than {MAX_LENGTH} characters",
            MAX_LENGTH,
            "too_long",
            (MAX_LENGTH,),
        )
    return Query(query, _Parser(query).parse())


# -- many rules, one item -----------------------------------------------------------------------
R = TypeVar("R")


class RuleIndex(Generic[R]):
    """Rules kept under their anchor words; ``matching`` evaluates only the candidates."""

    def __init__(self, rules: Iterable[tuple[R, Query]]) -> None:
        self._by_word: dict[tuple[bool, str], list[int]] = {}
        self._always: list[int] = []
        self._rules: list[tuple[R, Query]] = list(rules)
        for i, (_, query) in enumerate(self._rules):
            anchors = query.root.anchors()
            if anchors is None:
                self._always.append(i)
                continue
            for key in anchors:
                self._by_word.setdefault(key, []).append(i)

    def __len__(self) -> int:
        return len(self._rules)

    def matching(self, doc: Document) -> list[R]:
        """The rules whose query matches ``doc``, in the order they were given."""
        candidates = set(self._always)
        by_word = self._by_word
        for word in doc.words:
            if (hit := by_word.get((False, word))) is not None:
                candidates.update(hit)
        for word in doc.folded:
            if (hit := by_word.get((True, word))) is not None:
                candidates.update(hit)
        return [self._rules[i][0] for i in sorted(candidates) if self._rules[i][1].matches(doc)]
