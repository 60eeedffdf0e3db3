"""Near-duplicate clustering: the same story republished by other outlets gets one cluster.

Method, chosen by measurement (bench/cluster.py on 2,454 real VNTC articles, figures in
BENCHMARKS.md): MinHash over word 3-shingles of the accent-free key of title and body, 128
permutations (datasketch, fixed seed: signatures agree across processes), LSH with 64 bands
of 2 rows to find candidates (a pair at J = 0.3 is a candidate 99.8% of the time), then the
estimated Jaccard similarity on the whole signature must reach 0.4.

Why these: at 0.4, syndicated copies join their story (light edits 100%, a paragraph dropped
99.2%, two dropped plus boilerplate 96.4%, only the first 60% republished 91.4%) and no
pair of different same-topic stories merges; 0.2% of pairs merge when one story also
carries two sentences of the other (short articles). At 0.5 those merges vanish but hard
copies fall to 89.5% and excerpts to 77.9%; at 0.3 merges rise to 1.1%. Shingles of 2 or 5
words and 64 permutations give the same picture within noise (64 would halve storage, but
doubles the estimate's variance near the threshold); SimHash on the same shingles keeps
only 53% of hard copies at a threshold that merges as little.

A fingerprint is a 4-byte header (format, shingle size, permutations) and the signature as
little-endian uint32 (516 bytes), so rows written with other settings are recognised, not
misread.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
from collections.abc import Iterable
from functools import cache

import numpy as np
from datasketch import MinHash

from monitor.text.normalize import fold_key, normalize_line, normalize_text

__all__ = [
    "MIN_WORDS",
    "NUM_PERM",
    "SHINGLE",
    "THRESHOLD",
    "BANDS",
    "ClusterIndex",
    "FingerprintError",
    "content_hash",
    "fingerprint",
    "similarity",
]

log = logging.getLogger(__name__)

MIN_WORDS = 40  # below this a few changed words swing the estimate: no near-duplicate matching
SHINGLE = 3  # words per shingle
NUM_PERM = 128  # MinHash permutations (signature length)
THRESHOLD = 0.4  # estimated Jaccard similarity needed to join a cluster
BANDS = 64  # LSH bands of NUM_PERM // BANDS rows: a pair at J = 0.3 is a candidate 99.8% of times
SEED = 20240601  # fixed: fingerprints must be comparable across processes and releases
_FORMAT = 1
_HEADER = struct.Struct("<BBH")
_TOKEN = re.compile(r"\w+")
MAX_PER_BAND = 64  # newest rows looked at per matching band
_TAIL_MAX = 2048  # rows kept outside the sorted band index before it is rebuilt


class FingerprintError(ValueError):
    """A fingerprint is corrupt or was made with other settings than this index's."""


@cache
def _permutations(num_perm: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, seed=SEED, scheme="affine32").permutations


def _words(title: str, text: str) -> list[str]:
    return _TOKEN.findall(fold_key(f"{title}\n{text}"))


def fingerprint(
    title: str, text: str, *, shingle: int = SHINGLE, num_perm: int = NUM_PERM
) -> bytes | None:
    """MinHash signature of the item's word shingles, or None below ``MIN_WORDS`` words."""
    words = _words(title, text)
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + shingle]).encode() for i in range(len(words) - shingle + 1)}
    sketch = MinHash(
        num_perm=num_perm, seed=SEED, permutations=_permutations(num_perm), scheme="affine32"
    )
    sketch.update_batch(shingles)
    header = _HEADER.pack(_FORMAT, shingle, num_perm)
    return header + sketch.hashvalues.astype("<u4").tobytes()


