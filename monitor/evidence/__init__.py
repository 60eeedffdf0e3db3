"""Evidence that survives deletion: captures of an item's page as WARC files written once and
hashed (capture.py), packets with a manifest that `verify` checks (packet.py), and re-checks
of confirmed items' pages: live, changed, removed, unreachable (recheck.py)."""

from .capture import Capture, EvidenceError, capture_flagged, capture_item, captures_of
from .packet import export_packet, verify
from .recheck import Check, check_due, check_item, checks_of, evidence_status

__all__ = ["Capture", "Check", "EvidenceError", "capture_flagged", "capture_item",
           "captures_of", "check_due", "check_item", "checks_of", "evidence_status",
           "export_packet", "verify"]  # fmt: skip
