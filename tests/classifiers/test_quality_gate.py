"""Quality gate: the seed model, as shipped, scored on the project's own hash-pinned gold set.

The floors sit a little under what the model measured when they were pinned (macro-F1
0.987; recall criticism 0.95, distorted 1.0, hostile 1.0, neutral 1.0; at the stored
thresholds distorted 1.0 and hostile 1.0, both at precision 1.0; re-pinned 2026-12-04 when
120 article-length items joined the seed corpus).

The article-length set (gold_articles.jsonl: 40 criticism, 40 distorted, many of them hard
cases written to confuse the two) measures the costly confusion. Measured when pinned:
criticism taken for distorted 2 of 40 (5%), distorted taken for criticism 1 of 40, distorted
recall 36 of 40; before the seed corpus had article-length items, distorted recall was 9 of
40 and 12 of 40 went to criticism. Lower a floor only on
purpose, in the commit that explains why; a change to either data file must re-pin its hash
in the same commit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from classifiers.data import read_jsonl
from classifiers.evaluate import evaluate
from classifiers.registry import load_model
from classifiers.seed_model import SEED_PATH, build_seed_model

GOLD_PATH = SEED_PATH.with_name("gold.jsonl")
ARTICLES_PATH = SEED_PATH.with_name("gold_articles.jsonl")
PINNED_SHA256 = {
    GOLD_PATH: "6c58b2ad78c24eb7255be6b5190e005c4a21382770f149b3a09ede81bcee7084",
    ARTICLES_PATH: "a6bed9238163f116f2ff9b0d1d1d8601ddf789e4b2b68481094da2ab934d3882",
    SEED_PATH: "fe4b7fb874340ff398bd1ab9aa90b7a1cef64eba411fc03bd830db54d77e5b8a",
}
MACRO_F1_FLOOR = 0.95
RECALL_FLOORS = {"criticism": 0.90, "distorted": 0.92, "hostile": 0.95, "neutral": 0.95}
THRESHOLD_RECALL_FLOORS = {"distorted": 0.925, "hostile": 0.95}
THRESHOLD_PRECISION_FLOOR = 0.9
CONFUSION_CEILING = 0.05  # share of one label taken for the other (issue 11's target)
ARTICLE_DISTORTED_RECALL_FLOOR = 0.85


@pytest.fixture(scope="module")
def gold_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Build the seed model the way `make demo` does (train, save, load), score the gold set."""
    directory = build_seed_model(tmp_path_factory.mktemp("seed") / "model")
    model = load_model(directory)
    gold = read_jsonl(GOLD_PATH)
    return evaluate(model, [g.text for g in gold], [str(g.label) for g in gold],
                    titles=[g.title for g in gold])


@pytest.mark.parametrize("path", list(PINNED_SHA256), ids=lambda p: Path(p).name)
def test_data_files_are_the_pinned_ones(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == PINNED_SHA256[path], (
        f"{path.name} changed: re-measure, re-pin its hash and floors on purpose"
    )


def test_macro_f1_floor(gold_report: dict[str, object]) -> None:
    assert gold_report["n"] == 160
    assert gold_report["macro_f1"] >= MACRO_F1_FLOOR


@pytest.mark.parametrize("label", list(RECALL_FLOORS))
def test_recall_floor_per_label(gold_report: dict[str, object], label: str) -> None:
    per_label = gold_report["per_label"]
    assert isinstance(per_label, dict)
    assert per_label[label]["recall"] >= RECALL_FLOORS[label]


@pytest.mark.parametrize("label", list(THRESHOLD_RECALL_FLOORS))
def test_review_recall_at_stored_thresholds(gold_report: dict[str, object], label: str) -> None:
    review = gold_report["review"]
    assert isinstance(review, dict)
    assert review[label]["recall"] >= THRESHOLD_RECALL_FLOORS[label]
    assert review[label]["precision"] >= THRESHOLD_PRECISION_FLOOR


@pytest.fixture(scope="module")
def seed_model(tmp_path_factory: pytest.TempPathFactory):
    return load_model(build_seed_model(tmp_path_factory.mktemp("seed-articles") / "model"))


def test_criticism_and_distorted_articles_are_kept_apart(seed_model) -> None:
    articles = read_jsonl(ARTICLES_PATH)
    labels = [str(a.label) for a in articles]
    predicted = seed_model.predict([a.text for a in articles])
    pairs = list(zip(labels, predicted, strict=True))

    def share(gold: str, taken_for: str) -> float:
        return sum(p == (gold, taken_for) for p in pairs) / labels.count(gold)

    assert share("criticism", "distorted") <= CONFUSION_CEILING
    assert share("distorted", "criticism") <= CONFUSION_CEILING
    assert share("distorted", "distorted") >= ARTICLE_DISTORTED_RECALL_FLOOR
