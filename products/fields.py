"""Model fields that keep a value encrypted at rest (products.encryption).

The value is encrypted when saved and decrypted when read, so code uses it as plain
text (or a dict) and only the database holds ciphertext. Fernet tokens differ at
every save, so these fields cannot be filtered on: look rows up by something else.

A dump (``manage.py dumpdata``, any format) holds them encrypted too: a backup
file is not a second copy of every secret in clear. The dumped value is DUMPED
followed by a Fernet token under ``ZHONGCAO_ENCRYPTION_KEYS``; ``loaddata``
decrypts it with the same keys (the serializers of products.serializers make the
JSON, JSONL and Python formats ask the field; XML always does), and refuses it,
naming the field, where no key opens it.
"""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from products.encryption import DecryptionError, text_decrypt, text_encrypt

# What marks a dumped value as ciphertext (never the start of a real secret: our
# own are generated, credentials are JSON).
DUMPED = "zhongcao-encrypted:"


class EncryptedAtRest:
    """What both fields share: a dump holds the ciphertext, a load decrypts it."""

    def _plain_text(self, value) -> str:
        return value or ""

    def _from_plain_text(self, text: str):
        return text

    def value_to_string(self, obj) -> str:
        text = self._plain_text(self.value_from_object(obj))
        return DUMPED + text_encrypt(text) if text else ""

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(DUMPED):
            try:
                text = text_decrypt(value.removeprefix(DUMPED))
            except DecryptionError as error:
                raise ValidationError(
                    f"{self.model._meta.label}.{self.name}: no key of "
                    "ZHONGCAO_ENCRYPTION_KEYS opens this value (was it dumped "
                    "under other keys?)",
                    code="undecryptable",
                ) from error
            return self._from_plain_text(text)
        return super().to_python(value)


class EncryptedTextField(EncryptedAtRest, models.TextField):
    """Text encrypted at rest. An empty value is stored empty, not encrypted."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return text_decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return text_encrypt(value)


class EncryptedJSONField(EncryptedAtRest, models.TextField):
    """A JSON object (such as an API's credentials) encrypted at rest."""

    def from_db_value(self, value, expression, connection) -> dict[str, Any]:
        if value in (None, ""):
            return {}
        return json.loads(text_decrypt(value))

    def _plain_text(self, value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else ""

    def _from_plain_text(self, text: str) -> dict[str, Any]:
        return json.loads(text)

    def to_python(self, value) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if value in (None, ""):
            return {}
        if value.startswith(DUMPED):
            return super().to_python(value)
        return json.loads(value)

    def get_prep_value(self, value):
        if not value:
            return ""
        return text_encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False))
