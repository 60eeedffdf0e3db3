"""Quality gate: sector relevance on the held-out part of the project's labelled articles.

The floors sit just under the figures in BENCHMARKS.md ("Relevance"); lower one only on
purpose. Skips when ../shared/data (the article texts) is absent.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from monitor.collect.relevance import default_rules

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT.parent / "shared" / "data" / "news" / "vntc_train_sample.jsonl"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not NEWS.exists(), reason="../shared/data is absent"),
]
PRECISION_FLOOR, RECALL_FLOOR = 0.78, 0.68  # held out: 0.81 and 0.70 (December 2026)


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_relevance", ROOT / "bench" / "relevance.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_held_out_sector_precision_and_recall_keep_their_floors() -> None:
    bench = _bench()
    rules = default_rules()
    held = [d for d in bench.load_docs(NEWS) if d.split == "holdout"]
    pairs = [(rules.assess(d.title, d.text, normalized=True).sector, d.sector) for d in held]
    precision, recall, *_ = bench.prf(pairs)
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, (precision, recall)


def test_the_labelled_set_is_intact() -> None:
    bench = _bench()
    docs = bench.load_docs(NEWS)
    assert len(docs) == 606 and sum(d.split == "holdout" for d in docs) == 170
