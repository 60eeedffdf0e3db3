"""Evidence that survives deletion: captures of an item's page as WARC files written once and
hashed (capture.py), and packets with a manifest that `verify` checks (packet.py)."""

from .capture import Capture, EvidenceError, capture_flagged, capture_item, captures_of
from .packet import export_packet, verify

__all__ = ["Capture", "EvidenceError", "capture_flagged", "capture_item", "captures_of",
           "export_packet", "verify"]  # fmt: skip
