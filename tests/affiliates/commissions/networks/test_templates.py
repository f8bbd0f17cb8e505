"""networks.templates: a connection's settings checked, a network's parameters read
into our fields. The endpoint's HTTP behaviour is in
tests/affiliates/commissions/test_api_templated_postback.py."""

import datetime
from decimal import Decimal

import pytest

from affiliates.commissions.networks.templates import (
    PostbackRefused,
    TemplateSettingsError,
    postback_conversion_read,
    postback_parameters_read,
    postback_template_parse,
    postback_template_validate,
    value_is_unfilled_macro,
)

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
BASE = {
    "params": {
        "order_id": "oid",
        "amount": "amt",
        "commission": "pay",
        "status": "st",
        "occurred_at": "t",
        "currency": "cur",
    },
    "currency": "CNY",
    "auth": "token",
}


def template(**changes):
    return postback_template_parse({**BASE, **changes})


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"params": None}, "params"),
        ({"params": {"amount": "amt"}}, "params"),  # no order_id
        ({"params": {"order_id": "oid", "price": "p"}}, "params"),
        ({"params": {"order_id": "oid", "amount": ""}}, "params.amount"),
        ({"params": {"order_id": "oid", "amount": 3}}, "params.amount"),
        ({"params": {"order_id": "oid"}}, "params"),  # no amount, no fallback
        ({"statuses": {"1": "paid"}}, "statuses.1"),
        ({"statuses": ["approved"]}, "statuses"),
        ({"default_status": "shipped"}, "default_status"),
        ({"amount_unit": "cents"}, "amount_unit"),
        ({"amount_from_commission": "yes"}, "amount_from_commission"),
        ({"currency": "XYZ"}, "currency"),
        ({"time_format": "rfc2822"}, "time_format"),
        ({"time_format": "%Y-%m-%d %H:%M"}, "time_zone"),  # no %z, no zone
        ({"time_format": "%Y-%m-%d %Q", "time_zone": "UTC"}, "time_format"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"auth": None}, "auth"),
        ({"auth": "ip"}, "allowed_ips"),
        ({"auth": "ip", "allowed_ips": ["203.0.113.5/24"]}, "allowed_ips"),
        ({"auth": "ip", "allowed_ips": ["not an address"]}, "allowed_ips"),
    ],
)
def test_bad_settings_name_the_setting(changes, key):
    with pytest.raises(TemplateSettingsError) as error:
        template(**changes)
    assert error.value.key == key
    assert error.value.message


def test_settings_errors_are_translated(chinese_says):
    chinese_says("Must be token, hmac or ip.", "必须是 token、hmac 或 ip。")
    chinese_says(
        "%(currency)s is not an ISO 4217 currency code in use.",
        "%(currency)s 不是在用的 ISO 4217 货币代码。",
    )
    with pytest.raises(TemplateSettingsError) as error:
        template(auth="x")
    assert error.value.message == "必须是 token、hmac 或 ip。"
    with pytest.raises(TemplateSettingsError) as error:
        template(currency="XYZ")
    assert error.value.message == "XYZ 不是在用的 ISO 4217 货币代码。"
    assert str(error.value) == "currency: XYZ 不是在用的 ISO 4217 货币代码。"


def test_a_pattern_without_a_zone_says_percent_z_once():
    with pytest.raises(TemplateSettingsError) as error:
        template(time_format="%Y-%m-%d %H:%M")
    assert "has no %z:" in error.value.message


def test_a_currency_is_needed_from_somewhere():
    params = {"order_id": "oid", "amount": "amt"}
    with pytest.raises(TemplateSettingsError) as error:
        postback_template_parse({"params": params, "auth": "token"})
    assert error.value.key == "currency"
    assert postback_template_parse(
        {"params": {**params, "currency": "c"}, "auth": "token"}
    )


def test_good_settings():
    checked = template(
        statuses={"Rejected": "Cancelled"},
        time_format="%d/%m/%Y %H:%M",
        time_zone="Asia/Shanghai",
        amount_unit="minor",
    )
    assert checked.statuses["rejected"] == "cancelled"
    assert checked.statuses["approved"] == "approved"  # our own words, too
    assert checked.default_status == "pending"
    assert checked.parameter_of("amount") == "amt"
    assert checked.parameter_of("click_id") is None
    assert template(auth="ip", allowed_ips="203.0.113.0/24, 198.51.100.7").auth == "ip"


@pytest.mark.parametrize(
    ("auth", "credentials", "refused"),
    [
        ("token", {}, True),
        ("token", {"token": "  "}, True),
        ("token", {"token": "t0k"}, False),
        ("hmac", {"token": "t0k"}, True),
        ("hmac", {"secret": "s3c"}, False),
    ],
)
def test_validation_wants_the_credential_the_auth_needs(auth, credentials, refused):
    settings = {**BASE, "auth": auth}
    if refused:
        with pytest.raises(TemplateSettingsError) as error:
            postback_template_validate(settings=settings, credentials=credentials)
        assert error.value.key == "credentials"
        for value in credentials.values():
            assert value.strip() == "" or value not in str(error.value)
    else:
        postback_template_validate(settings=settings, credentials=credentials)


