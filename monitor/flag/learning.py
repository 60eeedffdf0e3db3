"""Learning from the analysts' verdicts: retrain on the seed corpus plus the latest verdict of
each judged item; the newest verdicts judge the new model, which becomes active only when it
is not worse on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from classifiers.model import train
from classifiers.modelfile import texts_info
from classifiers.registry import PromotionDecision
from classifiers.seed_model import SEED_PATH, ensure_seed_model

from ..config import Settings
from ..store.scores import verdict_examples
from ..text.snippet import item_text
from .scoring import registry

HOLDOUT_SHARE = 0.2  # the newest verdicts judge a retrained model
MIN_HOLDOUT = 10


@dataclass(frozen=True)
class RetrainResult:
    version: str
    trained_on: int
    verdicts: int
    holdout: int
    decision: PromotionDecision | None
    note: str


def retrain_from_verdicts(engine: Engine, settings: Settings) -> RetrainResult:
    """Train on the seed corpus plus the analysts' verdicts; the newest verdicts are held out,
    and the new version becomes active only when it is not worse on them."""
    from classifiers.data import read_jsonl

    examples = [(item_text(j.title, j.text), j.label) for j in verdict_examples(engine)]
    cut = len(examples) - max(MIN_HOLDOUT, int(len(examples) * HOLDOUT_SHARE))
    train_part, holdout = (examples[:cut], examples[cut:]) if cut > 0 else (examples, [])
    seed = [ex for ex in read_jsonl(SEED_PATH) if ex.label]
    texts = [ex.text for ex in seed] + [text for text, _ in train_part]
    labels = [str(ex.label) for ex in seed] + [label for _, label in train_part]
    model = train(texts, labels, seed=0)
    reg = registry(settings)
    ensure_seed_model(reg.root)
    info = texts_info(texts, labels) | {
        "name": "seed+verdicts",
        "verdicts": len(train_part),
        "trained_at": datetime.now(UTC).isoformat(),
    }
    version = reg.save_version(model, info)
    if not holdout:
        return RetrainResult(
            version, len(texts), len(examples), 0, None,
            f"saved {version} but kept the active model: fewer than "
            f"{MIN_HOLDOUT + 1} verdicts to hold out",
        )  # fmt: skip
    decision = reg.promote_if_not_worse(
        version, [text for text, _ in holdout], [label for _, label in holdout]
    )
    return RetrainResult(
        version, len(texts), len(examples), len(holdout), decision, decision.reason
    )
