"""POST /api/postbacks/<merchant>: signatures, validation, idempotency, states."""

import datetime
import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from affiliates.models import (
    Conversion,
    ConversionReport,
    ConversionStatus,
    EntryStatus,
    LedgerEntry,
)
from products.signing import SignatureError, signature_make, signature_verify
from tests.affiliates.conftest import SECRET, click_id_for, postback, sale

pytestmark = pytest.mark.django_db


def nothing_written():
    return (
        Conversion.objects.count() == 0
        and ConversionReport.objects.count() == 0
        and LedgerEntry.objects.count() == 0
    )


# -- Signatures -------------------------------------------------------------------------


def test_signature_known_answer():
    # Computed independently: printf '%s' '1700000000.{"order_id":"A-1"}' |
    #   openssl dgst -sha256 -hmac whsec_test
    header = signature_make(
        secret="whsec_test", body=b'{"order_id":"A-1"}', timestamp=1700000000
    )
    assert header == (
        "t=1700000000,v1=5c958820bc42f137fbc248b92bdee9a4f9a0fa240720aaeb368f35a56ba92545"
    )
    signature_verify(
        secret="whsec_test", body=b'{"order_id":"A-1"}', header=header, now=1700000100
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "v1=abc",
        "t=1700000000",
        "t=soon,v1=abc",
        "t=1700000000,v1=" + "0" * 64,
    ],
)
def test_signature_refusals(header):
    with pytest.raises(SignatureError):
        signature_verify(secret="whsec_test", body=b"{}", header=header, now=1700000000)


def test_one_of_several_signatures_may_match():
    good = signature_make(secret="whsec_test", body=b"{}", timestamp=1700000000)
    header = "t=1700000000,v1=" + "f" * 64 + "," + good.split(",")[1]
    signature_verify(secret="whsec_test", body=b"{}", header=header, now=1700000000)


@pytest.mark.parametrize("skew", [-301, 301])
def test_skewed_timestamps_are_refused(client, connected, skew):
    response = postback(client, connected, sale(), timestamp=int(time.time()) + skew)
    assert response.status_code == 401
    assert response.json()["error"] == "signature"
    assert nothing_written()


def test_wrong_and_missing_signatures_are_refused(client, connected):
    assert postback(client, connected, sale(), secret="whsec_wrong").status_code == 401
    assert postback(client, connected, sale(), secret=None).status_code == 401
    assert nothing_written()


def test_a_signed_body_cannot_be_altered(client, connected):
    body = json.dumps(sale()).encode()
    header = signature_make(secret=SECRET, body=body, timestamp=int(time.time()))
    altered = body.replace(b"1000.00", b"9000.00")
    response = client.post(
        f"/api/postbacks/{connected.slug}",
        data=altered,
        content_type="application/json",
        headers={"Zhongcao-Signature": header},
    )
    assert response.status_code == 401
    assert nothing_written()


