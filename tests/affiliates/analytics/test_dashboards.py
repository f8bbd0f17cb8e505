"""The creator dashboard: every figure against the hand-computed history of
tests/affiliates/conftest.py (two currencies), only the creator's own, in a fixed
number of queries."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates.analytics.dashboards import (
    creator_articles,
    creator_daily_series,
    creator_placements,
    creator_summary,
    period_start,
)
from affiliates.analytics.report_figures import articles_report
from affiliates.analytics.services import rollups_rebuild
from affiliates.models import DailyLinkClicks, DailyLinkSales, TrackedLink
from tests.affiliates.conftest import clicks_add, sale_ingest
from tests.conftest import guide_create, review_create
from tests.factories import OfferFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

D = Decimal


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


@pytest.fixture
def rolled_up(history):
    rollups_rebuild()
    return history


def by_currency(period) -> dict:
    return {money.currency: money for money in period.currencies}


def test_summary_figures_by_period(rolled_up, django_assert_num_queries):
    # Clicks and sales from the creator's daily rollups, and the ledger.
    with django_assert_num_queries(3):
        summary = creator_summary(creator=rolled_up["lulu"], today=utc_today())
    periods = {period.key: period for period in summary.periods}
    assert [period.key for period in summary.periods] == ["7", "30", "90", "all"]

    clicks = {
        key: (p.billable_clicks, p.bot_clicks, p.duplicate_clicks, p.conversions)
        for key, p in periods.items()
    }
    assert clicks == {
        "7": (5, 1, 1, 2),
        "30": (8, 2, 1, 3),
        "90": (12, 2, 1, 4),
        "all": (13, 2, 1, 4),
    }
    assert {key: p.conversion_rate for key, p in periods.items()} == {
        "7": D("40.00"),  # 2 / 5
        "30": D("37.50"),  # 3 / 8
        "90": D("33.33"),  # 4 / 12
        "all": D("30.77"),  # 4 / 13
    }

    cny = {key: by_currency(p)["CNY"] for key, p in periods.items()}
    usd = {key: by_currency(p)["USD"] for key, p in periods.items()}
    assert {key: (m.sales, m.earnings, m.epc) for key, m in cny.items()} == {
        "7": (D("1000.00"), D("60.00"), D("12.0000")),  # 60 / 5
        "30": (D("1500.00"), D("90.00"), D("11.2500")),  # 90 / 8
        "90": (D("3500.00"), D("210.00"), D("17.5000")),  # 210 / 12
        "all": (D("3500.00"), D("210.00"), D("16.1538")),  # 210 / 13
    }
    assert {key: (m.sales, m.earnings, m.epc) for key, m in usd.items()} == {
        "7": (D("50.00"), D("3.00"), D("0.6000")),
        "30": (D("50.00"), D("3.00"), D("0.3750")),
        "90": (D("50.00"), D("3.00"), D("0.2500")),
        "all": (D("50.00"), D("3.00"), D("0.2308")),  # 3 / 13, half up
    }
    assert cny["all"].commission == D("350.00")

    # By status: all of Lulu's ledger money from the period's sales, Mia's override
    # (10.00) included; all time also has the editor's adjustment (5.00).
    assert {key: m.by_status for key, m in cny.items()} == {
        "7": {"pending": D("70.00")},
        "30": {"pending": D("70.00"), "approved": D("30.00")},
        "90": {"pending": D("70.00"), "approved": D("30.00"), "paid": D("120.00")},
        "all": {"pending": D("70.00"), "approved": D("35.00"), "paid": D("120.00")},
    }
    assert {key: m.by_status for key, m in usd.items()} == {
        key: {"pending": D("3.00")} for key in ("7", "30", "90", "all")
    }
    assert [status for status, _label in summary.statuses] == [
        "pending",
        "approved",
        "paid",
    ]


def test_all_time_by_status_matches_the_ledger_balances(rolled_up):
    from affiliates.commissions.selectors import ledger_balances

    lulu = rolled_up["lulu"]
    summary = creator_summary(creator=lulu, today=utc_today())
    all_time = summary.periods[-1]
    shown = {
        (money.currency, status): amount
        for money in all_time.currencies
        for status, amount in money.by_status.items()
    }
    assert shown == {
        (row["currency"], row["status"]): row["amount"]
        for row in ledger_balances(creator=lulu)
    }


def test_articles_ranked_by_earnings(rolled_up, django_assert_num_queries):
    lulu = rolled_up["lulu"]
    a, b = rolled_up["articles"]["A"], rolled_up["articles"]["B"]
    # Clicks and sales summed per link (no joins), and the creator's links: one
    # more query than joining links and pages before summing, which cost more.
    with django_assert_num_queries(3):
        rows = creator_articles(creator=lulu)
    assert [row.key for row in rows] == [(a.pk,), (b.pk,)]
    first, second = rows
    assert (first.label, first.billable_clicks, first.conversions) == (
        "Headphones A",
        10,
        3,
    )
    assert first.conversion_rate == D("30.00")
    assert [(m.currency, m.sales, m.earnings, m.epc) for m in first.money_list] == [
        ("CNY", D("3500.00"), D("210.00"), D("21.0000"))
    ]
    assert (second.label, second.billable_clicks, second.conversions) == (
        "Kettle B",
        3,
        1,
    )
    assert second.conversion_rate == D("33.33")
    assert [(m.currency, m.earnings, m.epc) for m in second.money_list] == [
        ("USD", D("3.00"), D("1.0000"))
    ]

    last_30 = creator_articles(
        creator=lulu, since=period_start(key="30", today=utc_today())
    )
    assert [
        (row.label, row.billable_clicks, row.conversions, row.conversion_rate)
        for row in last_30
    ] == [("Headphones A", 5, 2, D("40.00")), ("Kettle B", 3, 1, D("33.33"))]
    assert last_30[0].money["CNY"].epc == D("18.0000")  # 90.00 / 5


def test_daily_series_for_the_chart(rolled_up, django_assert_num_queries):
    with django_assert_num_queries(2):
        series = creator_daily_series(
            creator=rolled_up["lulu"], today=utc_today(), days=90
        )
    assert len(series["days"]) == 90
    assert series["days"][-1] == utc_today().isoformat()

    def at(days_ago):
        return 89 - days_ago

    assert series["billable_clicks"][at(2)] == 5
    assert series["bot_clicks"][at(2)] == 1
    assert series["billable_clicks"][at(20)] == 3
    assert series["billable_clicks"][at(60)] == 4
    assert sum(series["billable_clicks"]) == 12  # 120 days ago is outside
    assert series["earnings"]["CNY"][at(2)] == "60.00"
    assert series["earnings"]["CNY"][at(20)] == "30.00"
    assert series["earnings"]["CNY"][at(60)] == "120.00"
    assert series["earnings"]["CNY"][at(3)] == "0.00"
    assert series["earnings"]["USD"][at(2)] == "3.00"
    assert list(series["earnings"]) == ["CNY", "USD"]


def test_placements_by_block_type_and_position(
    articles, creator, shop, headphones, django_assert_num_queries
):
    kettle = ProductFactory(title="Kettle")
    OfferFactory(
        product=kettle,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/kettle",
        currency="CNY",
    )
    guide = guide_create(
        parent=articles, author=creator, products=[headphones, kettle], title="Guide"
    )
    links = TrackedLink.objects.filter(article=guide).order_by("position")
    assert [(link.block_type, link.position) for link in links] == [
        ("pick", 1),
        ("pick", 2),
    ]
    first, second = links
    clicks_add(first, days_ago=1, billable=4)
    second_clicks = clicks_add(second, days_ago=1, billable=2)
    sale_ingest(
        shop,
        order_id="G-1",
        click_id=second_clicks[0],
        days_ago=1,
        commission="10.00",
    )
    rollups_rebuild()
    with django_assert_num_queries(3):  # as creator_articles: the same read
        rows = creator_placements(creator=creator)
    assert [
        (row.label, row.key[1], row.billable_clicks, row.conversions) for row in rows
    ] == [("Pick", 2, 2, 1), ("Pick", 1, 4, 0)]
    assert rows[0].conversion_rate == D("50.00")
    assert rows[0].money["CNY"].epc == D("3.0000")  # 6.00 (60 % of 10.00) / 2


def login(client, creator):
    client.force_login(creator.user)


def test_dashboard_page_shows_the_creators_figures(client, rolled_up):
    login(client, rolled_up["lulu"])
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "40.00 %",
        "37.50 %",
        "33.33 %",
        "30.77 %",
        "16.1538 CNY",
        "0.2308 USD",
        "3500.00 CNY",
        "120.00 CNY",
        "Headphones A",
        "Kettle B",
        "/static/vendor/chartjs/chart.umd.min.js",
        "/static/js/creator_dashboard.js",
    ):
        assert text in html, text
    for text in ("Ann C", "Mia D", "9.6000", "800.00 CNY"):
        assert text not in html, text
    # The chart's data is the series, as JSON in the page.
    series = json.loads(
        html.split('id="creator-chart-data" type="application/json">')[1].split(
            "</script>"
        )[0]
    )
    assert sum(series["billable_clicks"]) == 12
    assert "Ann" not in json.dumps(series)


def test_another_creator_sees_only_their_own(client, rolled_up):
    login(client, rolled_up["ann"])
    html = client.get("/admin/?dashboard_period=7").content.decode()
    assert "Ann C" in html
    assert "20.00 %" in html  # 1 / 5
    assert "9.6000 CNY" in html  # 48.00 / 5
    for text in ("Headphones A", "Kettle B", "Mia D", "16.1538", "USD"):
        assert text not in html, text


def test_editors_without_a_profile_get_no_creator_panels(client, editor, rolled_up):
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "creator-chart-data" not in html
    assert 'id="creator-summary"' not in html


def test_an_unknown_period_is_named_and_the_default_shown(client, rolled_up):
    login(client, rolled_up["lulu"])
    response = client.get("/admin/?dashboard_period=365")
    assert response.status_code == 200
    html = response.content.decode()
    assert "dashboard_period: 365 is not one of 7, 30, 90, all" in html
    assert "Articles by earnings, Last 30 days" in html


def test_the_page_costs_the_same_queries_however_many_articles(
    client, rolled_up, articles, shop, headphones
):
    lulu = rolled_up["lulu"]
    login(client, lulu)
    client.get("/admin/")  # caches warmed

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    before = queries()
    for number in range(6):
        page = review_create(
            parent=articles,
            author=lulu,
            product=headphones,
            title=f"More {number}",
        )
        link = TrackedLink.objects.get(article=page, is_preview=False)
        ids = clicks_add(link, days_ago=number + 1, billable=2, bots=1)
        sale_ingest(
            shop,
            order_id=f"MORE-{number}",
            click_id=ids[0],
            days_ago=number + 1,
            commission="10.00",
        )
    rollups_rebuild()
    after = queries()
    html = client.get("/admin/").content.decode()
    assert "More 5" in html
    assert after == before


def test_chart_library_and_script_are_served_from_static():
    library = finders.find("vendor/chartjs/chart.umd.min.js")
    assert library is not None
    with open(library, encoding="utf-8") as file:
        assert "Chart.js v4.6.1" in file.read(200)
    assert finders.find("vendor/chartjs/LICENSE.md") is not None
    assert finders.find("js/creator_dashboard.js") is not None


def test_the_articles_table_shows_twenty_a_page(
    client, rolled_up, articles, headphones
):
    lulu = rolled_up["lulu"]
    for number in range(20):
        page = review_create(
            parent=articles, author=lulu, product=headphones, title=f"Extra {number}"
        )
        link = TrackedLink.objects.get(article=page, is_preview=False)
        clicks_add(link, days_ago=1, billable=1)
    rollups_rebuild()
    ranked = [row.label for row in creator_articles(creator=lulu, since=None)]
    assert len(ranked) == 22
    login(client, lulu)

    def shown(query: str) -> list[str]:
        html = client.get(f"/admin/{query}").content.decode()
        table = html.split("creator-dashboard__articles")[1].split("</table>")[0]
        return [title for title in ranked if f">{title}</a>" in table]

    assert shown("?dashboard_period=all") == ranked[:20]
    second = "?dashboard_period=all&dashboard_articles_page=2"
    assert shown(second) == ranked[20:]
    html = client.get(f"/admin/{second}").content.decode()
    assert "Articles 21–22 of 22" in html
    # Not a page number: the first page.
    assert shown("?dashboard_period=all&dashboard_articles_page=x") == ranked[:20]


@pytest.mark.parametrize(
    "since_back, until_back",
    [(200, None), (None, None), (75, 40), (130, 3), (None, 50), (59, 59), (31, None)],
)
def test_months_and_days_add_up_to_the_days_alone(rolled_up, since_back, until_back):
    """Any days' figures are the same whether whole months come from the monthly
    rollups (as the reports read them) or every day from the daily ones."""
    today = utc_today()
    # Anchored on month edges too: the first of the month 2 months back, and the
    # last day of the month before.
    for since, until in (
        (
            None if since_back is None else today - datetime.timedelta(since_back),
            None if until_back is None else today - datetime.timedelta(until_back),
        ),
        (
            (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1),
            today.replace(day=1) - datetime.timedelta(days=1),
        ),
    ):
        days = Q()
        if since:
            days &= Q(day__gte=since)
        if until:
            days &= Q(day__lte=until)
        expected: dict = {}
        for row in (
            DailyLinkClicks.objects.filter(days)
            .values("article__title")
            .annotate(billable=Sum("billable_clicks"), bots=Sum("bot_clicks"))
        ):
            expected[row["article__title"], "clicks"] = (row["billable"], row["bots"])
        for row in (
            DailyLinkSales.objects.filter(days)
            .values("article__title", "currency")
            .annotate(n=Sum("conversions"), commission=Sum("commission"))
        ):
            expected[row["article__title"], row["currency"]] = (
                row["n"],
                row["commission"],
            )
        got: dict = {}
        for row in articles_report(since=since, until=until):
            got[row.title, "clicks"] = (row.billable_clicks, row.bot_clicks)
            if row.currency:
                got[row.title, row.currency] = (row.conversions, row.commission)
        assert got == expected, (since, until)
