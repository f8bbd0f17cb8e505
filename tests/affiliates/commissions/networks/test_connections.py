"""Setting up a connection (networks.connections): how secrets are masked, which
names are a kind's credentials, and that the save refuses bad input whole."""

import pytest
from django.core.exceptions import ValidationError

from affiliates.commissions.networks import base
from affiliates.commissions.networks.connections import (
    ConnectionChanges,
    connection_credential_in_use,
    connection_credential_names,
    connection_kinds,
    network_connection_save,
    secret_mask,
)
from affiliates.models import ConnectionKind, NetworkConnection


class KeyedConnector(base.Connector):
    kind = ConnectionKind.PDD_DDK
    credential_names = ("client_id", "client_secret")


@pytest.fixture
def pdd(connector_replace):
    connector_replace(ConnectionKind.PDD_DDK, KeyedConnector)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("", ""),
        (None, ""),
        ("short", "••••"),
        ("1234567", "••••"),
        ("12345678", "••••5678"),
        ("a-long-secret-cdef", "••••cdef"),
    ],
)
def test_a_secret_shows_at_most_its_last_four_characters(value, shown):
    assert secret_mask(value) == shown


def test_a_kinds_credentials_are_its_connectors(pdd):
    assert connection_credential_names(kind=ConnectionKind.PDD_DDK) == (
        "client_id",
        "client_secret",
    )
    assert ConnectionKind.PDD_DDK in dict(connection_kinds())


def test_a_templated_postback_uses_its_token_or_its_hmac_secret():
    kind = ConnectionKind.TEMPLATED_POSTBACK
    assert connection_credential_names(kind=kind) == ("token", "secret")
    assert connection_credential_in_use(kind=kind, settings={}, name="token")
    assert connection_credential_in_use(
        kind=kind, settings={"auth": "hmac"}, name="secret"
    )
    assert not connection_credential_in_use(
        kind=kind, settings={"auth": "hmac"}, name="token"
    )


@pytest.mark.django_db
def test_a_save_with_one_bad_field_writes_nothing(pdd, shop):
    connection = network_connection_save(
        merchant=shop,
        kind=ConnectionKind.PDD_DDK,
        changes=ConnectionChanges(credentials={"client_id": "id-1"}),
    )
    with pytest.raises(ValidationError) as refused:
        network_connection_save(
            merchant=shop,
            kind=ConnectionKind.PDD_DDK,
            connection=connection,
            changes=ConnectionChanges(
                name="renamed",
                credentials={"client_secret": "new-secret"},
                base_url="http://192.168.1.1/",
            ),
        )
    assert "base_url" in refused.value.message_dict
    connection.refresh_from_db()
    assert connection.name == "" and connection.credentials == {"client_id": "id-1"}
    with pytest.raises(ValidationError, match="no credential"):
        network_connection_save(
            merchant=shop,
            kind=ConnectionKind.PDD_DDK,
            connection=connection,
            changes=ConnectionChanges(credentials={"app_secret": "x"}),
        )
    assert NetworkConnection.objects.get().credentials == {"client_id": "id-1"}


@pytest.fixture
def no_jd(connector_replace):
    """JD's connector not installed (whether or not it is, in this checkout)."""
    connector_replace(ConnectionKind.JD_UNION, None)


@pytest.mark.django_db
def test_a_kind_without_a_connector_cannot_be_made(no_jd, shop):
    with pytest.raises(ValidationError) as refused:
        network_connection_save(
            merchant=shop, kind=ConnectionKind.JD_UNION, changes=ConnectionChanges()
        )
    assert "kind" in refused.value.message_dict
    assert not NetworkConnection.objects.exists()


@pytest.mark.django_db
def test_an_enabled_templated_postback_must_be_usable(shop):
    """Settings or a credential that would refuse the network's every call are
    refused by the save, naming what is wrong; a disabled connection may wait."""
    kind = ConnectionKind.TEMPLATED_POSTBACK
    usable = {"auth": "hmac", "params": {"order_id": "oid", "amount": "a"}}
    usable["currency"] = "CNY"
    with pytest.raises(ValidationError) as refused:
        network_connection_save(
            merchant=shop, kind=kind, changes=ConnectionChanges(settings={})
        )
    assert "params" in refused.value.message_dict["settings"][0]
    with pytest.raises(ValidationError) as refused:
        network_connection_save(
            merchant=shop, kind=kind, changes=ConnectionChanges(settings=usable)
        )
    assert "secret" in refused.value.message_dict["credentials"][0]
    assert not NetworkConnection.objects.exists()
    waiting = network_connection_save(
        merchant=shop,
        kind=kind,
        changes=ConnectionChanges(enabled=False, settings=usable),
    )
    connection = network_connection_save(
        merchant=shop,
        kind=kind,
        connection=waiting,
        changes=ConnectionChanges(enabled=True, credentials={"secret": "s-12345678"}),
    )
    assert connection.enabled and connection.credentials == {"secret": "s-12345678"}


@pytest.mark.django_db
def test_a_base_url_on_a_host_the_operator_named_may_be_a_single_label(
    pdd, shop, settings
):
    """A staging server known by its service name (http://jd-mock:8080) is usable
    once named in ZHONGCAO_OUTBOUND_ALLOW_HOSTS; unnamed, it is still refused."""

    def save(base_url):
        return network_connection_save(
            merchant=shop,
            kind=ConnectionKind.PDD_DDK,
            changes=ConnectionChanges(base_url=base_url),
        )

    with pytest.raises(ValidationError) as refused:
        save("http://jd-mock:8080/api")
    assert "base_url" in refused.value.message_dict
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["jd-mock"]
    assert save("http://jd-mock:8080/api").base_url == "http://jd-mock:8080/api"
    for refused_still in (
        "http://other-mock:8080/",
        "ftp://jd-mock/",
        "http://jd-mock:x/",
        "http://jd-mock/a b",
    ):
        with pytest.raises(ValidationError):
            save(refused_still)
