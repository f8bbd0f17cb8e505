"""Django's python serializer, dumping encrypted fields as ciphertext (see the package)."""

from django.core.serializers import python as django_python

from products.serializers import EncryptedValuesDumped

Deserializer = django_python.Deserializer


class Serializer(EncryptedValuesDumped, django_python.Serializer):
    pass
