"""Django's jsonl serializer, dumping encrypted fields as ciphertext (see the package)."""

from django.core.serializers import jsonl as django_jsonl

from products.serializers import EncryptedValuesDumped

Deserializer = django_jsonl.Deserializer


class Serializer(EncryptedValuesDumped, django_jsonl.Serializer):
    pass
