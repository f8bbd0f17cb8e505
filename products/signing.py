"""Signed requests: merchants' postbacks to us and our webhooks to others carry an HMAC-SHA256 signature of the timestamp and body, in one header."""

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Zhongcao-Signature"


SIGNATURE_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The postback's signature is missing, malformed, wrong or too old/new."""


def signing_secret_new() -> str:
    """A new secret for signatures (merchants' postbacks, our webhooks)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature_make(*, secret: str, body: bytes, timestamp: int) -> str:
    """The header value a merchant sends: ``t=<unix seconds>,v1=<hex HMAC>``."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_verify(
    *, secret: str, body: bytes, header: str | None, now: float | None = None
) -> None:
    """Raise SignatureError unless ``header`` signs ``body`` with ``secret`` within
    SIGNATURE_TOLERANCE_SECONDS of now. Several v1 values may be given (any may
    match); comparisons are constant-time."""
    if not header:
        raise SignatureError("The Zhongcao-Signature header is missing.")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as error:
                raise SignatureError("The signature's t is not a number.") from error
        elif key == "v1":
            candidates.append(value.strip())
    if timestamp is None or not candidates:
        raise SignatureError("The signature needs t=<unix seconds> and v1=<hex>.")
    current = time.time() if now is None else now
    if abs(current - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureError(
            "The signature's timestamp is more than 300 seconds from now."
        )
    expected = signature_make(secret=secret, body=body, timestamp=timestamp)
    expected_digest = expected.partition(",v1=")[2].encode()
    matched = False
    for candidate in candidates:
        # Check every candidate, so the time taken does not tell which one matched.
        matched |= hmac.compare_digest(expected_digest, candidate.encode())
    if not matched:
        raise SignatureError("The signature does not match.")
