"""Encryption at rest of what people tell us in confidence (creators' payout accounts).

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``): authenticated, so a
changed ciphertext is refused rather than read as another account. The keys are
``ZHONGCAO_ENCRYPTION_KEYS`` (comma-separated Fernet keys, the first encrypts, all
decrypt: put a new key first, and drop the old one once every value has been
saved again under the new). Without it, one key is derived from ``SECRET_KEY``,
so the embedded default needs no environment; production should set its own, so
that a leaked ``SECRET_KEY`` alone does not open the accounts.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value that none of the keys opens (changed, or the key is gone)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(
        b"zhongcao.encryption:" + settings.SECRET_KEY.encode()
    ).digest()
    return base64.urlsafe_b64encode(digest)


@functools.cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    return MultiFernet([Fernet(_derived_key())])


def _keys() -> MultiFernet:
    keys = tuple(
        key.strip()
        for key in getattr(settings, "ZHONGCAO_ENCRYPTION_KEYS", ())
        if key.strip()
    )
    return _fernet(keys, settings.SECRET_KEY)


def text_encrypt(value: str) -> str:
    """``value`` as a Fernet token (ASCII), to store."""
    return _keys().encrypt(value.encode()).decode("ascii")


def text_decrypt(token: str) -> str:
    """The text that ``text_encrypt`` stored; ``DecryptionError`` if no key opens
    it or it was changed."""
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(str(error) or "invalid token") from error
