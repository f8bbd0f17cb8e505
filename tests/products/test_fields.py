"""Secrets encrypted at rest (products.fields): the database holds ciphertext, the
code reads plain text, and the migration step encrypts what was stored before."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import connection
from django.utils import timezone

from affiliates.models import ConnectionKind, MerchantConnection, NetworkConnection
from content.models import WebhookEndpoint
from products.fields import DUMPED
from products.migration_ops import EncryptColumn
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def stored(model, pk: int, column: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_a_postback_secret_is_stored_encrypted_and_read_plain():
    saved = MerchantConnection.objects.create(
        merchant=MerchantFactory(),
        postback_secret="whsec_plain",
        secret_created_at=timezone.now(),
    )
    raw = stored(MerchantConnection, saved.pk, "postback_secret")
    assert "whsec_plain" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert MerchantConnection.objects.get(pk=saved.pk).postback_secret == "whsec_plain"


def test_a_webhook_secret_is_stored_encrypted_and_read_plain():
    endpoint = WebhookEndpoint.objects.create(
        name="Shop", url="https://hooks.example.com/in"
    )
    raw = stored(WebhookEndpoint, endpoint.pk, "secret")
    assert endpoint.secret not in raw
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


def test_credentials_are_one_encrypted_json_object():
    saved = NetworkConnection.objects.create(
        merchant=MerchantFactory(),
        kind=ConnectionKind.JD_UNION,
        credentials={"app_key": "k-1", "app_secret": "s3cret/密钥"},
    )
    raw = stored(NetworkConnection, saved.pk, "credentials")
    assert "s3cret" not in raw and "app_key" not in raw
    assert NetworkConnection.objects.get(pk=saved.pk).credentials == {
        "app_key": "k-1",
        "app_secret": "s3cret/密钥",
    }
    empty = NetworkConnection.objects.create(
        merchant=saved.merchant, kind=ConnectionKind.TEMPLATED_POSTBACK
    )
    assert stored(NetworkConnection, empty.pk, "credentials") == ""
    assert NetworkConnection.objects.get(pk=empty.pk).credentials == {}


def test_the_migration_step_encrypts_secrets_stored_before_and_reverses():
    saved = MerchantConnection.objects.create(
        merchant=MerchantFactory(),
        postback_secret="placeholder",
        secret_created_at=timezone.now(),
    )
    table = connection.ops.quote_name(MerchantConnection._meta.db_table)
    with connection.cursor() as cursor:  # as a row written before the migration
        cursor.execute(
            f"UPDATE {table} SET postback_secret = %s WHERE id = %s",  # noqa: S608
            ["whsec_from_before", saved.pk],
        )
    step = EncryptColumn("affiliates", "merchantconnection", "postback_secret")
    # What the step uses of a schema editor (SQLite's cannot be opened inside the
    # test's transaction).
    editor = SimpleNamespace(
        connection=connection, quote_name=connection.ops.quote_name
    )
    step.code(apps, editor)
    assert stored(MerchantConnection, saved.pk, "postback_secret").startswith("gAAAA")
    assert (
        MerchantConnection.objects.get(pk=saved.pk).postback_secret
        == "whsec_from_before"
    )
    step.reverse_code(apps, editor)
    assert stored(MerchantConnection, saved.pk, "postback_secret") == (
        "whsec_from_before"
    )


# -- Backups: dumpdata writes ciphertext, loaddata reads it back ------------------------

KEY_A = "7dJDsmFpTvZcgbT0tTZ7yNkLNy6nWZqRoUbh3n5cQ2M="
KEY_B = "hM5yq4JbS9iQxPr1vR1xW8JqSKm0rXJk4V2d7x8uZ0E="


def secrets_saved() -> tuple[MerchantConnection, NetworkConnection, WebhookEndpoint]:
    merchant = MerchantFactory()
    return (
        MerchantConnection.objects.create(
            merchant=merchant,
            postback_secret="whsec_plain",
            secret_created_at=timezone.now(),
        ),
        NetworkConnection.objects.create(
            merchant=merchant,
            kind=ConnectionKind.JD_UNION,
            credentials={"app_key": "k", "app_secret": "s3cr3t-京东"},
        ),
        WebhookEndpoint.objects.create(
            name="Shop", url="https://hooks.example.com/in", secret="hook-plain"
        ),
    )


LABELS = (
    "affiliates.merchantconnection",
    "affiliates.networkconnection",
    "content.webhookendpoint",
)


def dumped(tmp_path, dump_format: str):
    path = tmp_path / f"backup.{dump_format}"
    call_command("dumpdata", *LABELS, format=dump_format, output=str(path))
    return path


@pytest.mark.parametrize("dump_format", ["json", "jsonl", "xml"])
def test_a_dump_holds_ciphertext_that_loads_back_under_the_same_keys(
    tmp_path, settings, dump_format
):
    settings.ZHONGCAO_ENCRYPTION_KEYS = [KEY_A]
    merchant_connection, network, endpoint = secrets_saved()
    path = dumped(tmp_path, dump_format)
    text = path.read_text(encoding="utf-8")
    for secret in ("whsec_plain", "s3cr3t", "hook-plain", "app_secret"):
        assert secret not in text, secret
    assert text.count(DUMPED) == 3

    WebhookEndpoint.objects.all().delete()
    NetworkConnection.objects.all().delete()
    MerchantConnection.objects.all().delete()
    call_command("loaddata", str(path), verbosity=0)
    assert (
        MerchantConnection.objects.get(pk=merchant_connection.pk).postback_secret
        == "whsec_plain"
    )
    assert NetworkConnection.objects.get(pk=network.pk).credentials == {
        "app_key": "k",
        "app_secret": "s3cr3t-京东",
    }
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "hook-plain"
    # Stored encrypted again, not as the dump's text.
    raw = stored(MerchantConnection, merchant_connection.pk, "postback_secret")
    assert raw.startswith("gAAAA") and DUMPED not in raw


def test_a_dump_loaded_under_other_keys_is_refused_by_field(tmp_path, settings):
    settings.ZHONGCAO_ENCRYPTION_KEYS = [KEY_A]
    secrets_saved()
    path = dumped(tmp_path, "json")
    WebhookEndpoint.objects.all().delete()
    NetworkConnection.objects.all().delete()
    MerchantConnection.objects.all().delete()
    settings.ZHONGCAO_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(DeserializationError, match="postback_secret: no key"):
        call_command("loaddata", str(path), verbosity=0)
    assert MerchantConnection.objects.count() == 0
    # A new key first and the old one still there (a rotation) reads it.
    settings.ZHONGCAO_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("loaddata", str(path), verbosity=0)
    assert MerchantConnection.objects.get().postback_secret == "whsec_plain"


def test_an_empty_secret_dumps_empty():
    network = NetworkConnection.objects.create(
        merchant=MerchantFactory(), kind=ConnectionKind.JD_UNION, credentials={}
    )
    [row] = serializers.serialize("python", [network])
    assert row["fields"]["credentials"] == ""
    [loaded] = serializers.deserialize("python", [row])
    assert loaded.object.credentials == {}
