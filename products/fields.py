"""Model fields that keep a value encrypted at rest (products.encryption).

The value is encrypted when saved and decrypted when read, so code uses it as plain
text (or a dict) and only the database holds ciphertext. Fernet tokens differ at
every save, so these fields cannot be filtered on: look rows up by something else.
"""

import json
from typing import Any

from django.db import models

from products.encryption import text_decrypt, text_encrypt


class EncryptedTextField(models.TextField):
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


class EncryptedJSONField(models.TextField):
    """A JSON object (such as an API's credentials) encrypted at rest."""

    def from_db_value(self, value, expression, connection) -> dict[str, Any]:
        if value in (None, ""):
            return {}
        return json.loads(text_decrypt(value))

    def to_python(self, value) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if value in (None, ""):
            return {}
        return json.loads(value)

    def get_prep_value(self, value):
        if not value:
            return ""
        return text_encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False))

    def value_to_string(self, obj) -> str:
        # dumpdata: JSON that to_python (loaddata) reads back, not a dict's repr.
        return json.dumps(self.value_from_object(obj), sort_keys=True)
