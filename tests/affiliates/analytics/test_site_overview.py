"""The editors' panel on the admin home: the whole site today and this month (clicks,
sales, commission), this month's top articles and creators, sales held for review
and broken links; from the rollups in a fixed number of queries, and shown to
editors only. On the history of tests/affiliates/conftest.py plus sales today."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db.models import Sum
from django.utils import timezone

from affiliates.analytics.dashboards import site_overview
from affiliates.analytics.services import month_start, rollups_rebuild
from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import (
    clicks_store_settling,
    conversion_ingest,
)
from affiliates.models import (
    ConversionSource,
    DailyLinkClicks,
    DailyLinkSales,
    TrackedLink,
)
from products.models import Availability, CheckResult, LinkStatus, OfferLinkCheck
from tests.affiliates.conftest import click_id_for, sale
from tests.factories import pending_click

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

D = Decimal


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def clicks_today(link, *, count: int) -> list[str]:
    """``count`` readers' clicks on ``link`` in this very minute (today, UTC)."""
    from affiliates.tracking.clickids import click_id_make

    at = timezone.now().replace(second=0, microsecond=0)
    made = []
    for number in range(count):
        clicked_at = at + datetime.timedelta(microseconds=number)
        click_id = click_id_make(link_id=link.pk, clicked_at=clicked_at)
        made.append(
            pending_click(
                link=link,
                click_id=click_id,
                clicked_at=clicked_at,
                visitor=f"today-{link.pk}-{number}",
            )
        )
    clicks_store_settling(clicks=made)
    return [click.click_id for click in made]


def sold_today(merchant, *, order_id, click_id, amount, commission):
    body = sale(
        order_id=order_id, click_id=click_id, amount=amount, commission=commission
    )
    return conversion_ingest(
        merchant=merchant,
        data=conversion_data_parse(body),
        source=ConversionSource.POSTBACK,
    ).conversion


@pytest.fixture
def site(history, shop):
    """The history, and today: Ann's C clicked 4 times and sold twice (1000.00 and
    500.00 CNY, commission 100.00 and 50.00); Lulu's A clicked twice, sold once
    (300.00 CNY, commission 30.00); a sale whose click is not written yet (held);
    the headphones' offer (in every published article) checked broken; the kettle's
    offer out of stock."""
    links = history["links"]
    c = clicks_today(links["C"], count=4)
    a = clicks_today(links["A"], count=2)
    sold_today(
        shop, order_id="T-C1", click_id=c[0], amount="1000.00", commission="100.00"
    )
    sold_today(
        shop, order_id="T-C2", click_id=c[1], amount="500.00", commission="50.00"
    )
    sold_today(
        shop, order_id="T-A1", click_id=a[0], amount="300.00", commission="30.00"
    )
    held = click_id_for(links["A"], written=False)
    sold_today(shop, order_id="T-H1", click_id=held, amount="80.00", commission="8.00")
    headphones_offer = links["A"].offer
    OfferLinkCheck.objects.create(
        offer=headphones_offer,
        url=headphones_offer.url,
        status=LinkStatus.BROKEN,
        result=CheckResult.NOT_FOUND,
        http_status=404,
        checked_at=timezone.now(),
    )
    kettle_offer = links["B"].offer
    kettle_offer.availability = Availability.OUT_OF_STOCK
    kettle_offer.save()
    rollups_rebuild()
    return history


def daily_sums(*, since: datetime.date) -> dict:
    """The site's figures from the daily rollups (the panel reads the monthly ones
    for the month)."""
    clicks = DailyLinkClicks.objects.filter(day__gte=since).aggregate(
        total=Sum("billable_clicks")
    )["total"]
    sales = {
        row["currency"]: row
        for row in DailyLinkSales.objects.filter(day__gte=since)
        .values("currency")
        .annotate(
            conversions=Sum("conversions"),
            sales=Sum("sales"),
            commission=Sum("commission"),
        )
        .order_by()
    }
    return {"clicks": clicks or 0, "sales": sales}


