"""Model files (manifest, checksums, versions) and the version registry."""

from __future__ import annotations

import json
import shutil

import pytest

import classifiers.modelfile as modelfile
from classifiers.errors import ModelError
from classifiers.model import train
from classifiers.registry import Registry, RegistryError, load_model, save_model, texts_info

from .conftest import make_set


@pytest.fixture()
def saved(tmp_path, binary):
    model, texts, labels = binary
    return save_model(model, tmp_path / "m", texts_info(texts, labels)), model, texts


def test_round_trip(saved):
    directory, model, texts = saved
    loaded = load_model(directory)
    assert loaded.labels == model.labels
    assert loaded.thresholds == model.thresholds
    assert loaded.predict_proba(texts[:3]) == model.predict_proba(texts[:3])
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"model.joblib", "labels.json", "thresholds.json",
                                      "metrics.json"}
    assert {"python", "sklearn", "numpy", "underthesea", "project"} <= set(manifest["versions"])
    assert len(manifest["training_data"]["sha256"]) == 64
    assert manifest["created_at"].endswith("+00:00")


def test_corrupted_model_file(saved):
    directory, _model, _texts = saved
    blob = bytearray((directory / "model.joblib").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (directory / "model.joblib").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="checksum mismatch for model.joblib"):
        load_model(directory)


def test_tampered_manifest(saved):
    directory, _model, _texts = saved
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["thresholds"] = {k: 0.0 for k in manifest["thresholds"]}
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="digest mismatch"):
        load_model(directory)


def test_substituted_pickle_is_never_loaded(saved, monkeypatch):
    directory, _model, _texts = saved
    (directory / "model.joblib").write_bytes(b"not the pickle the manifest describes")
    monkeypatch.setattr(modelfile.joblib, "load", lambda *_a: pytest.fail("unpickled"))
    with pytest.raises(ModelError, match="checksum"):
        load_model(directory)


def test_version_mismatch(saved, monkeypatch):
    directory, _model, _texts = saved
    real = modelfile.library_versions()
    monkeypatch.setattr(modelfile, "library_versions", lambda: real | {"sklearn": "0.1.0"})
    with pytest.raises(ModelError, match="incompatible model: saved with sklearn"):
        load_model(directory)


def test_missing_manifest(saved, tmp_path):
    directory, _model, _texts = saved
    (directory / "manifest.json").unlink()
    with pytest.raises(ModelError, match="no manifest.json"):
        load_model(directory)
    with pytest.raises(ModelError, match="no manifest.json"):
        load_model(tmp_path / "nowhere")


def test_refuses_non_empty_directory(saved, binary):
    directory, model, _texts = saved
    with pytest.raises(ModelError, match="non-empty"):
        save_model(model, directory, {})


def test_activate_and_rollback(tmp_path, binary):
    model, texts, labels = binary
    registry = Registry(tmp_path / "models")
    assert registry.list_versions() == [] and registry.active() is None
    v1 = registry.save_version(model, texts_info(texts, labels), activate=True)
    v2 = registry.save_version(model, texts_info(texts, labels))
    assert (v1, v2) == ("v0001", "v0002")
    assert registry.active() == "v0001"
    registry.activate("v0002")
    assert registry.active() == "v0002"
    assert registry.rollback() == "v0001"
    assert registry.active() == "v0001"
    with pytest.raises(RegistryError):
        registry.rollback()
    with pytest.raises(RegistryError):
        registry.activate("v0099")
    assert registry.load().labels == model.labels


def test_activate_refuses_a_broken_version(tmp_path, binary):
    model, texts, labels = binary
    registry = Registry(tmp_path / "models")
    registry.save_version(model, texts_info(texts, labels), activate=True)
    bad = registry.save_version(model, texts_info(texts, labels))
    (registry.path(bad) / "metrics.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError):
        registry.activate(bad)
    assert registry.active() == "v0001"


def test_promote_if_not_worse(tmp_path, four_class):
    good, texts, labels = four_class
    registry = Registry(tmp_path / "models")
    info = texts_info(texts, labels)
    first = registry.save_version(good, info)
    decision = registry.promote_if_not_worse(first, texts, labels)
    assert decision.promoted and decision.reason == "no active model"
    # A model trained on scrambled labels is clearly worse on the same held-out verdicts.
    bad_texts, bad_labels = make_set(["distorted", "hostile", "criticism", "neutral"], 10, seed=4)
    shuffled = bad_labels[3:] + bad_labels[:3]
    worse = registry.save_version(train(bad_texts, shuffled, c_grid=(1.0,), folds=2), info)
    decision = registry.promote_if_not_worse(worse, texts, labels)
    assert not decision.promoted and decision.current == first
    assert decision.candidate_macro_f1 < decision.current_macro_f1
    assert registry.active() == first
    same = registry.save_version(good, info)
    assert registry.promote_if_not_worse(same, texts, labels).promoted
    assert registry.active() == same
    lines = (registry.root / "decisions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3


def test_copied_version_directory_loads(tmp_path, binary):
    model, texts, labels = binary
    registry = Registry(tmp_path / "a")
    version = registry.save_version(model, texts_info(texts, labels))
    shutil.copytree(registry.path(version), tmp_path / "b" / "v0001")
    assert Registry(tmp_path / "b").load("v0001").labels == model.labels


def test_ensure_seed_model_builds_once_and_rebuilds_when_broken(tmp_path, monkeypatch):
    import classifiers.seed_model as seed_model

    texts, labels = make_set(["distorted", "hostile", "criticism", "neutral"], 8, seed=2)
    seed_path = tmp_path / "seed.jsonl"
    seed_path.write_text("".join(
        json.dumps({"id": f"s{i}", "text": t, "label": y}, ensure_ascii=False) + "\n"
        for i, (t, y) in enumerate(zip(texts, labels, strict=True))), encoding="utf-8")
    real_train = seed_model.train
    monkeypatch.setattr(seed_model, "train",
                        lambda *a, **k: real_train(*a, **k, c_grid=(1.0,), folds=2))
    root = tmp_path / "models"
    first = seed_model.ensure_seed_model(root, seed_path)
    assert first.name == "v0001" and Registry(root).active() == "v0001"
    assert seed_model.ensure_seed_model(root, seed_path) == first
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["training_data"]["examples"] == len(texts)
    (first / "model.joblib").write_bytes(b"broken")
    rebuilt = seed_model.ensure_seed_model(root, seed_path)
    assert rebuilt.name == "v0002" and Registry(root).active() == "v0002"
    again = tmp_path / "again"
    seed_model.build_seed_model(again, seed_path)
    assert load_model(again).thresholds == load_model(rebuilt).thresholds  # deterministic
