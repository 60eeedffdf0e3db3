"""Classifier commands: train, predict, evaluate, classify, models, suggest."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import Settings
from . import UserError, command, open_engine


def _load(path: str):  # noqa: ANN202 - classifiers.model.Model
    from classifiers.modelfile import load_model

    return load_model(path)


def _examples(path: str, *, labelled: bool):  # noqa: ANN202
    from classifiers.data import read_jsonl

    examples = read_jsonl(path)
    if not examples:
        raise UserError(f"{path} holds no examples")
    if labelled:
        missing = [ex.id for ex in examples if not ex.label]
        if missing:
            raise UserError(f"{path}: {len(missing)} lines have no label (first: id {missing[0]})")
    return examples


def _train_args(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", metavar="FILE.jsonl", help="labelled JSON lines (id, text, label)")
    src.add_argument(
        "--from-db",
        action="store_true",
        help="seed corpus plus the analysts' verdicts in the store",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="new model directory (with --from-db: default, a new registry version)",
    )
    p.add_argument(
        "--target-recall",
        type=float,
        default=0.9,
        help="recall each review label's threshold is chosen for (default 0.9)",
    )


@command("train", _train_args)
def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    """Train a classifier on whatever label set the data holds (binary or multi-class).

    --data FILE.jsonl writes a model directory at --model. --from-db trains on the seed corpus
    plus the analysts' verdicts and saves a new version in the models directory; it becomes
    active only when it is not worse than the active one on the newest verdicts (held out).
    Example: monitor train --data labelled.jsonl --model models/mine
    """
    from classifiers.model import train
    from classifiers.modelfile import file_info, save_model

    if args.from_db:
        from ..flag import retrain_from_verdicts

        if args.model:
            raise UserError("--from-db saves into the models directory; leave out --model")
        result = retrain_from_verdicts(open_engine(settings), settings)
        print(
            f"trained {result.version} on {result.trained_on} examples "
            f"({result.verdicts} verdicts, {result.holdout} held out): {result.note}"
        )
        return 0
    if not args.model:
        raise UserError("--data needs --model DIR, the directory to write")
    examples = _examples(args.data, labelled=True)
    model = train(
        [ex.text for ex in examples],
        [str(ex.label) for ex in examples],
        titles=[ex.title for ex in examples],
        target_recall=args.target_recall,
    )
    save_model(model, args.model, file_info(args.data) | {"examples": len(examples)})
    metrics = model.metrics.get("out_of_fold", {})
    macro = metrics.get("macro_f1") if isinstance(metrics, dict) else None
    print(
        f"model written to {args.model}: labels {', '.join(model.labels)}; "
        f"cross-validated macro-F1 {macro:.3f}"
        if macro is not None
        else ""
    )
    return 0


def _predict_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="DIR", required=True, help="a model directory")
    p.add_argument("--data", metavar="FILE.jsonl", required=True, help="JSON lines with id, text")


@command("predict", _predict_args)
def cmd_predict(args: argparse.Namespace, settings: Settings) -> int:
    """Print one JSON line per input: id, label (the best label), scores, flags.

    Example: monitor predict --model models/v0001 --data posts.jsonl > scored.jsonl
    """
    model = _load(args.model)
    examples = _examples(args.data, labelled=False)
    for start in range(0, len(examples), 512):
        batch = examples[start : start + 512]
        texts = [ex.text for ex in batch]
        titles = [ex.title for ex in batch]
        scores = model.predict_proba(texts, titles)
        labels = model.predict(texts, titles)
        for ex, label, row in zip(batch, labels, scores, strict=True):
            record = {
                "id": ex.id,
                "label": label,
                "scores": {k: round(v, 6) for k, v in row.items()},
                "flags": model.flags(row),
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def _evaluate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="DIR", required=True)
    p.add_argument("--data", metavar="FILE.jsonl", required=True, help="labelled JSON lines")
    p.add_argument("--format", choices=("table", "json"), default="table")


@command("evaluate", _evaluate_args)
def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """Score a model on labelled data: per-label precision, recall and F1, macro-F1,
    ROC-AUC for binary sets, the confusion matrix, and recall at the stored thresholds.

    Example: monitor evaluate --model models/v0001 --data gold.jsonl --format json
    """
    from classifiers.evaluate import evaluate

    model = _load(args.model)
    examples = _examples(args.data, labelled=True)
    result = evaluate(
        model,
        [ex.text for ex in examples],
        [str(ex.label) for ex in examples],
        titles=[ex.title for ex in examples],
    )
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    from ..progress import print_evaluation

    print_evaluation(result, sys.stdout)
    return 0


def _classify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rescore", action="store_true", help="score every item again")


@command("classify", _classify_args)
def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    """Score every unscored item in the store with the active model and flag items for review.

    Relevant items over the criticism threshold go to the criticism list ("Góp ý, phản ánh"),
    routed to an office with a due date. The bundled seed model is built and activated on
    first use when no model is active.
    Example: monitor classify
    """
    from ..flag import classify_pending
    from ..respond.criticism import route_pending

    engine = open_engine(settings)
    summary = classify_pending(engine, settings, rescore=args.rescore)
    routed = route_pending(engine, settings)
    labels = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_label.items()))
    print(
        f"model {summary.model_version}: {summary.scored} items scored ({labels or 'none'}); "
        f"{summary.flagged} flagged for review, {summary.narratives} repeat confirmed claims; "
        f"{routed} criticism routed to an office"
    )
    return 0


def _models_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("list", help="saved versions, the active one marked")
    activate = sub.add_parser("activate", help="make a saved version active")
    activate.add_argument("version")
    sub.add_parser("rollback", help="return to the previously active version")


@command("models", _models_args)
def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    """List the classifier versions in the models directory, activate one, or roll back.

    Example: monitor models rollback
    """
    from classifiers.errors import ClassifierError

    from ..flag import registry

    reg = registry(settings)
    try:
        if args.action == "activate":
            reg.activate(args.version)
        elif args.action == "rollback":
            print(f"active: {reg.rollback()}")
            return 0
    except ClassifierError as exc:
        raise UserError(str(exc)) from None
    active = reg.active()
    for version in reg.list_versions():
        manifest = reg.manifest(version)
        data = manifest.get("training_data") or {}
        name = data.get("name", "") if isinstance(data, dict) else ""
        mark = "*" if version == active else " "
        print(f"{mark} {version}  {manifest.get('created_at', '')}  {name}")
    if not reg.list_versions():
        print(f"no model in {Path(settings.models_dir)} yet (`monitor classify` builds the seed)")
    return 0


def _suggest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=20)


@command("suggest", _suggest_args)
def cmd_suggest(args: argparse.Namespace, settings: Settings) -> int:
    """List relevant items without a verdict that the model is least sure about: judging
    these teaches the classifier the most (active learning).

    Example: monitor suggest --limit 10
    """
    from ..flag import uncertain_items

    for row in uncertain_items(open_engine(settings), limit=args.limit):
        print(f"{row['id']:>8}  {row['uncertainty']:.2f}  {row['label']:<10} {row['title'][:80]}")
    return 0
