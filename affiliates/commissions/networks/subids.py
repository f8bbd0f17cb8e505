"""Our click ids in the forms networks' sub-id fields accept, read back losslessly.

A click id is 36 characters of URL-safe base64 (``A-Z a-z 0-9 - _``;
affiliates.tracking.clickids). Some networks take fewer characters: JD's
``subUnionId`` only letters, digits and underscores. There the id's bytes are
written in lowercase base32 without padding (letters and digits, 44 characters for
27 bytes), behind a ``z`` that says so; ``subid_read`` turns either form back into
the canonical click id, and leaves anything else as it came (a sub-id the
publisher set by hand is then simply unattributed by click).
"""

import base64
import binascii

_BASE32_PREFIX = "z"


def subid_alnum(click_id: str) -> str:
    """``click_id`` in letters and digits only (JD's ``subUnionId``)."""
    raw = base64.urlsafe_b64decode(click_id + "=" * (-len(click_id) % 4))
    return _BASE32_PREFIX + base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def subid_read(value: str) -> str:
    """The click id a network's sub-id field carries back: as it was written by
    ``subid_alnum``, or as is."""
    value = (value or "").strip()
    if value.startswith(_BASE32_PREFIX) and len(value) > 1:
        body = value[1:].upper()
        try:
            raw = base64.b32decode(body + "=" * (-len(body) % 8))
        except (binascii.Error, ValueError):
            return value
        if len(raw) in (24, 27):
            return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return value
