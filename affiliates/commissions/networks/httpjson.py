"""Reading a network's JSON answer through the product's outbound client.

``products.outbound.outbound_request`` never reads a body (the link checker and
webhooks need only the status); a report API is its body. So connectors take a
session from ``outbound_session`` (the same SSRF rule: the address checked is the
one connected to, redirects not followed, no proxies from the environment) and
read the answer here, bounded in size and in time.

Every way an answer can be unusable becomes a ``ConnectorError`` whose reason names
the network and the HTTP status, and never holds a credential: the network's own
error text is cut short and any credential it echoes is masked.
"""

import json
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import requests
import urllib3

from affiliates.commissions.networks.base import ConnectorError
from products.outbound import outbound_failure, outbound_session

# A day of a busy publisher's transactions fits well under this; a larger answer is
# refused rather than held in memory.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_MESSAGE_LIMIT = 200


def _masked(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "…")
    return text


def _network_message(body: bytes, secrets: Iterable[str]) -> str:
    """The short message of a network's error body (Awin's {"error", "description"},
    Impact's {"Status", "Message"}), or "" when it has none."""
    try:
        data = json.loads(body[:4096])
    except ValueError:
        return ""
    if not isinstance(data, Mapping):
        return ""
    parts = [
        str(data[key])
        for key in ("error", "description", "Message", "message")
        if isinstance(data.get(key), str | int) and str(data[key]).strip()
    ]
    text = " ".join(" ".join(parts).split())[:_MESSAGE_LIMIT]
    return _masked(text, secrets)


def body_read(
    response: requests.Response, *, limit: int, deadline: float
) -> bytes | None:
    """The answer's body, or None when it is larger than ``limit``; TimeoutError
    past ``deadline`` (a ``time.monotonic()``). Raises requests', urllib3's or the
    socket's errors for a body cut off.

    ``read1`` returns whatever bytes have come (requests' ``iter_content`` waits
    for a full chunk), so the deadline is checked at every arrival: a server that
    sends one byte just inside each read timeout (a slow loris) is cut off at the
    deadline, not when it chooses to stop."""
    raw = response.raw
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = raw.read1(64 * 1024, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def _read(response: requests.Response, *, deadline: float, network: str) -> bytes:
    try:
        body = body_read(response, limit=MAX_ANSWER_BYTES, deadline=deadline)
    except TimeoutError as error:
        raise ConnectorError(f"{network} took too long to send its answer.") from error
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        raise ConnectorError(
            f"{network}'s answer was cut off or too slow to come."
        ) from error
    if body is None:
        raise ConnectorError(
            f"{network}'s answer is larger than "
            f"{MAX_ANSWER_BYTES // (1024 * 1024)} MB; it was not read."
        )
    return body


def network_json_get(
    *,
    network: str,
    url: str,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str],
    secrets: Iterable[str] = (),
    timeout: float = 30.0,
) -> Any:
    """GET ``url`` and return its JSON (numbers with a fraction as Decimal, never
    float); raise ConnectorError for anything else. ``timeout`` bounds connecting,
    each wait for data, and the whole answer (three times it)."""
    secrets = list(secrets)
    deadline = time.monotonic() + 3 * timeout
    session = outbound_session(headers=dict(headers))
    try:
        try:
            response = session.get(url, params=params, timeout=(timeout, timeout))
        except requests.RequestException as error:
            raise ConnectorError(
                f"{network}: {outbound_failure(error, timeout=timeout)}."
            ) from error
        with response:
            status = response.status_code
            if status == 200:
                body = _read(response, deadline=deadline, network=network)
            else:
                body = b""
                if status < 500:
                    body = next(response.iter_content(chunk_size=4096), b"")
        if status != 200:
            raise ConnectorError(_status_reason(network, response, body, secrets))
    finally:
        session.close()
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError) as error:
        raise ConnectorError(f"{network}'s answer is not valid JSON.") from error


def _status_reason(
    network: str, response: requests.Response, body: bytes, secrets: list[str]
) -> str:
    status = response.status_code
    message = _network_message(body, secrets)
    said = f" ({network} says: {message})" if message else ""
    if status in (401, 403):
        return (
            f"{network} refused the credentials (HTTP {status}): the token may be "
            f"expired, revoked or without access to this account.{said}"
        )
    if status == 429:
        wait = response.headers.get("Retry-After") or response.headers.get(
            "X-RateLimit-Reset"
        )
        when = f" It asks to wait until {wait[:40]}." if wait else ""
        return f"{network}'s rate limit was reached (HTTP 429).{when}"
    if status >= 500:
        return f"{network} failed to answer (HTTP {status}); the next pull retries."
    if 300 <= status < 400:
        return f"{network} answered with a redirect (HTTP {status}), not followed."
    return f"{network} refused the request (HTTP {status}).{said}"
