"""Model versions under one root directory, an ACTIVE pointer, rollback and safe promotion.

Layout: ``root/v0001/``, ``root/v0002/`` ... (each a model directory with its manifest),
``root/ACTIVE`` (the active version's name), ``root/history.json`` (the stack of versions
activated, so ``rollback`` returns to the previous one) and ``root/decisions.jsonl`` (every
promotion decision, for the audit trail).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sklearn.metrics import f1_score

from classifiers.errors import ClassifierError, ModelError
from classifiers.model import Model
from classifiers.modelfile import file_info, load_model, read_manifest, save_model, texts_info

__all__ = [
    "Registry", "RegistryError", "PromotionDecision", "save_model", "load_model",
    "file_info", "texts_info", "DEFAULT_TOLERANCE",
]

log = logging.getLogger(__name__)
DEFAULT_TOLERANCE = 0.01
_VERSION = re.compile(r"^v(\d{4,})$")


class RegistryError(ClassifierError):
    """A registry operation cannot be done (unknown version, nothing to roll back to)."""


@dataclass(frozen=True, slots=True)
class PromotionDecision:
    """Why a candidate was or was not made active, with the figures behind it."""

    candidate: str
    current: str | None
    candidate_macro_f1: float
    current_macro_f1: float | None
    tolerance: float
    promoted: bool
    reason: str
    n_holdout: int
    decided_at: str


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _macro_f1(model: Model, texts: Sequence[str], labels: Sequence[str]) -> float:
    predicted = model.predict(texts)
    present = sorted(set(labels))
    return float(f1_score(labels, predicted, labels=present, average="macro", zero_division=0))


class Registry:
    """Versioned model directories under ``root`` with an ACTIVE pointer."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @property
    def _active_file(self) -> Path:
        return self.root / "ACTIVE"

    @property
    def _history_file(self) -> Path:
        return self.root / "history.json"

    def list_versions(self) -> list[str]:
        """Saved versions, oldest first."""
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir() if p.is_dir() and _VERSION.match(p.name)]
        return sorted(names, key=lambda n: int(n[1:]))

    def path(self, version: str) -> Path:
        """Directory of ``version``; RegistryError when it does not exist."""
        if not _VERSION.match(version) or not (self.root / version).is_dir():
            raise RegistryError(f"{self.root}: no model version {version!r}")
        return self.root / version

    def save_version(
        self, model: Model, training_data_info: dict[str, object], *, activate: bool = False
    ) -> str:
        """Save ``model`` as the next version (v0001, v0002, ...) and return its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        versions = self.list_versions()
        number = int(versions[-1][1:]) + 1 if versions else 1
        name = f"v{number:04d}"
        save_model(model, self.root / name, training_data_info)
        log.info("model_saved", extra={"version": name, "root": str(self.root)})
        if activate:
            self.activate(name)
        return name

    def active(self) -> str | None:
        """Name of the active version, or None when nothing was activated yet."""
        if not self._active_file.is_file():
            return None
        name = self._active_file.read_text(encoding="utf-8").strip()
        return name or None

    def _history(self) -> list[str]:
        if not self._history_file.is_file():
            return []
        try:
            data = json.loads(self._history_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{self._history_file}: unreadable history: {exc}") from exc
        return [str(v) for v in data] if isinstance(data, list) else []

    def _point(self, version: str, history: list[str]) -> None:
        _write_atomic(self._history_file, json.dumps(history) + "\n")
        _write_atomic(self._active_file, version + "\n")

    def activate(self, version: str) -> None:
        """Make ``version`` active after checking that it loads (checksums and versions)."""
        load_model(self.path(version))
        if self.active() == version:
            return
        self._point(version, [*self._history(), version])
        log.info("model_activated", extra={"version": version, "root": str(self.root)})

    def rollback(self) -> str:
        """Return to the previously active version; return its name."""
        history = self._history()
        if len(history) < 2:
            raise RegistryError(f"{self.root}: no earlier active version to roll back to")
        previous = history[-2]
        load_model(self.path(previous))
        self._point(previous, history[:-1])
        log.info("model_rolled_back", extra={"version": previous, "from": history[-1]})
        return previous

    def load(self, version: str | None = None) -> Model:
        """Load ``version`` (default: the active one)."""
        name = version or self.active()
        if name is None:
            raise ModelError(f"{self.root}: no active model")
        return load_model(self.path(name))

    def manifest(self, version: str) -> dict[str, object]:
        """The checked manifest of ``version``."""
        return read_manifest(self.path(version))

    def promote_if_not_worse(
        self,
        candidate: str,
        holdout_texts: Sequence[str],
        holdout_labels: Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> PromotionDecision:
        """Activate ``candidate`` unless its held-out macro-F1 is below current − tolerance."""
        if len(holdout_texts) != len(holdout_labels) or not holdout_texts:
            raise RegistryError("promotion needs a non-empty held-out set with one label per text")
        cand_f1 = _macro_f1(self.load(candidate), holdout_texts, holdout_labels)
        current = self.active()
        cur_f1 = None
        if current is None:
            promoted, reason = True, "no active model"
        elif current == candidate:
            cur_f1, promoted, reason = cand_f1, True, "candidate is already active"
        else:
            cur_f1 = _macro_f1(self.load(current), holdout_texts, holdout_labels)
            promoted = cand_f1 >= cur_f1 - tolerance
            reason = "not worse than current" if promoted else "worse than current"
        if promoted:
            self.activate(candidate)
        decision = PromotionDecision(
            candidate=candidate, current=current, candidate_macro_f1=cand_f1,
            current_macro_f1=cur_f1, tolerance=tolerance, promoted=promoted, reason=reason,
            n_holdout=len(holdout_texts),
            decided_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with (self.root / "decisions.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(decision), ensure_ascii=False) + "\n")
        log.info("model_promotion", extra={"candidate": candidate, "promoted": promoted})
        return decision
