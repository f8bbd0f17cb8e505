"""Click ids: short, unguessable, and signed so that they carry their own facts.

A click id is 27 bytes in URL-safe base64 (36 characters, no padding):

    link id (4 bytes) | time, Unix seconds (4) | offer sent to (4) | nonce (5) | tag (10)

The tag is an HMAC-SHA256 keyed by a secret derived from Django's SECRET_KEY, so a
purchase reported with a click id is attributed to its link, time and the offer the
reader was sent to (the link's own, or an in-stock fallback: what the commission
rate comes from) from the id alone, whether or not the click's row was written yet;
a forged or altered id fails the tag.

Ids made before the offer was carried have 24 bytes (32 characters: link, time, a
6-byte nonce, tag) and still parse, without an offer.

Only the canonical form is read: exactly 32 or 36 characters of the URL-safe
alphabet. A lenient base64 decoder would also take ``+`` and ``/`` for ``-`` and
``_``: one purchase could then arrive under several spellings of one click.
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import struct
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

_LAYOUT = struct.Struct(">III5s")
_LEGACY_LAYOUT = struct.Struct(">II6s")
_TAG_BYTES = 10
CLICK_ID_LENGTH = 36
LEGACY_CLICK_ID_LENGTH = 32
_CANONICAL = re.compile(
    rf"[A-Za-z0-9_-]{{{LEGACY_CLICK_ID_LENGTH}}}"
    rf"(?:[A-Za-z0-9_-]{{{CLICK_ID_LENGTH - LEGACY_CLICK_ID_LENGTH}}})?"
)


class InvalidClickId(ValueError):
    """The click id is malformed or its signature does not match."""


@dataclass(frozen=True)
class ClickIdFacts:
    link_id: int
    clicked_at: datetime.datetime
    # The offer the reader was sent to; None for an id made before ids carried it.
    offer_id: int | None = None


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"zhongcao.click-id:" + secret.encode()).digest()


def _tag(body: bytes) -> bytes:
    # hmac.digest: the one-shot form, without an HMAC object per click
    return hmac.digest(_key(settings.SECRET_KEY), body, "sha256")[:_TAG_BYTES]


def click_id_make(
    *, link_id: int, clicked_at: datetime.datetime, offer_id: int | None = None
) -> str:
    """A new click id for a click on ``link_id`` at ``clicked_at`` that sent the
    reader to ``offer_id``."""
    body = _LAYOUT.pack(
        link_id, int(clicked_at.timestamp()), offer_id or 0, os.urandom(5)
    )
    return base64.urlsafe_b64encode(body + _tag(body)).decode("ascii")


def click_id_parse(click_id: str) -> ClickIdFacts:
    """The link, time and offer a click id carries; raises InvalidClickId if it is
    not one of ours, exactly as we wrote it."""
    if not isinstance(click_id, str) or not _CANONICAL.fullmatch(click_id):
        raise InvalidClickId("A click id has 36 characters: letters, digits, - and _.")
    raw = base64.urlsafe_b64decode(click_id)
    layout = _LAYOUT if len(click_id) == CLICK_ID_LENGTH else _LEGACY_LAYOUT
    body, tag = raw[: layout.size], raw[layout.size :]
    if not hmac.compare_digest(tag, _tag(body)):
        raise InvalidClickId("The click id's signature does not match.")
    link_id, seconds, *rest = layout.unpack(body)
    offer_id = rest[0] if layout is _LAYOUT else None
    return ClickIdFacts(
        link_id=link_id,
        clicked_at=datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC),
        offer_id=offer_id or None,
    )
