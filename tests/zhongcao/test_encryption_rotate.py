"""`manage.py encryption_rotate`: after a new key is put first, every secret at rest is
saved again under it, and the old key can go."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from affiliates.models import ConnectionKind, MerchantConnection, NetworkConnection
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def test_secrets_move_to_the_new_key_and_the_old_one_can_go(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ZHONGCAO_ENCRYPTION_KEYS = [old]
    merchant = MerchantFactory()
    signed = MerchantConnection.objects.create(
        merchant=merchant, postback_secret="whsec_1", secret_created_at=timezone.now()
    )
    pulled = NetworkConnection.objects.create(
        merchant=merchant,
        kind=ConnectionKind.JD_UNION,
        credentials={"app_key": "k", "app_secret": "s"},
    )

    settings.ZHONGCAO_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("encryption_rotate", stdout=out)
    assert "affiliates.NetworkConnection: 1 re-encrypted" in out.getvalue()

    settings.ZHONGCAO_ENCRYPTION_KEYS = [new]
    assert MerchantConnection.objects.get(pk=signed.pk).postback_secret == "whsec_1"
    assert NetworkConnection.objects.get(pk=pulled.pk).credentials["app_secret"] == "s"


def test_a_secret_no_key_opens_stops_it_and_changes_nothing(settings):
    settings.ZHONGCAO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    NetworkConnection.objects.create(
        merchant=MerchantFactory(),
        kind=ConnectionKind.JD_UNION,
        credentials={"app_key": "k"},
    )
    settings.ZHONGCAO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="opens with none of the keys"):
        call_command("encryption_rotate", stdout=StringIO())