def test_today_by_hand(site, django_assert_num_queries):
    with django_assert_num_queries(6):
        overview = site_overview(today=utc_today())
    today = overview.day_figures
    # The held sale counts, as in every report: it stands until an editor rejects it.
    assert (today.billable_clicks, today.conversions) == (6, 4)
    assert today.money == {"CNY": {"sales": D("1880.00"), "commission": D("188.00")}}
    assert overview.held_for_review == 1  # T-H1 waits for its click
    assert (overview.broken_links, overview.unavailable_links) == (1, 1)


def test_this_month_equals_the_daily_rollups(site):
    today = utc_today()
    overview = site_overview(today=today)
    expected = daily_sums(since=month_start(today))
    month = overview.month_figures
    assert month.billable_clicks == expected["clicks"]
    assert month.conversions == sum(
        row["conversions"] for row in expected["sales"].values()
    )
    assert month.money == {
        currency: {
            "sales": D(row["sales"]).quantize(D("0.01")),
            "commission": D(row["commission"]).quantize(D("0.01")),
        }
        for currency, row in sorted(expected["sales"].items())
    }
    assert month.billable_clicks >= 6 and month.conversions >= 3


def test_the_rankings_put_most_conversions_first(site):
    overview = site_overview(today=utc_today())
    articles = overview.top_articles
    # Ann's C sold twice today (and C-2 two days ago, if in this month), more than
    # any other article.
    assert articles[0].name == "Ann C"
    assert articles[0].author == "Ann"
    assert articles[0].money["CNY"]["commission"] >= D("150.00")
    keys = [(-row.conversions, -row.billable_clicks) for row in articles]
    assert keys == sorted(keys)
    creators = overview.top_creators
    keys = [(-row.conversions, -row.billable_clicks) for row in creators]
    assert keys == sorted(keys)
    # Each creator's conversions as the daily rollups count them this month.
    by_author = dict(
        DailyLinkSales.objects.filter(day__gte=month_start(utc_today()))
        .values("author__public_name")
        .annotate(total=Sum("conversions"))
        .values_list("author__public_name", "total")
    )
    assert {row.name: row.conversions for row in creators} == by_author
    assert by_author["Lulu"] >= 2 and by_author["Ann"] >= 2  # today's, at least


def test_the_panel_costs_the_same_queries_however_much_happens(
    client, editor, site, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as before:
        assert client.get("/admin/").status_code == 200
    link = TrackedLink.objects.get(pk=site["links"]["D"].pk)
    for number, click_id in enumerate(clicks_today(link, count=5)):
        sold_today(
            link.offer.merchant,
            order_id=f"MORE-{number}",
            click_id=click_id,
            amount="10.00",
            commission="1.00",
        )
    rollups_rebuild()
    with CaptureQueriesContext(connection) as after:
        assert client.get("/admin/").status_code == 200
    assert len(after) == len(before)


def test_editors_see_the_panel(client, editor, site):
    client.force_login(editor)
    soup = BeautifulSoup(client.get("/admin/").content, "html.parser")
    panel = soup.find(id="site-overview-section")
    assert panel is not None
    text = " ".join(panel.get_text(" ").split())
    assert "1 sale held for review" in text
    assert "1 broken link in published articles" in text
    assert "188.00 CNY" in text
    today_cells = panel.select_one('tr[data-figure="clicks"]').find_all("td")
    assert today_cells[0].get_text(strip=True) == "6"
    ranking = panel.select_one('table[data-ranking="article"]')
    assert ranking.select("tbody th")[0].get_text(" ", strip=True).startswith("Ann C")


def test_creators_never_see_the_sites_figures(client, site):
    client.force_login(site["lulu"].user)
    html = client.get("/admin/").content.decode()
    assert 'id="site-overview-section"' not in html
    assert "Ann C" not in html
