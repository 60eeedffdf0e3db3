"""Sector relevance on the project's labelled articles: quality against the one-term rule, speed.

The labels (bench/data/sector_gold.jsonl, docs/relevance-labelling.md) name VNTC articles in
../shared/data/news; the texts are read from there and never copied. Writes the "Relevance"
section of BENCHMARKS.md. Skips (exit 0) when the shared data is absent.

    python bench/relevance.py [--news PATH] [--no-write]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

from monitor.collect.relevance import RelevanceRules, Scoring, load_rules  # noqa: E402
from monitor.records import Match  # noqa: E402
from monitor.text.normalize import normalize_line, normalize_text  # noqa: E402

GOLD = ROOT / "bench" / "data" / "sector_gold.jsonl"
OLD_LEXICON = ROOT / "bench" / "data" / "lexicon-2026-11.yaml"  # the one-term rule's lexicon
NEWS = ROOT.parent / "shared" / "data" / "news" / "vntc_train_sample.jsonl"
# The few scoring weights a fold may choose from (everything else is the lexicon's own).
GRID = {
    "weak": (0.3, 0.4, 0.5),
    "title": (2.0, 3.0, 4.0),
    "lead": (1.5, 2.0),
    "length_words": (400.0, 800.0),
    "against": (0.3, 0.5),
    "threshold": (2.5, 3.0, 3.5, 4.0),
}
FOLDS = 5


@dataclasses.dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    sector: bool  # the people's label
    why: str  # for "other": figurative, passing, traffic, finance, other; else the topic
    split: str


def split_article(raw: str) -> tuple[str, str]:
    """VNTC: the first line is the title. Some files have no line breaks at all: no title then
    (a crawled item always has its title apart; here it cannot be told from the body)."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\n" not in raw:
        return "", normalize_text(raw)
    title, _, body = raw.partition("\n")
    return normalize_line(title), normalize_text(body)


def load_docs(news: Path) -> list[Doc]:
    texts = {}
    with news.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts[row["id"]] = row["text"]
    docs = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        title, text = split_article(texts[g["id"]])
        why = g["topic"] if g["label"] == "sector" else g["why"]
        docs.append(Doc(g["id"], title, text, g["label"] == "sector", why, g["split"]))
    return docs


def old_rule(matches: Sequence[Match], rules: RelevanceRules) -> bool:
    """November 2026: one strong term anywhere, or two different weak terms."""
    sector = {m.term for m in matches if m.kind == "sector"}
    return bool(sector & set(rules.strong)) or len(sector & set(rules.weak)) >= 2


def prf(pairs: Sequence[tuple[bool, bool]]) -> tuple[float, float, float, int, int, int]:
    tp = sum(p and y for p, y in pairs)
    fp = sum(p and not y for p, y in pairs)
    fn = sum(y and not p for p, y in pairs)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, fn


def fold_of(doc_id: str) -> int:
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[8:16], 16) % FOLDS


class Scorer:
    """Matches once per document; scores again for any choice of weights."""

    def __init__(self, rules: RelevanceRules, docs: Sequence[Doc]) -> None:
        self.rules = rules
        self.cache = {}
        for d in docs:
            result = rules.assess(d.title, d.text, normalized=True)
            self.cache[d.id] = (result.matches, len(d.title.split()) + len(d.text.split()))

    def predict(self, doc: Doc, scoring: Scoring) -> bool:
        matches, words = self.cache[doc.id]
        return self.rules.sector_score(matches, words, scoring) >= 0.5

    def best(self, docs: Sequence[Doc]) -> Scoring:
        """The grid point with the best F1 on ``docs`` (ties: the first)."""
        base = self.rules.scoring
        best, best_f = base, -1.0
        for values in itertools.product(*GRID.values()):
            scoring = dataclasses.replace(base, **dict(zip(GRID, values, strict=True)))
            f = prf([(self.predict(d, scoring), d.sector) for d in docs])[2]
            if f > best_f:
                best, best_f = scoring, f
        return best


def errors(docs: Sequence[Doc], predict: Callable[[Doc], bool]) -> str:
    fp = Counter(d.why for d in docs if predict(d) and not d.sector)
    fn = Counter(d.why for d in docs if d.sector and not predict(d))
    kinds = ("figurative", "passing", "traffic", "finance", "other")
    head = "| false positives by kind | " + " | ".join(kinds) + " |"
    row = "| | " + " | ".join(str(fp[k]) for k in kinds) + " |"
    missed = ", ".join(f"{k} {n}" for k, n in fn.most_common()) or "none"
    rule = "|" + "---|" * (len(kinds) + 1)
    return f"{head}\n{rule}\n{row}\n\nMissed sector articles by topic: {missed}."


