"""Encryption at rest (products.encryption): authenticated, so a changed value is
refused rather than misread, with keys that rotate."""

import pytest
from django.test import override_settings

from products.encryption import DecryptionError, text_decrypt, text_encrypt


def test_a_changed_value_is_refused_not_misread():
    token = text_encrypt("6222021234561234")
    assert text_decrypt(token) == "6222021234561234"
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(DecryptionError):
        text_decrypt(tampered)


def test_keys_rotate_old_values_stay_readable():
    old = "Y2hhbmdlLW1lLXRoaXMtaXMtMzItYnl0ZXMtbG9uZyE="
    new = "bmV3LWtleS1uZXctbmV3LW5ldy1uZXctbmV3LW5ldy0="
    with override_settings(ZHONGCAO_ENCRYPTION_KEYS=[old]):
        token = text_encrypt("林小鹿")
    with override_settings(ZHONGCAO_ENCRYPTION_KEYS=[new, old]):
        assert text_decrypt(token) == "林小鹿"
    with (
        override_settings(ZHONGCAO_ENCRYPTION_KEYS=[new]),
        pytest.raises(DecryptionError),
    ):
        text_decrypt(token)
