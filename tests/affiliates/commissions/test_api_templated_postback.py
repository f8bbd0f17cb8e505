"""GET/POST /api/postbacks/<merchant>/<connection-key>: a network's own parameters,
through Django's test client, as a network's server would call it."""

import datetime
import json
import logging
import threading
import time
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection as db_connection
from django.test import Client, override_settings
from django.utils import timezone

from affiliates.commissions.postbacks import POSTBACK_MAX_BYTES
from affiliates.models import (
    ConnectionKind,
    Conversion,
    ConversionReport,
    ConversionSource,
    ConversionStatus,
    LedgerEntry,
    NetworkConnection,
    UnattributedReason,
)
from products.signing import signature_make
from tests.affiliates.conftest import click_id_for, postback, sale

pytestmark = pytest.mark.django_db

TOKEN = "tok_" + "k" * 32  # noqa: S105 (a test's token)
HMAC_SECRET = "whsec_network-secret"  # noqa: S105 (a test's secret)

# An Everflow-like map: their names for our fields.
PARAMS = {
    "click_id": "subid1",
    "order_id": "oid",
    "item_id": "sku",
    "amount": "sale_amount",
    "commission": "payout",
    "currency": "currency",
    "status": "status",
    "occurred_at": "event_time",
}


def connect(merchant, *, credentials=None, **settings) -> NetworkConnection:
    values = {
        "params": PARAMS,
        "statuses": {"1": "approved", "reversed": "refunded", "rejected": "cancelled"},
        "currency": "CNY",
        "auth": "token",
    }
    values.update(settings)
    return NetworkConnection.objects.create(
        merchant=merchant,
        kind=ConnectionKind.TEMPLATED_POSTBACK,
        settings=values,
        credentials={"token": TOKEN} if credentials is None else credentials,
    )


def url(connection, query: dict | None = None) -> str:
    path = f"/api/postbacks/{connection.merchant.slug}/{connection.key}"
    return path + ("?" + urlencode(query) if query else "")


def call(**fields) -> dict:
    """Their parameters for a pending sale of 129.90 CNY, commission 12.99, now."""
    params = {
        "oid": "EF-1001",
        "sale_amount": "129.90",
        "payout": "12.99",
        "event_time": timezone.now().replace(microsecond=0).isoformat(),
    }
    params.update(fields)
    return {key: value for key, value in params.items() if value is not None}


def counts() -> tuple[int, int, int]:
    return (
        Conversion.objects.count(),
        ConversionReport.objects.count(),
        LedgerEntry.objects.count(),
    )


NOTHING = (0, 0, 0)


@pytest.fixture
def everflow(shop):
    return connect(shop)


# -- The three ways a network sends its parameters --------------------------------------


def test_get_with_a_query_string_credits_the_creator(client, everflow, link):
    click_id = click_id_for(link)
    response = client.get(url(everflow, call(subid1=click_id, token=TOKEN)))
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert response.json() == {
        "conversion_id": conversion.pk,
        "order_id": "EF-1001",
        "item_id": "",
        "status": "pending",
        "changed": True,
        "attributed": True,
        "held": False,
    }
    assert conversion.author == link.author
    assert conversion.article_id == link.article_id
    assert conversion.click_id == click_id
    assert conversion.amount == Decimal("129.90")
    assert conversion.stated_commission == Decimal("12.99")
    assert conversion.source == ConversionSource.NETWORK
    report = ConversionReport.objects.get()
    assert report.connection == everflow
    assert report.source == ConversionSource.NETWORK
    everflow.refresh_from_db()
    assert everflow.last_success_at is not None
    assert everflow.last_error == ""