def speed(rules: RelevanceRules, news: Path, runs: int = 5) -> tuple[float, int]:
    with news.open(encoding="utf-8") as fh:
        articles = [split_article(json.loads(line)["text"]) for line in fh]
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for title, text in articles:
            rules.assess(title, text, normalized=True)
        rates.append(len(articles) / (time.perf_counter() - start))
    return statistics.median(rates), len(articles)


def row(name: str, scores: tuple[float, float, float, int, int, int]) -> str:
    p, r, f, tp, fp, fn = scores
    return f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {tp} | {fp} | {fn} |"


def arguments(doc: str) -> argparse.Namespace | None:
    """--news and --no-write; None (after saying why) when the labelled texts are absent."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--news", type=Path, default=NEWS)
    parser.add_argument("--no-write", action="store_true", help="print, do not write")
    args = parser.parse_args()
    if not args.news.exists():
        print(f"skipped: {args.news} is absent (the labelled texts live in ../shared/data)")
        return None
    return args


def main() -> int:
    args = arguments(__doc__)
    if args is None:
        return 0
    docs = load_docs(args.news)
    dev = [d for d in docs if d.split == "dev"]
    held = [d for d in docs if d.split == "holdout"]
    rules, old = load_rules(), load_rules(None, OLD_LEXICON)
    scorer = Scorer(rules, docs)
    old_cache = {d.id: old.assess(d.title, d.text, normalized=True).matches for d in docs}

    def new(d: Doc) -> bool:
        return scorer.predict(d, rules.scoring)

    def one_term(d: Doc) -> bool:
        return old_rule(old_cache[d.id], old)

    folds = []
    for k in range(FOLDS):
        train = [d for d in dev if fold_of(d.id) != k]
        test = [d for d in dev if fold_of(d.id) == k]
        chosen = scorer.best(train)
        folds.append(prf([(scorer.predict(d, chosen), d.sector) for d in test]))
    cv = [statistics.mean(f[i] for f in folds) for i in range(3)]
    rate, n = speed(rules, args.news)
    old_rate, _ = speed(old, args.news)
    grid_points = math.prod(map(len, GRID.values()))
    table = "| rule | precision | recall | F1 | tp | fp | fn |\n|---|---|---|---|---|---|---|"
    body = f"""
Sector relevance ("is this article about the construction sector?") on the project's labelled
set: {len(docs)} VNTC articles read by people (`bench/data/sector_gold.jsonl`, guide in
`docs/relevance-labelling.md`), {len(held)} of them held out ({sum(d.sector for d in held)}
sector) and never used to choose a term or a weight. The set over-represents articles with
sector words (all the one-term rule's hits, near misses, a random rest), so these figures
describe the hard part of the stream.

### Held out ({len(held)} articles)
{table}
{row("score (lexicon.yaml as shipped)", prf([(new(d), d.sector) for d in held]))}
{row("one-term rule (November 2026)", prf([(one_term(d), d.sector) for d in held]))}

Score, held out:
{errors(held, new)}

One-term rule, held out:
{errors(held, one_term)}

### Development part ({len(dev)} articles), {FOLDS}-fold cross-validated
Each fold chooses the scoring weights from a small grid ({grid_points} points: weak,
title, lead, length_words, against, threshold) on the other four folds and is scored on its own.
The lexicon's terms were written while reading the development part's errors, so these
figures are optimistic for the terms; the held-out table above is not.

| | precision | recall | F1 |
|---|---|---|---|
| mean of {FOLDS} folds | {cv[0]:.3f} | {cv[1]:.3f} | {cv[2]:.3f} |
{chr(10).join(f"| fold {k} | {f[0]:.3f} | {f[1]:.3f} | {f[2]:.3f} |" for k, f in enumerate(folds))}

In-sample on the whole development part, weights as shipped:
{table}
{row("score", prf([(new(d), d.sector) for d in dev]))}
{row("one-term rule", prf([(one_term(d), d.sector) for d in dev]))}

### Speed
`assess` (places and sector, reason included) on all {n:,} VNTC articles, already normalised,
one process: median of 5 runs **{rate:,.0f} articles/s** (one-term rule's lexicon:
{old_rate:,.0f}/s).
"""
    if args.no_write:
        print(body)
    else:
        write_section("Relevance", body)
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
