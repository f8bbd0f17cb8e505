"""Django's json serializer, dumping encrypted fields as ciphertext (see the package)."""

from django.core.serializers import json as django_json

from products.serializers import EncryptedValuesDumped

Deserializer = django_json.Deserializer


class Serializer(EncryptedValuesDumped, django_json.Serializer):
    pass
