"""`manage.py encryption_rotate`: save every secret at rest again under the first key
of ZHONGCAO_ENCRYPTION_KEYS, so that an old key can then be dropped."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from affiliates.models import PayoutMethod
from products.encryption import DecryptionError
from products.fields import EncryptedJSONField, EncryptedTextField


def _encrypted_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    ]


class Command(BaseCommand):
    help = (
        "Re-encrypt every secret stored at rest (connections' credentials, postback "
        "and webhook secrets, payout accounts) with the first key of "
        "ZHONGCAO_ENCRYPTION_KEYS. Run it after putting a new key first; then the "
        "old key can be removed. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = {}
        try:
            with transaction.atomic():
                for model in apps.get_models():
                    fields = _encrypted_fields(model)
                    if not fields:
                        continue
                    rows = 0
                    for row in model._default_manager.all().iterator(chunk_size=500):
                        row.save(update_fields=fields)
                        rows += 1
                    counts[model._meta.label] = rows
                rows = 0
                for method in PayoutMethod.objects.iterator(chunk_size=500):
                    method.details = method.details
                    method.save(update_fields=["details_encrypted"])
                    rows += 1
                counts[PayoutMethod._meta.label] = rows
        except DecryptionError as error:
            raise CommandError(
                "A stored secret opens with none of the keys in "
                "ZHONGCAO_ENCRYPTION_KEYS (was a key removed too early?); "
                "nothing was changed."
            ) from error
        for label, rows in sorted(counts.items()):
            self.stdout.write(f"{label}: {rows} re-encrypted")