def content_hash(title: str, text: str) -> str:
    """SHA-256 hex of the normalised title and text: the exact-duplicate key."""
    canonical = normalize_line(title) + "\n" + normalize_text(text)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _unpack(fp: bytes, shingle: int, num_perm: int) -> np.ndarray:
    expected = _HEADER.pack(_FORMAT, shingle, num_perm)
    if fp[: _HEADER.size] != expected or len(fp) != _HEADER.size + 4 * num_perm:
        raise FingerprintError(
            f"fingerprint of {len(fp)} bytes does not match format {_FORMAT}, "
            f"shingle {shingle}, {num_perm} permutations"
        )
    return np.frombuffer(fp, dtype="<u4", offset=_HEADER.size)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two fingerprints made with the same settings."""
    shingle, num_perm = _HEADER.unpack_from(a)[1:]
    return float(np.mean(_unpack(a, shingle, num_perm) == _unpack(b, shingle, num_perm)))


class ClusterIndex:
    """In-memory LSH index of recent fingerprints: which cluster does a new item belong to?

    Band keys live in one sorted array (band number in the top bits), so a bulk load is one
    numpy sort and a lookup is two ``searchsorted`` calls; items added one by one wait in a
    small unsorted tail that is scanned directly and merged when it grows.
    """

    def __init__(
        self,
        threshold: float = THRESHOLD,
        *,
        bands: int = BANDS,
        shingle: int = SHINGLE,
        num_perm: int = NUM_PERM,
    ) -> None:
        if not 0 < bands <= min(num_perm, 64):
            raise ValueError(f"bands must be between 1 and {min(num_perm, 64)}")
        self.threshold = threshold
        self.shingle, self.num_perm, self.bands = shingle, num_perm, bands
        self._rows = num_perm // bands
        rng = np.random.default_rng(SEED)
        self._mix = rng.integers(1, 2**63, size=self._rows, dtype=np.uint64) | np.uint64(1)
        self._band_tag = np.arange(bands, dtype=np.uint64) << np.uint64(58)
        self._sigs = np.empty((0, num_perm), dtype=np.uint32)
        self._keys = np.empty((0, bands), dtype=np.uint64)
        self._clusters = np.empty(0, dtype=np.int64)
        self._size = 0
        self._indexed = 0  # rows [0, _indexed) are in the sorted key array
        self._sorted = np.empty(0, dtype=np.uint64)  # band keys with the row in the low bits
        self._bits = np.uint64(1)  # how many low bits hold the row

    def __len__(self) -> int:
        return self._size

    def add(self, item_id: int, cluster_id: int, fp: bytes | None) -> None:
        """Index one item; a None fingerprint (text too short) is ignored."""
        if fp is None:
            return
        self._append(self._parse(fp)[np.newaxis], np.asarray([cluster_id], dtype=np.int64))
        log.debug("cluster_index_add item_id=%d cluster_id=%d", item_id, cluster_id)

    def add_many(self, rows: Iterable[tuple[int, int, bytes | None]]) -> int:
        """Index stored (item_id, cluster_id, fingerprint) rows; returns how many were skipped."""
        header = _HEADER.pack(_FORMAT, self.shingle, self.num_perm)
        size = _HEADER.size + 4 * self.num_perm
        blobs, clusters, skipped = [], [], 0
        for _item_id, cluster_id, fp in rows:
            if fp is None or len(fp) != size or not fp.startswith(header):
                skipped += 1  # too short to fingerprint, or made with other settings
                continue
            blobs.append(fp[_HEADER.size :])
            clusters.append(cluster_id)
        if blobs:
            sigs = np.frombuffer(b"".join(blobs), dtype="<u4").reshape(-1, self.num_perm)
            self._append(sigs, np.asarray(clusters, dtype=np.int64), reindex=True)
        if skipped:
            log.info("cluster_index_skipped rows=%d reason=missing_or_other_settings", skipped)
        return skipped

    def match(self, fp: bytes | None) -> int | None:
        """Cluster id of the most similar indexed item at or above the threshold, else None."""
        if fp is None or not self._size:
            return None
        sig = self._parse(fp)
        candidates = self._candidates(self._band_keys(sig[np.newaxis])[0])
        if not candidates.size:
            return None
        # Verify on the whole signature: a shared band alone may be a chance collision.
        scores = (self._sigs[candidates] == sig).mean(axis=1)
        best = int(np.argmax(scores))  # ties: the earliest indexed item
        if scores[best] < self.threshold:
            return None
        return int(self._clusters[candidates[best]])

    def _parse(self, fp: bytes) -> np.ndarray:
        return _unpack(fp, self.shingle, self.num_perm)

    def _band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """One key per band: a multiply-add of its rows, the band number in the top 6 bits."""
        grouped = sigs[:, : self.bands * self._rows].reshape(len(sigs), self.bands, self._rows)
        mixed = grouped[:, :, 0].astype(np.uint64) * self._mix[0]
        for row in range(1, self._rows):  # a loop over 3 rows beats a reduction over axis 2
            mixed += grouped[:, :, row].astype(np.uint64) * self._mix[row]
        mixed >>= np.uint64(6)
        mixed |= self._band_tag
        return mixed

    def _append(self, sigs: np.ndarray, clusters: np.ndarray, reindex: bool = False) -> None:
        end = self._size + len(sigs)
        if end > len(self._sigs):  # grow by doubling: one-by-one adds stay amortised O(1)
            capacity = max(end, 2 * len(self._sigs), 256)
            self._sigs = _grown(self._sigs, capacity)
            self._keys = _grown(self._keys, capacity)
            self._clusters = _grown(self._clusters, capacity)
        self._sigs[self._size : end] = sigs
        self._keys[self._size : end] = self._band_keys(sigs)
        self._clusters[self._size : end] = clusters
        self._size = end
        if reindex or end - self._indexed > _TAIL_MAX:
            self._reindex()

    def _reindex(self) -> None:
        # The row number replaces the key's low bits, so a plain sort (ten times faster than
        # argsort) keeps both; the few key bits lost only add candidates, which are verified.
        self._bits = np.uint64(max(1, (self._size - 1).bit_length()))
        rows = np.repeat(np.arange(self._size, dtype=np.uint64), self.bands)
        packed = self._keys[: self._size].ravel() >> self._bits << self._bits
        packed |= rows
        packed.sort()
        self._sorted = packed
        self._indexed = self._size

    def _candidates(self, keys: np.ndarray) -> np.ndarray:
        low = (np.uint64(1) << self._bits) - np.uint64(1)
        base = keys >> self._bits << self._bits
        lo = np.searchsorted(self._sorted, base, "left")
        hi = np.searchsorted(self._sorted, base | low, "right")
        # Rows of one key are sorted by row number; only the newest few per band are kept,
        # so a flood of near-identical items (boilerplate pages, templated text) cannot make
        # every lookup scan them all (measured: 2.5 ms a lookup, growing, on templated text).
        found = [
            (self._sorted[max(a, b - MAX_PER_BAND) : b] & low).astype(np.int64)
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True)
            if b > a
        ]
        tail = self._keys[self._indexed : self._size]
        if len(tail):
            found.append(self._indexed + np.flatnonzero((tail == keys).any(axis=1)))
        return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


def _grown(array: np.ndarray, capacity: int) -> np.ndarray:
    bigger = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger
