"""Measure near-duplicate clustering on real articles and choose its defaults.

Data: ../shared/data/news/vntc_train_sample.jsonl (real VNTC articles; the first line of
``text`` is the title). Positives are syndicated copies made here from each article: a
paragraph or sentence dropped, a "Theo ..." line and boilerplate lines added, the title
re-punctuated, or (hardest) only the first part of the article kept. Negatives are pairs of
different articles with the same ``topic`` label, the same pairs with two sentences of one
pasted into the other (two stories sharing background), and random pairs.

    .venv/bin/python bench/cluster.py [--limit N] [--rows 100000] [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import write_section  # noqa: E402
from monitor.collect import cluster  # noqa: E402
from monitor.text.normalize import fold_key  # noqa: E402

SHARED = Path(os.environ.get("MONITOR_SHARED_DATA", ROOT / ".." / "shared" / "data"))
DATA = SHARED / "news" / "vntc_train_sample.jsonl"
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)

OUTLETS = ["Báo Lạng Sơn", "VnExpress", "Tuổi Trẻ", "Báo Xây dựng", "Thanh Niên", "VietnamPlus"]
BOILERPLATE = [
    "Chia sẻ bài viết lên Facebook",
    "Bình luận (0)",
    "Xem thêm: Tin mới nhất trong ngày",
    "Theo dõi chúng tôi trên Zalo để nhận tin nhanh",
    "Thứ Hai, 12/05/2025 08:30 (GMT+7)",
    "Tin liên quan",
    "Bản quyền thuộc về cơ quan báo chí. Ghi rõ nguồn khi phát hành lại.",
]


@dataclass(frozen=True)
class Doc:
    topic: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


Pair = tuple[Doc, Doc]


def load(limit: int | None) -> list[Doc]:
    docs = []
    with DATA.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            lines = [p.strip() for p in row["text"].splitlines() if p.strip()]
            if len(lines) >= 2:
                docs.append(Doc(row["topic"], lines[0], tuple(lines[1:])))
    docs = [d for d in docs if len(fold_key(d.text).split()) >= cluster.MIN_WORDS]
    return docs[:limit] if limit else docs


# --- Syndicated variants -----------------------------------------------------------------


def retitle(title: str, rng: random.Random) -> str:
    """Re-punctuate a title the way another outlet might."""
    options = [
        lambda t: t.replace(":", " –") if ":" in t else t + ".",
        lambda t: t.rstrip(".!?") + "!",
        lambda t: "“" + t.strip("\"'“”") + "”",
        lambda t: t.replace(",", " -"),
        lambda t: t.upper(),
    ]
    return rng.choice(options)(title)


def drop_one(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Drop a random paragraph, or a random sentence when there are few paragraphs."""
    if len(paragraphs) >= 4:
        del paragraphs[rng.randrange(1, len(paragraphs))]
        return paragraphs
    i = rng.randrange(len(paragraphs))
    sentences = re.split(r"(?<=[.!?])\s+", paragraphs[i])
    if len(sentences) > 1:
        del sentences[rng.randrange(len(sentences))]
        paragraphs[i] = " ".join(sentences)
    return paragraphs


def syndicate(doc: Doc, kind: str, rng: random.Random) -> Doc:
    """A copy of ``doc`` as another outlet would republish it."""
    paragraphs = list(doc.paragraphs)
    if kind in ("dropped", "hard"):
        paragraphs = drop_one(paragraphs, rng)
    if kind == "hard":
        paragraphs = drop_one(paragraphs, rng)
    if kind == "excerpt":  # only the first 60% of the article republished
        paragraphs = paragraphs[: max(1, round(len(paragraphs) * 0.6))]
    credit = rng.choice([f"Theo {rng.choice(OUTLETS)}", f"(Theo {rng.choice(OUTLETS)})"])
    paragraphs.append(credit)
    boiler = rng.sample(BOILERPLATE, 3 if kind == "hard" else rng.randint(0, 2))
    paragraphs = boiler[:1] + paragraphs + boiler[1:]
    return Doc(doc.topic, retitle(doc.title, rng), tuple(paragraphs))


def with_background(doc: Doc, other: Doc, rng: random.Random) -> Doc:
    """``doc`` with two consecutive sentences of ``other`` pasted in: shared background."""
    sentences = [s for p in other.paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if s]
    i = rng.randrange(max(1, len(sentences) - 1))
    pasted = " ".join(sentences[i : i + 2])
    cut = min(2, len(doc.paragraphs))
    return Doc(doc.topic, doc.title, doc.paragraphs[:cut] + (pasted,) + doc.paragraphs[cut:])


