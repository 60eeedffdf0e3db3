"""Files written once: evidence captures, tip images, activity attachments."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_once"]


def write_once(path: Path, data: bytes) -> bool:
    """Create ``path`` exclusively, sync it and make it read-only; False (nothing written) when
    a file is there already: the caller says whether that is an error or the same content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except FileExistsError:
        return False
    path.chmod(0o444)
    return True