def test_unknown_merchant_is_404(client, connected):
    response = client.post(
        "/api/postbacks/nobody", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_merchant_without_a_secret_cannot_post(client, shop):
    response = postback(client, shop, sale())
    assert response.status_code == 401
    assert nothing_written()


# -- Validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        (json.dumps(sale(order_id=None)).encode(), "order_id"),
        (json.dumps(sale(amount=None)).encode(), "amount"),
        (json.dumps(sale(amount=1000.0)).encode(), "amount"),
        (json.dumps(sale(amount="12,00")).encode(), "amount"),
        (json.dumps(sale(amount="-1.00")).encode(), "amount"),
        (json.dumps(sale(amount="NaN")).encode(), "amount"),
        (json.dumps(sale(amount="10.005")).encode(), "amount"),
        (json.dumps(sale(currency="XYZ")).encode(), "currency"),
        (json.dumps(sale(currency=None)).encode(), "currency"),
        (json.dumps(sale(status="shipped")).encode(), "status"),
        (json.dumps(sale(occurred_at="yesterday")).encode(), "occurred_at"),
        (json.dumps(sale(occurred_at="2026-11-01T10:00:00")).encode(), "occurred_at"),
        (json.dumps(sale(commission="abc")).encode(), "commission"),
        (json.dumps(sale(order_id="x" * 101)).encode(), "order_id"),
    ],
)
def test_malformed_bodies_are_400_naming_the_field(client, connected, raw, field):
    response = postback(client, connected, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert nothing_written()


def test_a_nul_in_the_body_is_400_naming_the_field(client, connected):
    response = postback(client, connected, sale(order_id="A\x00B"))
    assert response.status_code == 400
    assert response.json()["field"] == "order_id"
    assert nothing_written()


def test_a_nul_in_the_url_answers_in_the_postbacks_shape(client, connected):
    response = client.post(
        f"/api/postbacks/{connected.slug}?oid=A%00B",
        data=b"{}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "field": "oid",
        "detail": "A NUL character is not allowed.",
    }
    assert client.post("/api/postbacks/a%00b").json()["field"] == "path"


def test_jpy_amounts_have_no_fraction(client, connected):
    response = postback(client, connected, sale(currency="JPY", amount="1000.50"))
    assert response.status_code == 400
    assert response.json()["field"] == "amount"
    assert (
        postback(client, connected, sale(currency="JPY", amount="1000")).status_code
        == 200
    )


# -- Idempotency and states -------------------------------------------------------------


def test_a_sale_is_recorded_and_attributed(client, connected, link):
    response = postback(client, connected, sale(click_id=click_id_for(link)))
    assert response.status_code == 200, response.content
    body = response.json()
    conversion = Conversion.objects.get()
    assert body == {
        "conversion_id": conversion.pk,
        "order_id": "ORDER-1",
        "status": "pending",
        "attributed": True,
        "held": False,
    }
    assert conversion.author == link.author
    assert conversion.placement == "reviewed-product"
    assert conversion.article_id == link.article_id
    assert conversion.offer == link.offer


def test_the_same_postback_twice_yields_one_conversion(client, connected, link):
    body = sale(click_id=click_id_for(link))
    first = postback(client, connected, body)
    entries = list(LedgerEntry.objects.values_list("pk", flat=True))
    second = postback(client, connected, body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert Conversion.objects.count() == 1
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == entries


def test_a_later_status_moves_the_conversion_on(client, connected, link):
    body = sale(click_id=click_id_for(link))
    postback(client, connected, body)
    response = postback(client, connected, {**body, "status": "approved"})
    assert response.json()["status"] == "approved"
    conversion = Conversion.objects.get()
    assert conversion.status == ConversionStatus.APPROVED
    # The merchant's approval does not skip the hold period.
    assert not LedgerEntry.objects.filter(status=EntryStatus.APPROVED).exists()
    # A pending report that arrives late changes nothing.
    postback(client, connected, {**body, "order_id": "ORDER-1"})
    assert Conversion.objects.get().status == ConversionStatus.APPROVED


def test_same_status_with_another_amount_is_409(client, connected, link):
    body = sale(click_id=click_id_for(link))
    postback(client, connected, body)
    before = list(LedgerEntry.objects.values_list("pk", "amount"))
    response = postback(client, connected, {**body, "amount": "999.00"})
    assert response.status_code == 409
    assert response.json()["field"] == "amount"
    assert list(LedgerEntry.objects.values_list("pk", "amount")) == before
    assert ConversionReport.objects.count() == 1


def test_refund_reverses_the_commission(client, connected, link):
    body = sale(click_id=click_id_for(link))
    postback(client, connected, body)
    postback(client, connected, {**body, "status": "refunded"})
    conversion = Conversion.objects.get()
    assert conversion.status == ConversionStatus.REFUNDED
    assert sum(entry.amount for entry in conversion.entries.all()) == 0
    assert conversion.entries.filter(kind="reversal").count() == 2  # author, platform


def test_a_refund_before_its_sale_is_applied_when_the_sale_arrives(
    client, connected, link
):
    body = sale(click_id=click_id_for(link))
    assert (
        postback(client, connected, {**body, "status": "refunded"}).status_code == 200
    )
    conversion = Conversion.objects.get()
    assert conversion.status == ConversionStatus.REFUNDED
    assert not conversion.sale_recorded
    assert LedgerEntry.objects.count() == 0

    assert postback(client, connected, body).status_code == 200
    conversion.refresh_from_db()
    assert conversion.sale_recorded
    assert conversion.status == ConversionStatus.REFUNDED
    assert conversion.commission > 0
    assert conversion.entries.exists()
    assert sum(entry.amount for entry in conversion.entries.all()) == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_identical_postbacks_at_once_yield_one_conversion(connected, link):
    body = sale(click_id=click_id_for(link))
    payload = json.dumps(body).encode()
    header = signature_make(secret=SECRET, body=payload, timestamp=int(time.time()))
    answers = []
    barrier = threading.Barrier(10)

    def send():
        barrier.wait()
        try:
            response = Client().post(
                f"/api/postbacks/{connected.slug}",
                data=payload,
                content_type="application/json",
                headers={"Zhongcao-Signature": header},
            )
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 10
    assert {status for status, _body in answers} == {200}
    assert len({json.dumps(body, sort_keys=True) for _status, body in answers}) == 1
    assert Conversion.objects.count() == 1
    assert ConversionReport.objects.count() == 1
    conversion = Conversion.objects.get()
    assert sum(e.amount for e in conversion.entries.all()) == conversion.commission


def test_occurred_at_offsets_are_kept_as_utc(client, connected):
    postback(client, connected, sale(occurred_at="2026-11-22T18:00:00+08:00"))
    assert Conversion.objects.get().occurred_at == datetime.datetime(
        2026, 11, 22, 10, 0, tzinfo=datetime.UTC
    )


def test_a_late_sale_sets_the_purchase_time_and_hold(client, connected, link):
    bought = datetime.datetime(2026, 11, 1, 10, 0, tzinfo=datetime.UTC)
    refunded = bought + datetime.timedelta(days=3)
    body = sale(click_id=click_id_for(link, at=bought - datetime.timedelta(hours=1)))
    postback(
        client,
        connected,
        {**body, "status": "refunded", "occurred_at": refunded.isoformat()},
    )
    postback(client, connected, {**body, "occurred_at": bought.isoformat()})
    conversion = Conversion.objects.get()
    assert conversion.occurred_at == bought
    assert conversion.hold_until == bought + datetime.timedelta(
        days=connected.hold_period_days
    )


# -- Minor units (ISO 4217) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "amount", "rate", "commission"),
    [
        # CLDR gives RSD, LBP and IQD no decimals; ISO 4217 gives 2, 2 and 3.
        ("RSD", "1234.56", "10", Decimal("123.46")),
        ("LBP", "99.99", "5", Decimal("5.00")),
        ("IQD", "1.234", "10", Decimal("0.123")),
        ("KWD", "10.005", "10", Decimal("1.001")),
        ("JPY", "1005", "10", Decimal("101")),
    ],
)
def test_amounts_and_commissions_follow_iso_minor_units(
    client, connected, currency, amount, rate, commission
):
    connected.default_commission_rate = Decimal(rate)
    connected.save()
    response = postback(client, connected, sale(currency=currency, amount=amount))
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.amount == Decimal(amount)
    assert conversion.commission == commission
    assert sum(e.amount for e in conversion.entries.all()) == commission


@pytest.mark.parametrize(
    ("currency", "amount"),
    [("RSD", "1.234"), ("IQD", "1.2345"), ("JPY", "1.5"), ("BGN", "10.00")],
)
def test_amounts_beyond_iso_minor_units_or_currencies_are_refused(
    client, connected, currency, amount
):
    response = postback(client, connected, sale(currency=currency, amount=amount))
    assert response.status_code == 400
    assert response.json()["field"] == ("currency" if currency == "BGN" else "amount")
    assert nothing_written()


# -- Stated commissions ----------------------------------------------------------------


def test_a_commission_above_the_sale_amount_is_refused(client, connected):
    response = postback(client, connected, sale(amount="100.00", commission="100.01"))
    assert response.status_code == 400
    assert response.json()["field"] == "commission"
    assert "cannot exceed the sale amount" in response.json()["detail"]
    assert nothing_written()
    # All of it may be commission.
    response = postback(client, connected, sale(amount="100.00", commission="100.00"))
    assert response.status_code == 200


@pytest.mark.parametrize("later", ["120.00", None])
def test_a_later_sale_status_with_another_commission_is_409(
    client, connected, link, later
):
    body = sale(click_id=click_id_for(link), commission="100.00")
    assert postback(client, connected, body).status_code == 200
    before = list(LedgerEntry.objects.values_list("pk", "amount"))
    approved = {**body, "status": "approved", "commission": later}
    response = postback(client, connected, sale(**approved))
    assert response.status_code == 409
    assert response.json()["field"] == "commission"
    assert "refund" in response.json()["detail"]
    assert list(LedgerEntry.objects.values_list("pk", "amount")) == before
    assert ConversionReport.objects.count() == 1
    assert Conversion.objects.get().status == ConversionStatus.PENDING
    # The same figures move it on.
    response = postback(client, connected, {**body, "status": "approved"})
    assert response.status_code == 200
    assert Conversion.objects.get().status == ConversionStatus.APPROVED


def test_a_refund_may_state_another_commission(client, connected, link):
    body = sale(click_id=click_id_for(link), commission="100.00")
    postback(client, connected, body)
    response = postback(
        client, connected, {**body, "status": "refunded", "commission": "0.00"}
    )
    assert response.status_code == 200
    conversion = Conversion.objects.get()
    assert conversion.status == ConversionStatus.REFUNDED
    assert sum(entry.amount for entry in conversion.entries.all()) == 0


# -- No input gives a 500 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "occurred_at",
    [
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:00:00-05:00",  # year 10000 in UTC
        "0001-01-01T00:00:00+01:00",  # year 0 in UTC
        "0001-01-01T00:00:00+00:00",
        "1999-12-31T23:59:59Z",
        "2099-12-31T20:00:00-05:00",  # 2099 there, 2100 in UTC
        "2999-01-01T00:00:00+08:00",
    ],
)
def test_out_of_range_purchase_times_are_400(client, connected, occurred_at):
    response = postback(client, connected, sale(occurred_at=occurred_at))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "occurred_at"
    assert "out of range" in response.json()["detail"]
    assert nothing_written()