def test_post_form(client, everflow, link):
    response = client.post(
        url(everflow),
        data=urlencode(call(subid1=click_id_for(link), token=TOKEN, sku="SKU-9")),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.item_id == "SKU-9"
    assert conversion.author == link.author


def test_post_json_with_numbers_kept_exact(client, everflow, link):
    body = call(subid1=click_id_for(link))
    # JSON numbers: read as the text the network wrote, never through a float.
    raw = json.dumps(body).replace('"129.90"', "129.90").replace('"12.99"', "12.99")
    response = client.post(
        url(everflow, {"token": TOKEN}), data=raw, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.amount == Decimal("129.90")
    assert conversion.stated_commission == Decimal("12.99")
    assert conversion.author == link.author


# -- Authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Postback-Token": TOKEN},
        {"Authorization": f"Bearer {TOKEN}"},
    ],
)
def test_a_token_in_a_header(client, everflow, headers):
    response = client.get(url(everflow, call()), headers=headers)
    assert response.status_code == 200, response.content


def test_a_token_header_of_the_connections_choosing(client, shop):
    connection = connect(shop, token_header="X-Impact-Key")
    assert (
        client.get(url(connection, call()), headers={"X-Impact-Key": TOKEN}).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({}, {}),
        ({"token": "tok_wrong"}, {}),
        ({"token": TOKEN[:-1]}, {}),
        ({"token": "{token}"}, {}),  # an unfilled macro is no token
        ({}, {"X-Postback-Token": "tok_wrong"}),
        ({}, {"Authorization": "Basic " + TOKEN}),
        # A right token does not excuse a wrong one.
        ({"token": "tok_wrong"}, {"X-Postback-Token": TOKEN}),
    ],
)
def test_bad_tokens_are_401_and_write_nothing(client, everflow, query, headers):
    response = client.get(url(everflow, call(**query)), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "auth"
    assert counts() == NOTHING
    everflow.refresh_from_db()
    assert everflow.last_error_at is not None
    assert "token" in everflow.last_error
    assert TOKEN not in everflow.last_error
    assert everflow.last_success_at is None


def test_a_connection_without_its_token_refuses(client, shop):
    connection = connect(shop, credentials={})
    response = client.get(url(connection, call(token="")))
    assert response.status_code == 401
    assert counts() == NOTHING


def signed_get(client, connection, params, *, secret=HMAC_SECRET, tamper=None):
    query = urlencode(params)
    header = signature_make(
        secret=secret, body=query.encode(), timestamp=int(time.time())
    )
    sent = tamper(query) if tamper else query
    path = f"/api/postbacks/{connection.merchant.slug}/{connection.key}?{sent}"
    return client.get(path, headers={"Zhongcao-Signature": header})


@pytest.fixture
def signed(shop):
    return connect(shop, auth="hmac", credentials={"secret": HMAC_SECRET})


def test_hmac_over_the_query_string(client, signed, link):
    response = signed_get(client, signed, call(subid1=click_id_for(link)))
    assert response.status_code == 200, response.content
    assert Conversion.objects.get().author == link.author


def test_hmac_over_a_json_body_reads_only_the_body(client, signed):
    body = json.dumps(call()).encode()
    header = signature_make(secret=HMAC_SECRET, body=body, timestamp=int(time.time()))
    response = client.post(
        url(signed, {"oid": "NOT-SIGNED", "payout": "100.00"}),
        data=body,
        content_type="application/json",
        headers={"Zhongcao-Signature": header},
    )
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.order_id == "EF-1001"
    assert conversion.stated_commission == Decimal("12.99")


@pytest.mark.parametrize(
    ("secret", "tamper"),
    [
        ("whsec_wrong", None),
        (HMAC_SECRET, lambda query: query.replace("129.90", "929.90")),
        (HMAC_SECRET, lambda query: query + "&sku=X"),
    ],
)
def test_bad_hmac_is_401_and_writes_nothing(client, signed, secret, tamper):
    response = signed_get(client, signed, call(), secret=secret, tamper=tamper)
    assert response.status_code == 401
    assert response.json()["error"] == "signature"
    assert counts() == NOTHING
    signed.refresh_from_db()
    assert HMAC_SECRET not in signed.last_error


def test_hmac_without_a_header_is_401(client, signed):
    response = client.get(url(signed, call()))
    assert response.status_code == 401
    assert counts() == NOTHING


@pytest.fixture
def by_address(shop):
    return connect(
        shop, auth="ip", allowed_ips=["203.0.113.0/24", "2001:db8::/32"], credentials={}
    )


@pytest.mark.parametrize(
    "address", ["203.0.113.7", "2001:db8::5", "::ffff:203.0.113.9"]
)
def test_ip_allow_list_admits_its_networks(client, by_address, address):
    response = client.get(url(by_address, call()), REMOTE_ADDR=address)
    assert response.status_code == 200, response.content


def test_ip_allow_list_refuses_others_and_keeps_no_address(client, by_address):
    response = client.get(url(by_address, call()), REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert counts() == NOTHING
    by_address.refresh_from_db()
    assert by_address.last_error_at is not None
    assert "198.51.100" not in by_address.last_error
    assert "198.51.100" not in response.content.decode()


def test_a_forwarded_for_header_is_not_believed_without_proxies(client, by_address):
    response = client.get(
        url(by_address, call()),
        REMOTE_ADDR="198.51.100.23",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 403
    assert counts() == NOTHING


@override_settings(ZHONGCAO_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, by_address):
    admitted = client.get(
        url(by_address, call()),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    assert admitted.status_code == 200, admitted.content
    refused = client.get(
        url(by_address, call(oid="EF-2")),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1",
    )
    assert refused.status_code == 403


# -- Their words and units --------------------------------------------------------------


def test_minor_units(client, shop):
    connection = connect(shop, amount_unit="minor")
    response = client.get(
        url(connection, call(sale_amount="12990", payout="1299", token=TOKEN))
    )
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.amount == Decimal("129.90")
    assert conversion.stated_commission == Decimal("12.99")


def test_minor_units_of_a_currency_without_decimals(client, shop):
    connection = connect(shop, amount_unit="minor")
    response = client.get(
        url(
            connection,
            call(sale_amount="12990", payout="1299", currency="JPY", token=TOKEN),
        )
    )
    assert response.status_code == 200, response.content
    assert Conversion.objects.get().amount == Decimal("12990")


def test_minor_units_refuse_a_fraction_naming_both_names(client, shop):
    connection = connect(shop, amount_unit="minor")
    response = client.get(url(connection, call(sale_amount="129.90", token=TOKEN)))
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["parameter"]) == ("amount", "sale_amount")
    assert counts() == NOTHING


def test_unfilled_macros_are_absent(client, everflow):
    response = client.get(
        url(
            everflow,
            call(
                subid1="{subid1}",
                payout="%7Bpayout%7D",
                sku="[SKU]",
                status="#status#",
                event_time="{event_time}",
                token=TOKEN,
            ),
        )
    )
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.click_id == ""
    assert conversion.unattributed_reason == UnattributedReason.NO_CLICK_ID
    assert conversion.stated_commission is None
    assert conversion.item_id == ""
    assert conversion.status == ConversionStatus.PENDING  # the default status
    # No time: dated when it arrived.
    assert abs(conversion.occurred_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_an_unfilled_order_id_is_a_missing_one(client, everflow):
    response = client.get(url(everflow, call(oid="{transaction_id}", token=TOKEN)))
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["parameter"]) == ("order_id", "oid")
    assert counts() == NOTHING


def test_status_words_are_mapped_and_move_the_order_on(client, everflow, link):
    click_id = click_id_for(link)
    first = client.get(url(everflow, call(subid1=click_id, status="", token=TOKEN)))
    assert first.json()["status"] == "pending"
    approved = client.get(url(everflow, call(subid1=click_id, status="1", token=TOKEN)))
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    reversed_ = client.get(
        url(everflow, call(subid1=click_id, status="REVERSED", token=TOKEN))
    )
    assert reversed_.json()["status"] == "refunded"
    conversion = Conversion.objects.get()
    assert conversion.status == ConversionStatus.REFUNDED
    assert sum(entry.amount for entry in conversion.entries.all()) == 0


def test_an_unknown_status_word_names_field_and_parameter(client, everflow):
    response = client.get(url(everflow, call(status="shipped", token=TOKEN)))
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["parameter"]) == ("status", "status")
    assert "shipped" in body["detail"]
    assert counts() == NOTHING
    everflow.refresh_from_db()
    assert everflow.last_error.startswith("status (status):")


def test_unix_seconds(client, shop):
    connection = connect(shop, time_format="unix")
    moment = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    response = client.get(
        url(connection, call(event_time=str(int(moment.timestamp())), token=TOKEN))
    )
    assert response.status_code == 200, response.content
    assert Conversion.objects.get().occurred_at == moment


def test_a_strptime_pattern_in_shanghai_time(client, shop):
    connection = connect(
        shop, time_format="%Y-%m-%d %H:%M:%S", time_zone="Asia/Shanghai"
    )
    response = client.get(
        url(connection, call(event_time="2026-12-07 18:30:05", token=TOKEN))
    )
    assert response.status_code == 200, response.content
    assert Conversion.objects.get().occurred_at == datetime.datetime(
        2026, 12, 7, 10, 30, 5, tzinfo=datetime.UTC
    )


def test_a_time_without_offset_needs_the_connections_zone(client, everflow):
    response = client.get(
        url(everflow, call(event_time="2026-12-07T18:30:05", token=TOKEN))
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["parameter"]) == ("occurred_at", "event_time")
    assert counts() == NOTHING


def test_a_fixed_currency_when_the_network_sends_none(client, shop):
    params = {k: v for k, v in PARAMS.items() if k != "currency"}
    connection = connect(shop, params=params, currency="USD")
    response = client.get(url(connection, call(currency="EUR", token=TOKEN)))
    assert response.status_code == 200, response.content
    assert Conversion.objects.get().currency == "USD"


def test_the_payout_as_the_sale_for_cpa_networks(client, shop):
    params = {"order_id": "leadid", "commission": "price", "click_id": "s2"}
    connection = connect(shop, params=params, amount_from_commission=True)
    response = client.get(
        url(connection, {"leadid": "C-1", "price": "35.00"}),
        headers={"X-Postback-Token": TOKEN},
    )
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.amount == Decimal("35.00")
    assert conversion.stated_commission == Decimal("35.00")


# -- Idempotency, conflicts, nothing written on refusal ---------------------------------


def test_the_same_call_twice_is_one_conversion(client, everflow, link):
    query = call(subid1=click_id_for(link), token=TOKEN)
    first = client.get(url(everflow, query))
    entries = sorted(LedgerEntry.objects.values_list("pk", flat=True))
    second = client.get(url(everflow, query))
    assert first.status_code == second.status_code == 200
    assert first.json()["changed"] is True
    assert second.json()["changed"] is False
    assert second.json()["conversion_id"] == first.json()["conversion_id"]
    assert counts()[:2] == (1, 1)
    assert sorted(LedgerEntry.objects.values_list("pk", flat=True)) == entries


def test_another_amount_for_the_same_report_is_409(client, everflow):
    assert client.get(url(everflow, call(token=TOKEN))).status_code == 200
    before = counts()
    response = client.get(url(everflow, call(sale_amount="999.00", token=TOKEN)))
    assert response.status_code == 409
    body = response.json()
    assert (body["field"], body["parameter"]) == ("amount", "sale_amount")
    assert counts() == before


def test_the_same_order_by_our_signed_postback_and_a_network_is_one(
    client, connected, link
):
    connection = connect(connected)
    click_id = click_id_for(link)
    occurred = timezone.now().replace(microsecond=0).isoformat()
    signed = postback(
        client,
        connected,
        sale(
            order_id="EF-1001",
            click_id=click_id,
            amount="129.90",
            commission="12.99",
            occurred_at=occurred,
        ),
    )
    assert signed.status_code == 200, signed.content
    again = client.get(
        url(connection, call(subid1=click_id, event_time=occurred, token=TOKEN))
    )
    assert again.status_code == 200, again.content
    assert again.json()["changed"] is False
    assert Conversion.objects.count() == 1


# -- Not found, misconfigured, and the signed postback beside it -----------------------


def test_unknown_connections_are_404(client, everflow, network):
    other = connect(network)
    disabled = connect(everflow.merchant)
    disabled.enabled = False
    disabled.save()
    pulled = connect(everflow.merchant)
    pulled.kind = ConnectionKind.JD_UNION
    pulled.save()
    paths = [
        f"/api/postbacks/{everflow.merchant.slug}/not-a-key",
        f"/api/postbacks/nobody/{everflow.key}",
        f"/api/postbacks/{everflow.merchant.slug}/{other.key}",  # another merchant's
        url(disabled),
        url(pulled),
    ]
    for path in paths:
        response = client.get(path + "?" + urlencode(call(token=TOKEN)))
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"
    assert counts() == NOTHING


def test_a_misconfigured_connection_is_503_and_says_why(client, shop):
    connection = connect(shop, auth="sometimes")
    response = client.get(url(connection, call(token=TOKEN)))
    assert response.status_code == 503
    assert response.json()["error"] == "misconfigured"
    connection.refresh_from_db()
    assert "auth" in connection.last_error
    assert counts() == NOTHING


def test_the_signed_postback_beside_it_is_unchanged(client, connected, everflow):
    assert postback(client, connected, sale()).status_code == 200
    response = client.get(f"/api/postbacks/{connected.slug}")
    assert response.status_code == 405
    assert response.json()["allowed"] == ["POST"]


# -- Hostile input: never a 500, never a write ------------------------------------------


def _deep(depth: int) -> bytes:
    return b'{"oid":' + b"[" * depth + b"]" * depth + b"}"


HOSTILE = [
    ("query", "oid=%FF%FE&token=" + TOKEN, None, None),
    ("query", "oid=A&oid=B&token=" + TOKEN, None, None),
    ("query", "oid=A%00B&sale_amount=1.00&token=" + TOKEN, None, None),
    ("query", "oid=A%1BB&sale_amount=1.00&token=" + TOKEN, None, None),
    ("query", "oid=A&sale_amount=NaN&token=" + TOKEN, None, None),
    ("query", "oid=A&sale_amount=1e999999&token=" + TOKEN, None, None),
    (
        "query",
        "oid=A&sale_amount=1.00&event_time=99999999999999&token=" + TOKEN,
        None,
        None,
    ),
    (
        "query",
        "oid=A&sale_amount=1.00&event_time=0001-01-01T00:00:00%2B14:00&token=" + TOKEN,
        None,
        None,
    ),
    ("query", "&".join(f"p{n}=1" for n in range(500)) + "&token=" + TOKEN, None, None),
    ("query", "x=" + "A" * (POSTBACK_MAX_BYTES + 1), None, None),
    ("body", "token=" + TOKEN, b"oid=\xff\xfe", "application/x-www-form-urlencoded"),
    ("body", "token=" + TOKEN, b'{"oid": "\xff"}', "application/json"),
    ("body", "token=" + TOKEN, b"\xef\xbb\xbf{}", "application/json"),
    ("body", "token=" + TOKEN, _deep(100_000), "application/json"),
    (
        "body",
        "token=" + TOKEN,
        b'{"oid": {"a": 1}, "sale_amount": "1"}',
        "application/json",
    ),
    ("body", "token=" + TOKEN, b'[{"oid": "A"}]', "application/json"),
    (
        "body",
        "token=" + TOKEN,
        b'{"oid": "A", "sale_amount": 1e400}',
        "application/json",
    ),
    (
        "body",
        "token=" + TOKEN,
        b'{"oid": "A", "sale_amount": ' + b"9" * 5000 + b"}",
        "application/json",
    ),
    (
        "body",
        "token=" + TOKEN,
        b"--x\r\nContent-Disposition: form-data; name=oid\r\n\r\nA\r\n--x--",
        "multipart/form-data; boundary=x",
    ),
    (
        "body",
        "token=" + TOKEN,
        b"oid=A&" + b"a" * (POSTBACK_MAX_BYTES + 1),
        "application/x-www-form-urlencoded",
    ),
    ("body", "token=" + TOKEN, b"\x00\x01\x02\x03", "application/octet-stream"),
]


@pytest.mark.parametrize(("where", "query", "body", "content_type"), HOSTILE)
def test_hostile_input_is_refused_cleanly(
    client, everflow, where, query, body, content_type
):
    path = f"/api/postbacks/{everflow.merchant.slug}/{everflow.key}?{query}"
    if body is None:
        response = client.get(path)
    else:
        response = client.post(path, data=body, content_type=content_type)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert counts() == NOTHING


def test_hostile_parameter_names_and_values_do_not_reach_the_health_text(
    client, everflow
):
    client.get(url(everflow, call(status="\x1b[31m" + "x" * 5000, token=TOKEN)))
    everflow.refresh_from_db()
    assert len(everflow.last_error) <= 500
    assert counts() == NOTHING


def test_another_method_is_a_json_405(client, everflow):
    response = client.put(url(everflow), b"{}", "application/json")
    assert response.status_code == 405
    assert sorted(response.json()["allowed"]) == ["GET", "POST"]
    assert counts() == NOTHING


@pytest.mark.skipif(
    db_connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_identical_calls_at_once_are_one_conversion(shop, link):
    connection = connect(shop)
    path = url(connection, call(subid1=click_id_for(link), token=TOKEN))
    answers = []
    barrier = threading.Barrier(10)

    def send():
        barrier.wait()
        try:
            response = Client().get(path)
            answers.append((response.status_code, response.json()))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _body in answers] == [200] * 10
    assert [body["changed"] for _status, body in answers].count(True) == 1
    assert Conversion.objects.count() == ConversionReport.objects.count() == 1
    conversion = Conversion.objects.get()
    assert sum(e.amount for e in conversion.entries.all()) == conversion.commission


# -- A NUL character (%00) -------------------------------------------------------------


def test_a_nul_in_a_parameter_names_our_field_and_theirs(client, everflow):
    response = client.get(url(everflow, call(oid="A\x00B", token=TOKEN)))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "field": "order_id",
        "parameter": "oid",
        "detail": "A NUL character is not allowed.",
    }
    assert counts() == NOTHING
    everflow.refresh_from_db()
    assert everflow.last_error == "order_id (oid): A NUL character is not allowed."


def test_a_nul_in_a_parameter_we_do_not_map_names_it(client, everflow):
    response = client.get(url(everflow, call(extra="x\x00", token=TOKEN)))
    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["field"], body["parameter"]) == (
        "invalid",
        None,
        "extra",
    )
    assert counts() == NOTHING


def test_a_nul_in_a_form_body_is_refused_the_same_way(client, everflow):
    response = client.post(
        url(everflow, {"token": TOKEN}),
        urlencode(call(sale_amount="1\x00")),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["parameter"]) == ("amount", "sale_amount")


def test_a_nul_in_the_connection_key_keeps_the_postback_shape(client, everflow):
    response = client.get(f"/api/postbacks/{everflow.merchant.slug}/k%00y")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "field": "path",
        "parameter": None,
        "detail": "A NUL character is not allowed.",
    }


def test_a_refusal_is_logged_without_the_query(client, everflow, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "tok_wrong-but-maybe-a-real-one"  # noqa: S105 (a test's token)
    assert client.get(url(everflow, call(token=wrong))).status_code == 401
    assert client.get(url(everflow, call(token=TOKEN, status="x"))).status_code == 400
    assert "refused" in caplog.text
    assert wrong not in caplog.text
    assert TOKEN not in caplog.text
    assert "EF-1001" not in caplog.text  # nothing of the query at all