@pytest.mark.parametrize(
    ("value", "unfilled"),
    [
        ("{payout}", True),
        ("{SubId1}", True),
        ("{{sub1}}", True),
        ("${aff_sub}", True),
        ("%7Bpayout%7D", True),
        ("%7bpayout%7d", True),
        ("[SUBID]", True),
        ("%5BSUBID%5D", True),
        ("#s2#", True),
        ("%23price%23", True),
        (" {payout} ", True),
        ("", False),
        ("12.50", False),
        ("ORDER-{1}-X", False),
        ("{", False),
        ("{}", False),
        ("#", False),
        ("zc1.AbC-def_9", False),
    ],
)
def test_unfilled_macros(value, unfilled):
    assert value_is_unfilled_macro(value) is unfilled


def utc(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def read(checked, **parameters):
    return postback_conversion_read(template=checked, parameters=parameters, now=NOW)


def test_minor_units_use_the_currencys_own_places():
    checked = template(amount_unit="minor")
    assert read(checked, oid="1", amt="12990", cur="BHD").amount == Decimal("12.990")
    assert read(checked, oid="1", amt="12990", cur="KRW").amount == Decimal("12990")
    assert read(checked, oid="1", amt="12990").amount == Decimal("129.90")


@pytest.mark.parametrize("amount", ["-100", "1.5", "1e3", "12 990", "１２"])
def test_minor_units_are_whole_digits(amount):
    with pytest.raises(PostbackRefused) as refusal:
        read(template(amount_unit="minor"), oid="1", amt=amount)
    assert (refusal.value.field, refusal.value.parameter) == ("amount", "amt")


def test_statuses_are_case_insensitive_and_default():
    checked = template(statuses={"Approved_By_Advertiser": "approved"})
    assert read(checked, oid="1", amt="1", st="APPROVED_BY_ADVERTISER").status == (
        "approved"
    )
    assert read(checked, oid="1", amt="1").status == "pending"
    strict = template(default_status="")
    with pytest.raises(PostbackRefused) as refusal:
        read(strict, oid="1", amt="1")
    assert (refusal.value.field, refusal.value.parameter) == ("status", "st")


@pytest.mark.parametrize(
    ("time_format", "zone", "value", "expected"),
    [
        ("unix", None, "1764990000", utc(2025, 12, 6, 3, 0)),
        ("unix", None, "1764990000.5", utc(2025, 12, 6, 3, 0, 0, 500000)),
        (
            "unix_ms",
            None,
            "1764990000123",
            utc(2025, 12, 6, 3, 0, 0, 123000),
        ),
        (
            "iso8601",
            None,
            "2026-12-07T18:30:05+08:00",
            utc(2026, 12, 7, 10, 30, 5),
        ),
        (
            "iso8601",
            "Asia/Shanghai",
            "2026-12-07 18:30:05",
            utc(2026, 12, 7, 10, 30, 5),
        ),
        (
            "%Y%m%d%H%M%S",
            "Asia/Shanghai",
            "20261207183005",
            utc(2026, 12, 7, 10, 30, 5),
        ),
        (
            "%d/%m/%Y %H:%M %z",
            None,
            "07/12/2026 18:30 +0800",
            utc(2026, 12, 7, 10, 30),
        ),
    ],
)
def test_times(time_format, zone, value, expected):
    checked = template(time_format=time_format, time_zone=zone)
    occurred_at = read(checked, oid="1", amt="1", t=value).occurred_at
    assert occurred_at == expected


@pytest.mark.parametrize(
    ("time_format", "value"),
    [
        ("unix", "-5"),
        ("unix", "17649900001234"),
        ("unix", "soon"),
        ("unix_ms", "1.5"),
        ("iso8601", "yesterday"),
        ("unix", "100"),  # 1970: before any purchase we take
    ],
)
def test_bad_times_name_field_and_parameter(time_format, value):
    with pytest.raises(PostbackRefused) as refusal:
        read(template(time_format=time_format), oid="1", amt="1", t=value)
    assert (refusal.value.field, refusal.value.parameter) == ("occurred_at", "t")
    assert refusal.value.status == 400


def test_a_call_without_a_time_is_dated_on_arrival():
    assert read(template(), oid="1", amt="1").occurred_at == NOW


def test_parameters_from_query_and_body_together():
    parameters = postback_parameters_read(
        query=b"a=1&b=%E4%B8%AD",
        body=b'{"c": 2.50, "d": null, "e": true}',
        content_type="application/json; charset=utf-8",
    )
    assert parameters == {"a": "1", "b": "中", "c": "2.50", "d": "", "e": "true"}


def test_a_parameter_sent_twice_is_refused_only_if_read():
    parameters = postback_parameters_read(
        query=b"oid=1&junk=1", body=b"junk=2&amt=5", content_type=""
    )
    assert read(template(), **parameters).order_id == "1"
    repeated = postback_parameters_read(
        query=b"oid=1", body=b"oid=2&amt=5", content_type=""
    )
    with pytest.raises(PostbackRefused) as refusal:
        read(template(), **repeated)
    assert (refusal.value.field, refusal.value.parameter) == ("order_id", "oid")


@pytest.mark.parametrize("content_type", ["", "text/plain; charset=utf-8"])
def test_an_untyped_body_is_read_by_its_look(content_type):
    assert postback_parameters_read(
        query=b"", body=b' {"oid": "1"}', content_type=content_type
    ) == {"oid": "1"}
    assert postback_parameters_read(
        query=b"", body=b"oid=1", content_type=content_type
    ) == {"oid": "1"}


def test_another_body_type_is_415():
    with pytest.raises(PostbackRefused) as refusal:
        postback_parameters_read(query=b"", body=b"<x/>", content_type="text/xml")
    assert (refusal.value.status, refusal.value.field) == (415, "body")
