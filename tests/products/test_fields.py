"""Secrets encrypted at rest (products.fields): the database holds ciphertext, the
code reads plain text, and the migration step encrypts what was stored before."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from affiliates.models import ConnectionKind, MerchantConnection, NetworkConnection
from content.models import WebhookEndpoint
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