@pytest.mark.parametrize(
    "occurred_at", ["2000-01-01T08:00:00+08:00", "2099-12-31T23:59:59+00:00"]
)
def test_purchase_times_at_the_bounds_are_taken(client, connected, occurred_at):
    response = postback(client, connected, sale(occurred_at=occurred_at))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 30_000 + b"]" * 30_000,
        b'{"order_id": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
        b'{"amount": ' + b"9" * 5_000 + b"}",
        b"\xff\xfe{}",
    ],
)
def test_deeply_nested_or_undecodable_json_is_400(client, connected, raw):
    response = postback(client, connected, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert response.json()["detail"]
    assert nothing_written()


@pytest.mark.parametrize("debug", [False, True])  # True as zhongcao.settings.dev has
def test_a_10_mb_body_is_413_before_it_is_read(client, connected, debug, settings):
    settings.DEBUG = debug
    response = client.post(
        f"/api/postbacks/{connected.slug}",
        data=b"{" + b" " * 10_000_000 + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert response.json()["field"] == "body"
    assert nothing_written()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("order_id", "A\x00B"),
        ("order_id", "A\x1bB"),
        ("order_id", "A\nB"),
        ("order_id", "A\x85B"),  # C1
        ("order_id", "A\ud800B"),  # a lone surrogate: no database stores it
        ("click_id", "abc\x00"),
        ("customer_ref", "x\x07y"),
        ("currency", "C\x00Y"),
        ("status", "pend\x00ing"),
    ],
)
def test_control_characters_in_identifiers_are_400(client, connected, field, value):
    response = postback(client, connected, sale(**{field: value}))
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert "control character" in response.json()["detail"]
    assert nothing_written()
