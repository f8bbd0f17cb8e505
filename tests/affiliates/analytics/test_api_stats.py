"""GET /api/me/stats: the creator dashboard's figures for any period, the same as the
dashboard's (one selector), against the hand-computed history of
tests/affiliates/conftest.py; only the signed-in creator's own; bad dates refused
naming the field."""

import datetime

import pytest
from django.utils import timezone

from affiliates.analytics.dashboards import creator_summary
from affiliates.analytics.services import rollups_rebuild
from tests.factories import token_for

# Slow: each test sets up a creator's sales history (tests/affiliates/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

URL = "/api/me/stats"


@pytest.fixture
def rolled_up(history):
    rollups_rebuild()
    return history


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def stats(client, start: datetime.date, end: datetime.date, **extra) -> dict:
    response = client.get(
        URL, {"start": start.isoformat(), "end": end.isoformat(), **extra}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_last_seven_days_by_hand(client, rolled_up):
    client.force_login(rolled_up["lulu"].user)
    today = utc_today()
    body = stats(client, today - datetime.timedelta(days=6), today)
    assert body["creator"] == "lulu"
    assert (
        body["clicks"],
        body["billable_clicks"],
        body["bot_clicks"],
        body["duplicate_clicks"],
        body["conversions"],
        body["conversion_rate"],
    ) == (7, 5, 1, 1, 2, "40.00")
    cny, usd = body["currencies"]
    assert cny == {
        "currency": "CNY",
        "sales": "1000.00",
        "earnings": "60.00",
        "epc": "12.0000",
        "earnings_by_status": {
            "held": "0.00",
            "pending": "70.00",  # A-2's 60.00 and Mia's D-2 override, 10.00
            "approved": "0.00",
            "processing": "0.00",
            "paid": "0.00",
            "reversed": "0.00",
        },
    }
    assert (usd["currency"], usd["sales"], usd["earnings"], usd["epc"]) == (
        "USD",
        "50.00",
        "3.00",
        "0.6000",
    )
    assert usd["earnings_by_status"]["pending"] == "3.00"


def test_a_refund_shows_as_reversed(client, rolled_up):
    # A-20-R (300.00 CNY, commission 30.00, Lulu's 60 %: 18.00) was refunded.
    client.force_login(rolled_up["lulu"].user)
    day = utc_today() - datetime.timedelta(days=20)
    [cny] = stats(client, day, day)["currencies"]
    assert cny["earnings_by_status"]["reversed"] == "18.00"
    assert cny["earnings_by_status"]["approved"] == "30.00"  # A-20, net of A-20-R
    assert cny["earnings_by_status"]["pending"] == "0.00"


@pytest.mark.parametrize("key", ["7", "30", "90"])
def test_the_figures_equal_the_dashboards(client, rolled_up, key):
    lulu = rolled_up["lulu"]
    today = utc_today()
    period = {
        period.key: period
        for period in creator_summary(creator=lulu, today=today).periods
    }[key]
    client.force_login(lulu.user)
    body = stats(client, period.since, today)
    assert (
        body["billable_clicks"],
        body["bot_clicks"],
        body["duplicate_clicks"],
        body["conversions"],
        body["conversion_rate"],
    ) == (
        period.billable_clicks,
        period.bot_clicks,
        period.duplicate_clicks,
        period.conversions,
        str(period.conversion_rate),
    )
    assert [
        (
            money["currency"],
            money["sales"],
            money["earnings"],
            money["epc"],
            {
                status: amount
                for status, amount in money["earnings_by_status"].items()
                if status != "reversed" and amount not in ("0.00", "0")
            },
        )
        for money in body["currencies"]
    ] == [
        (
            money.currency,
            str(money.sales),
            str(money.earnings),
            str(money.epc),
            {status: str(amount) for status, amount in money.by_status.items()},
        )
        for money in period.currencies
    ]


def test_a_creator_gets_only_their_own_figures(client, rolled_up):
    client.force_login(rolled_up["ann"].user)
    today = utc_today()
    start = today - datetime.timedelta(days=6)
    # No parameter names anyone else.
    body = stats(client, start, today, creator="lulu", author="lulu", user=1)
    assert body["creator"] == "ann"
    assert (body["billable_clicks"], body["conversions"]) == (5, 1)  # Ann C
    [cny] = body["currencies"]
    assert (cny["sales"], cny["earnings"]) == ("800.00", "48.00")
    assert cny["earnings_by_status"]["pending"] == "48.00"


def test_an_api_token_works_as_the_session_does(client, rolled_up):
    today = utc_today()
    response = client.get(
        URL,
        {"start": today.isoformat(), "end": today.isoformat()},
        headers={"Authorization": f"Bearer {token_for(rolled_up['lulu'].user)}"},
    )
    assert response.status_code == 200
    assert response.json()["creator"] == "lulu"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-13-01", "end": "2026-12-31"}, "start"),
        ({"start": "yesterday", "end": "2026-12-31"}, "start"),
        ({"start": "2026-12-01", "end": "2026-02-30"}, "end"),
        ({"start": "2026-12-01"}, "end"),
        ({"end": "2026-12-01"}, "start"),
        ({"start": "2026-12-02", "end": "2026-12-01"}, "end"),
    ],
)
def test_bad_dates_are_refused_naming_the_field(client, creator, query, field):
    client.force_login(creator.user)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    named = {body.get("field")} | {error["field"] for error in body.get("errors", [])}
    assert field in named, body


def test_users_without_a_profile_get_404(client, editor):
    client.force_login(editor)
    response = client.get(URL, {"start": "2026-12-01", "end": "2026-12-07"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_anonymous_callers_are_refused(client):
    response = client.get(URL, {"start": "2026-12-01", "end": "2026-12-07"})
    assert response.status_code == 401


def test_the_openapi_document_describes_the_stats(client):
    document = client.get("/api/openapi.json").json()
    operation = document["paths"][URL]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["start"]["required"] and parameters["end"]["required"]
    assert parameters["start"]["schema"]["format"] == "date"
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    stats_schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    assert {
        "clicks",
        "billable_clicks",
        "conversions",
        "conversion_rate",
        "currencies",
    } <= set(stats_schema["properties"])
    currency = document["components"]["schemas"]["CurrencyStatsOut"]
    assert {"epc", "earnings_by_status"} <= set(currency["properties"])
    by_status = document["components"]["schemas"]["StatusMoneyOut"]
    assert {"pending", "approved", "paid", "reversed"} <= set(by_status["required"])
