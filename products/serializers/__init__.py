"""Django's JSON, JSONL and Python serializers, except that a field encrypted at
rest (products.fields) is dumped as its ciphertext: Django's serializers write a
text value as it is and ask the field only for other values. Installed as those
formats by the ``SERIALIZATION_MODULES`` setting; XML always asks the field."""

from products.fields import EncryptedAtRest


class EncryptedValuesDumped:
    def _value_from_field(self, obj, field):
        if isinstance(field, EncryptedAtRest):
            return field.value_to_string(obj)
        return super()._value_from_field(obj, field)
