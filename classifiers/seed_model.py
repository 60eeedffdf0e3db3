"""The bundled seed model: trained deterministically from classifiers/seed/seed.jsonl.

No binary model is committed: a pickled model is tied to the scikit-learn/numpy versions that
wrote it, and the seed corpus trains in seconds, so the model is built on first use instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

from classifiers.data import read_jsonl
from classifiers.errors import DataError, ModelError
from classifiers.model import train
from classifiers.registry import Registry, file_info, save_model

__all__ = ["SEED_PATH", "build_seed_model", "ensure_seed_model"]

log = logging.getLogger(__name__)
SEED_PATH = Path(__file__).resolve().parent / "seed" / "seed.jsonl"


def build_seed_model(directory: str | Path, seed_path: str | Path = SEED_PATH) -> Path:
    """Train on the seed corpus (fixed seed) and save the model into ``directory``."""
    examples = read_jsonl(seed_path)
    unlabelled = [ex.id for ex in examples if ex.label is None]
    if unlabelled:
        raise DataError(f"{seed_path}: items without a label: {unlabelled[:5]}")
    model = train(
        [ex.text for ex in examples],
        [ex.label for ex in examples if ex.label is not None],
        titles=[ex.title for ex in examples],
        seed=0,
    )
    info = file_info(seed_path) | {"examples": len(examples), "name": "seed"}
    return save_model(model, directory, info)


def _is_seed_build(registry: Registry, version: str, sha256: str) -> bool:
    try:
        manifest = registry.manifest(version)
    except ModelError:
        return False
    data = manifest.get("training_data")
    return isinstance(data, dict) and data.get("sha256") == sha256


def ensure_seed_model(models_root: str | Path, seed_path: str | Path = SEED_PATH) -> Path:
    """Return the active model's directory, building and activating the seed model if none."""
    registry = Registry(models_root)
    current = registry.active()
    if current is not None:
        try:
            registry.load(current)
            return registry.path(current)
        except ModelError as exc:
            # An incompatible or damaged active model: rebuild rather than serve nothing.
            log.warning("active_model_unusable", extra={"version": current, "error": str(exc)})
    sha = file_info(seed_path)["sha256"]
    for version in reversed(registry.list_versions()):
        if _is_seed_build(registry, version, str(sha)):
            try:
                registry.activate(version)
                return registry.path(version)
            except ModelError:
                continue
    registry.root.mkdir(parents=True, exist_ok=True)
    versions = registry.list_versions()
    name = f"v{int(versions[-1][1:]) + 1 if versions else 1:04d}"
    build_seed_model(registry.root / name, seed_path)
    registry.activate(name)
    log.info("seed_model_built", extra={"version": name, "root": str(registry.root)})
    return registry.path(name)
