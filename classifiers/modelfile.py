"""A model on disk: a directory of files described and checksummed by manifest.json.

Loading verifies the manifest's own digest, then every file's sha256, then the library
versions, and only then unpickles: a file that is not byte-for-byte what this project wrote
is never handed to pickle. (The digests catch corruption and edits; they are not a signature:
someone who can rewrite every file can rewrite the digests too.)
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import joblib

from classifiers.errors import ModelError
from classifiers.model import Model

__all__ = [
    "MANIFEST", "FORMAT", "save_model", "load_model", "read_manifest", "library_versions",
    "file_info", "texts_info",
]

MANIFEST = "manifest.json"
FORMAT = 2  # 2: stacked calibrator with neighbour and style signals
_MODEL_FILE = "model.joblib"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def library_versions() -> dict[str, str]:
    """Versions that decide whether a saved model can be trusted to load and behave the same."""
    return {
        "python": platform.python_version(),
        "sklearn": _version("scikit-learn"),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "joblib": _version("joblib"),
        "underthesea": _version("underthesea"),
        "project": _version("langson-monitor"),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_info(path: str | Path) -> dict[str, object]:
    """sha256 and size of a training-data file, for the manifest."""
    path = Path(path)
    return {"path": path.name, "sha256": _sha256(path), "size": path.stat().st_size}


def texts_info(texts: list[str], labels: list[str]) -> dict[str, object]:
    """sha256 and size of in-memory training data (JSON lines of text and label)."""
    blob = "".join(
        json.dumps({"text": t, "label": y}, ensure_ascii=False) + "\n"
        for t, y in zip(texts, labels, strict=True)
    ).encode("utf-8")
    return {"path": None, "sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob),
            "examples": len(texts)}


def _digest(manifest: dict[str, object]) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")


def save_model(model: Model, directory: str | Path, training_data_info: dict[str, object]) -> Path:
    """Write ``model`` into a new or empty ``directory`` with its manifest; return the path."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise ModelError(f"{directory}: refusing to write a model into a non-empty directory")
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, directory / _MODEL_FILE, compress=3)
    _write_json(directory / "labels.json", {"labels": model.labels,
                                            "review_labels": model.review_labels})
    _write_json(directory / "thresholds.json", model.thresholds)
    _write_json(directory / "metrics.json", model.metrics)
    files = sorted(p.name for p in directory.iterdir() if p.name != MANIFEST)
    manifest: dict[str, object] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": model.labels,
        "review_labels": model.review_labels,
        "thresholds": model.thresholds,
        "params": model.params,
        "training_data": dict(training_data_info),
        "versions": library_versions(),
        "files": {name: {"sha256": _sha256(directory / name),
                         "size": (directory / name).stat().st_size} for name in files},
    }
    manifest["manifest_sha256"] = _digest(manifest)
    _write_json(directory / MANIFEST, manifest)
    return directory


def read_manifest(directory: str | Path) -> dict[str, object]:
    """Parse and self-check a model directory's manifest (no file is unpickled)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise ModelError(f"{directory}: no {MANIFEST}; only models saved by this project load")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("manifest_sha256") != _digest(manifest):
        raise ModelError(f"{path}: manifest digest mismatch (edited or corrupted)")
    if manifest.get("format") != FORMAT:
        raise ModelError(
            f"{path}: model format {manifest.get('format')!r}, this version reads {FORMAT}; "
            "retrain it (monitor train) or run the version that wrote it"
        )
    return manifest


def _check_versions(manifest: dict[str, object], where: Path) -> None:
    saved = manifest.get("versions")
    if not isinstance(saved, dict):
        raise ModelError(f"{where}: manifest has no library versions")
    here = library_versions()
    # A different scikit-learn minor or numpy major may change behaviour or the pickle format.
    rules = {"sklearn": 2, "numpy": 1}
    for name, parts in rules.items():
        if str(saved.get(name, "")).split(".")[:parts] != here[name].split(".")[:parts]:
            raise ModelError(
                f"{where}: incompatible model: saved with {name} {saved.get(name)}, "
                f"running {here[name]}; retrain or install the saved version"
            )


def _check_files(manifest: dict[str, object], directory: Path) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or _MODEL_FILE not in files:
        raise ModelError(f"{directory}: manifest lists no {_MODEL_FILE}")
    for name, info in files.items():
        if not _SAFE_NAME.match(name) or not isinstance(info, dict):
            raise ModelError(f"{directory}: manifest names an unsafe file {name!r}")
        path = directory / name
        if not path.is_file():
            raise ModelError(f"{directory}: missing model file {name}")
        if _sha256(path) != info.get("sha256"):
            raise ModelError(f"{directory}: checksum mismatch for {name} (corrupted or tampered)")


def load_model(directory: str | Path) -> Model:
    """Load a model directory after checking its manifest, checksums and versions."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    _check_files(manifest, directory)
    _check_versions(manifest, directory)
    try:
        model = joblib.load(directory / _MODEL_FILE)
    except Exception as exc:  # any unpickling failure means the model cannot be used
        raise ModelError(f"{directory}: cannot load {_MODEL_FILE}: {exc}") from exc
    if not isinstance(model, Model):
        raise ModelError(f"{directory}: {_MODEL_FILE} does not hold a classifiers Model")
    if model.labels != manifest.get("labels") or model.thresholds != manifest.get("thresholds"):
        raise ModelError(f"{directory}: model labels/thresholds disagree with the manifest")
    return model
