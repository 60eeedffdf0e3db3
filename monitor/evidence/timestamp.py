"""Trusted timestamps (RFC 3161) over evidence captures.

When MONITOR_TSA_URL is set, each capture file's SHA-256 is sent to that time-stamp
authority; the answer is verified before it is kept: granted, signed by a certificate with
the time-stamping purpose that chains to MONITOR_TSA_CA_FILE, our nonce, our hash. The token
(the authority's DER answer) is kept beside the capture, written once. Anyone can check it
later with ``openssl ts -verify`` and the authority's certificate; ``monitor evidence verify``
checks that each token covers its capture file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from ..config import Settings

TIMEOUT = 30.0
MAX_ANSWER = 256 * 1024


class TimestampError(Exception):
    """No trusted timestamp could be had; the message says why."""


@dataclass(frozen=True, slots=True)
class Stamp:
    token: bytes  # the DER TimeStampResponse, as the authority sent it
    time: datetime  # genTime, UTC


def stamp(data: bytes, settings: Settings) -> Stamp:
    """A verified RFC 3161 timestamp over ``data`` from the configured authority."""
    if not settings.tsa_ca_file:
        raise TimestampError("MONITOR_TSA_URL needs MONITOR_TSA_CA_FILE to verify the answers")
    try:
        roots = x509.load_pem_x509_certificates(Path(settings.tsa_ca_file).read_bytes())
    except (OSError, ValueError) as exc:
        raise TimestampError(f"cannot read MONITOR_TSA_CA_FILE: {exc}") from None
    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        answer = httpx.post(
            settings.tsa_url, content=request.as_bytes(), timeout=TIMEOUT,
            headers={"Content-Type": "application/timestamp-query"},
        )  # fmt: skip
    except httpx.HTTPError as exc:
        raise TimestampError(f"time-stamp authority unreachable: {exc}") from None
    if answer.status_code != 200 or len(answer.content) > MAX_ANSWER:
        raise TimestampError(f"time-stamp authority answered HTTP {answer.status_code}")
    try:
        response = decode_timestamp_response(answer.content)
        builder = VerifierBuilder.from_request(request)
        for root in roots:
            builder = builder.add_root_certificate(root)
        builder.build().verify_message(response, data)
    except (VerificationError, ValueError) as exc:
        raise TimestampError(f"timestamp refused: {exc}") from None
    return Stamp(answer.content, response.tst_info.gen_time)


def covers(token: bytes, data: bytes) -> bool:
    """True when the token is a granted timestamp over ``data``'s SHA-256 (no signature
    check: that needs the authority's certificate, see ``openssl ts -verify``)."""
    try:
        response = decode_timestamp_response(token)
    except ValueError:
        return False
    granted = PKIStatus(response.status) == PKIStatus.GRANTED
    return granted and response.tst_info.message_imprint.message == hashlib.sha256(data).digest()