def build_pairs(docs: list[Doc], seed: int) -> tuple[dict[str, list[Pair]], dict[str, list[Pair]]]:
    rng = random.Random(seed)
    kinds = ("light", "dropped", "hard", "excerpt")
    positives = {k: [(d, syndicate(d, k, rng)) for d in docs] for k in kinds}
    by_topic: dict[str, list[Doc]] = {}
    for doc in docs:
        by_topic.setdefault(doc.topic, []).append(doc)
    same_topic = []
    for group in by_topic.values():
        for _ in range(len(group)):
            a, b = rng.sample(group, 2)
            same_topic.append((a, b))
    shared = [(a, with_background(b, a, rng)) for a, b in same_topic]
    randoms = [tuple(rng.sample(docs, 2)) for _ in range(len(docs))]
    negatives = {"same topic": same_topic, "shared background": shared, "random": randoms}
    return positives, negatives  # type: ignore[return-value]


# --- Methods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    name: str
    sign: Callable[[Doc], object]
    similarity: Callable[[object, object], float]


def shingles(doc: Doc, k: int) -> set[str]:
    words = re.findall(r"\w+", fold_key(doc.title + "\n" + doc.text))
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: object, b: object) -> float:
    assert isinstance(a, set) and isinstance(b, set)
    return len(a & b) / len(a | b) if a | b else 0.0


def simhash(doc: Doc) -> int:
    """64-bit SimHash of word 3-shingles (unweighted)."""
    digests = [hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles(doc, 3)]
    bits = np.unpackbits(np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 8), axis=1)
    votes = bits.sum(axis=0) * 2 > len(digests)
    return int.from_bytes(np.packbits(votes).tobytes(), "big")


def minhash(shingle: int, num_perm: int) -> Method:
    def sign(doc: Doc) -> object:
        return cluster.fingerprint(doc.title, doc.text, shingle=shingle, num_perm=num_perm)

    def sim(a: object, b: object) -> float:
        if not isinstance(a, bytes) or not isinstance(b, bytes):
            return 0.0  # under MIN_WORDS: never clustered by near-duplicate
        return cluster.similarity(a, b)

    return Method(f"MinHash {num_perm} perm, {shingle}-word shingles", sign, sim)


METHODS = [
    minhash(3, 128),
    minhash(3, 64),
    minhash(5, 128),
    minhash(2, 128),
    Method("SimHash 64 bit, 3-word shingles", simhash, lambda a, b: 1 - bin(a ^ b).count("1") / 64),  # type: ignore[operator]
    Method("exact Jaccard, 3-word shingles (reference)", lambda d: shingles(d, 3), jaccard),
]


def scores(method: Method, pairs: list[Pair], cache: dict[tuple[str, int], object]) -> list[float]:
    def sign(doc: Doc) -> object:
        key = (method.name, id(doc))
        if key not in cache:
            cache[key] = method.sign(doc)
        return cache[key]

    def short(doc: Doc) -> bool:
        return len(re.findall(r"\w+", fold_key(doc.title + "\n" + doc.text))) < cluster.MIN_WORDS

    # Every method gets the same rule as the index: too-short texts are never matched.
    return [0.0 if short(a) or short(b) else method.similarity(sign(a), sign(b)) for a, b in pairs]


def method_table(positives: dict[str, list[Pair]], negatives: dict[str, list[Pair]]) -> str:
    cache: dict[tuple[str, int], object] = {}
    lines = [
        "| method | threshold | recall: "
        + " / ".join(positives)
        + " | false matches: "
        + " / ".join(negatives)
        + " | pair precision | pair recall |",
        "|---|---|---|---|---|---|",
    ]
    for method in METHODS:
        pos = {k: scores(method, v, cache) for k, v in positives.items()}
        neg = {k: scores(method, v, cache) for k, v in negatives.items()}
        thresholds = THRESHOLDS if "SimHash" not in method.name else (0.8, 0.85, 0.9)
        for t in thresholds:
            recall = {k: sum(s >= t for s in v) / len(v) for k, v in pos.items()}
            false = {k: sum(s >= t for s in v) for k, v in neg.items()}
            tp = sum(sum(s >= t for s in v) for v in pos.values())
            n_pos = sum(len(v) for v in pos.values())
            fp = sum(false.values())
            precision = tp / (tp + fp) if tp + fp else 1.0
            lines.append(
                f"| {method.name} | {t:.2f} | "
                + " / ".join(f"{r:.3f}" for r in recall.values())
                + " | "
                + " / ".join(str(f) for f in false.values())
                + f" | {precision:.4f} | {tp / n_pos:.3f} |"
            )
        med = {k: statistics.median(v) for k, v in {**pos, **neg}.items()}
        lines.append(
            f"| {method.name} | median similarity | "
            + " / ".join(f"{med[k]:.2f}" for k in positives)
            + " | "
            + " / ".join(f"{med[k]:.2f}" for k in negatives)
            + " | | |"
        )
    return "\n".join(lines)


# --- The index as the crawler uses it ----------------------------------------------------


INDEX_CONFIGS = [(cluster.THRESHOLD, cluster.BANDS), (0.5, 42), (0.5, cluster.BANDS), (0.3, 64)]


def end_to_end(
    docs: list[Doc], positives: dict[str, list[Pair]], negatives: dict[str, list[Pair]]
) -> str:
    """Index every original as its own cluster, then look up copies and other stories."""
    number = {id(d): i for i, d in enumerate(docs)}
    fps = {id(d): cluster.fingerprint(d.title, d.text) for d in docs}
    for pairs in (*positives.values(), negatives["shared background"]):
        fps.update({id(c): cluster.fingerprint(c.title, c.text) for _o, c in pairs})
    # Queries and the cluster they belong to: copies -> their original; an other story with
    # two pasted sentences -> its own story (never the story the sentences came from).
    queries = {f"copy ({k})": [(c, o) for o, c in v] for k, v in positives.items()}
    queries["other story + 2 pasted sentences"] = [
        (shared[1], pair[1])
        for shared, pair in zip(
            negatives["shared background"], negatives["same topic"], strict=True
        )
    ]
    queries["the originals themselves"] = [(d, d) for d in docs]
    rows = [
        "| threshold, bands | query | items | right cluster | wrong cluster | no cluster |",
        "|---|---|---|---|---|---|",
    ]
    for threshold, bands in INDEX_CONFIGS:
        index = cluster.ClusterIndex(threshold, bands=bands)
        for i, doc in enumerate(docs):
            index.add(i, i, fps[id(doc)])
        for name, items in queries.items():
            found = [index.match(fps[id(q)]) for q, _want in items]
            right = sum(f == number[id(w)] for f, (_q, w) in zip(found, items, strict=True))
            wrong = sum(f is not None for f in found) - right
            rows.append(
                f"| {threshold}, {bands} | {name} | {len(items)} | {right} | {wrong} | "
                f"{len(items) - right - wrong} |"
            )
    return "\n".join(rows)


def timings(docs: list[Doc], n_rows: int) -> str:
    sample = docs[:300]
    per_item = []
    for doc in sample:
        start = time.perf_counter()
        cluster.fingerprint(doc.title, doc.text)
        per_item.append(time.perf_counter() - start)
    real = [cluster.fingerprint(d.title, d.text) for d in sample]
    header = real[0][:4]  # type: ignore[index]
    rng = np.random.default_rng(7)
    random_sigs = rng.integers(0, 2**32, size=(n_rows, cluster.NUM_PERM), dtype=np.uint32)
    rows = [(i, i, header + s.astype("<u4").tobytes()) for i, s in enumerate(random_sigs)]
    builds = []
    for _ in range(3):
        index = cluster.ClusterIndex()
        start = time.perf_counter()
        index.add_many(rows)
        builds.append(time.perf_counter() - start)
    adds, matches = [], []
    for i, fp in enumerate(real):
        start = time.perf_counter()
        index.match(fp)
        matches.append(time.perf_counter() - start)
        start = time.perf_counter()
        index.add(n_rows + i, n_rows + i, fp)
        adds.append(time.perf_counter() - start)
    return (
        f"- fingerprint: median {statistics.median(per_item) * 1000:.2f} ms per article\n"
        f"- index build from {n_rows:,} stored rows (`add_many`): "
        f"median {statistics.median(builds):.2f} s over 3 runs\n"
        f"- `match` on that index: median {statistics.median(matches) * 1000:.3f} ms per item; "
        f"`add` one item: median {statistics.median(adds) * 1000:.3f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the build timing")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch BENCHMARKS.md")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent")
        return 0
    docs = load(args.limit)
    positives, negatives = build_pairs(docs, seed=11)
    body = (
        f"{len(docs)} VNTC articles of at least {cluster.MIN_WORDS} words; per article one "
        "copy of each kind (light: Theo line, 0-2 boilerplate lines, new title punctuation; "
        "dropped: also one paragraph or sentence dropped; hard: two dropped, three boilerplate "
        "lines; excerpt: only the first 60% of paragraphs). Negatives: as many same-topic "
        "pairs, the same pairs with two sentences of one pasted into the other, random pairs.\n\n"
        "### Pairs\n\n" + method_table(positives, negatives) + "\n\n### Index (defaults: "
        f"MinHash {cluster.NUM_PERM} perm, {cluster.SHINGLE}-word shingles, {cluster.BANDS} bands, "
        f"threshold {cluster.THRESHOLD}; other rows: alternatives)\n\n"
        + end_to_end(docs, positives, negatives)
        + "\n\n### Speed\n\n"
        + timings(docs, args.rows)
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("Clustering", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
