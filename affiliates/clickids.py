"""Click ids: short, unguessable, and signed so that they carry their own facts.

A click id is 24 bytes in URL-safe base64 (32 characters, no padding):

    link id (4 bytes) | time, Unix seconds (4) | random nonce (6) | HMAC-SHA256 tag (10)

The tag is keyed by a secret derived from Django's SECRET_KEY, so a purchase
reported with a click id can be attributed to its link and time from the id alone,
even when the click's row was never written; a forged or altered id fails the tag.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

_LAYOUT = struct.Struct(">II6s")
_TAG_BYTES = 10
CLICK_ID_LENGTH = 32


class InvalidClickId(ValueError):
    """The click id is malformed or its signature does not match."""


@dataclass(frozen=True)
class ClickIdFacts:
    link_id: int
    clicked_at: datetime.datetime


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"zhongcao.click-id:" + secret.encode()).digest()


def _tag(body: bytes) -> bytes:
    # hmac.digest: the one-shot form, without an HMAC object per click
    return hmac.digest(_key(settings.SECRET_KEY), body, "sha256")[:_TAG_BYTES]


def click_id_make(*, link_id: int, clicked_at: datetime.datetime) -> str:
    """A new click id for a click on ``link_id`` at ``clicked_at``."""
    body = _LAYOUT.pack(link_id, int(clicked_at.timestamp()), os.urandom(6))
    return base64.urlsafe_b64encode(body + _tag(body)).decode("ascii")


def click_id_parse(click_id: str) -> ClickIdFacts:
    """The link and time a click id carries; raises InvalidClickId if it is not ours."""
    if not isinstance(click_id, str) or len(click_id) != CLICK_ID_LENGTH:
        raise InvalidClickId("A click id has 32 characters.")
    try:
        raw = base64.urlsafe_b64decode(click_id.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise InvalidClickId("Not a click id.") from error
    body, tag = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
    if not hmac.compare_digest(tag, _tag(body)):
        raise InvalidClickId("The click id's signature does not match.")
    link_id, seconds, _nonce = _LAYOUT.unpack(body)
    return ClickIdFacts(
        link_id=link_id,
        clicked_at=datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC),
    )
