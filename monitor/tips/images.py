"""A tip's image: its kind read from its first bytes (never from the name or the sender's
claim), a size limit, and one file under the evidence directory named by its SHA-256, written
once and made read-only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..files import write_once
from .errors import TipError

# (media type, file extension) by magic bytes: PNG, JPEG, GIF, WebP. Nothing else (no SVG:
# it is a document that can carry scripts).
KINDS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
TIPS_DIR = "tips"  # under MONITOR_EVIDENCE_DIR


@dataclass(frozen=True, slots=True)
class StoredImage:
    sha256: str
    path: str  # relative to the evidence directory
    media_type: str
    size: int


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image from its first bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data: bytes, max_bytes: int) -> str:
    """The image's media type, or a TipError naming what is wrong."""
    if not data:
        raise TipError("image_empty", "the image file is empty")
    if len(data) > max_bytes:
        raise TipError(
            "image_size",
            f"the image is larger than {max_bytes} bytes (MONITOR_TIP_MAX_IMAGE_BYTES)",
        )
    kind = image_type(data)
    if kind is None:
        raise TipError("image_type", "the image must be a PNG, JPEG, WebP or GIF file")
    return kind


def store_image(root: Path, data: bytes, media_type: str) -> StoredImage:
    """Write the image once as tips/<sha256>.<ext> under ``root``; the same image sent twice
    is the same file (kept as it was)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{TIPS_DIR}/{digest}.{KINDS[media_type]}"
    write_once(root / relative, data)  # named by its content: a file there is this image
    return StoredImage(digest, relative, media_type, len(data))


def image_file(root: Path, relative: str) -> Path | None:
    """The stored image's path, only when it lies inside the tips directory."""
    base = (root / TIPS_DIR).resolve()
    path = (root / relative).resolve()
    if path.parent != base or not path.is_file():
        return None
    return path
