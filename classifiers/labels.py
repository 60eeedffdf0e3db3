"""The configurable label set (labels.yaml): names, descriptions and review/routing flags."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from classifiers.errors import LabelConfigError

__all__ = ["LabelSpec", "DEFAULT_LABELS_PATH", "load_labels", "review_labels_for"]

DEFAULT_LABELS_PATH = Path(__file__).with_name("labels.yaml")
_FIELDS = {"key", "review", "route", "name_vi", "name_en", "description_vi", "description_en"}
_ROUTES = {"rebuttal", "review", "answer", "none"}


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """One label: its key, whether it puts items in review, its route and its names."""

    key: str
    review: bool
    route: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str


def _spec(entry: object, where: str) -> LabelSpec:
    if not isinstance(entry, dict):
        raise LabelConfigError(f"{where}: each label must be a mapping")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise LabelConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = _FIELDS - set(entry)
    if missing:
        raise LabelConfigError(f"{where}: missing key(s) {sorted(missing)}")
    if not isinstance(entry["review"], bool):
        raise LabelConfigError(f"{where}: 'review' must be true or false")
    if entry["route"] not in _ROUTES:
        raise LabelConfigError(f"{where}: 'route' must be one of {sorted(_ROUTES)}")
    for key in _FIELDS - {"review"}:
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise LabelConfigError(f"{where}: {key!r} must be a non-empty string")
    return LabelSpec(**{key: entry[key] for key in _FIELDS})


def load_labels(path: str | Path = DEFAULT_LABELS_PATH) -> list[LabelSpec]:
    """Parse a labels.yaml file strictly; errors name the file and the label."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelConfigError(f"{path}: cannot read label set: {exc}") from exc
    if not isinstance(data, dict) or set(data) != {"labels"} or not isinstance(
        data["labels"], list
    ):
        raise LabelConfigError(f"{path}: expected a single top-level key 'labels' with a list")
    specs = [_spec(entry, f"{path}: label #{i + 1}") for i, entry in enumerate(data["labels"])]
    keys = [spec.key for spec in specs]
    if len(set(keys)) != len(keys):
        raise LabelConfigError(f"{path}: duplicate label keys in {keys}")
    return specs


def review_labels_for(
    classes: list[str], counts: dict[str, int], specs: list[LabelSpec] | None = None
) -> list[str]:
    """Review labels for a training set: configured ones present, else a binary set's minority."""
    specs = load_labels() if specs is None else specs
    configured = {spec.key for spec in specs if spec.review}
    chosen = [label for label in classes if label in configured]
    if chosen or len(classes) != 2:
        return chosen
    # An outside label set (e.g. reliable/unreliable): the rare class is the one worth a look.
    return [min(classes, key=lambda label: (counts[label], label))]
