"""The Revenue at risk report in the Reports menu: editors only, the ranking with
money formatted, the days filter, and the CSV/XLSX exports of the shared base
(content.admin.risk)."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from affiliates.models import DailyLinkClicks, TrackedLink
from content.admin.risk import REVENUE_AT_RISK
from content.models import ArticlePage
from products.models import Availability
from tests.affiliates.admin.test_reports import exported_csv, exported_xlsx, screen
from tests.conftest import review_create
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def creator_client(creator):
    client = Client()
    client.force_login(creator.user)
    return client


def troubled(articles, creator, *, title: str, price: str, clicks: int, days_ago=0):
    """A published review of a product whose one offer is out of stock, with
    ``clicks`` on it ``days_ago``."""
    offer = OfferFactory(price=Decimal(price), availability=Availability.OUT_OF_STOCK)
    review = review_create(
        parent=articles,
        author=creator,
        title=title,
        product=offer.product,
        slug=f"review-{offer.pk}",
    )
    link = TrackedLink.objects.get(article=review, offer=offer, is_preview=False)
    DailyLinkClicks.objects.create(
        day=timezone.now().astimezone(datetime.UTC).date()
        - datetime.timedelta(days=days_ago),
        link=link,
        author=link.author,
        article_id=review.pk,
        offer=offer,
        billable_clicks=clicks,
    )
    return ArticlePage.objects.get(pk=review.pk)


@pytest.fixture
def at_risk(articles, creator):
    # 100 clicks × 1,000.00 × 8 % × 2 % = 160.00; 10 × 100.00 × 8 % × 2 % = 1.60
    big = troubled(articles, creator, title="Big review", price="1000.00", clicks=100)
    small = troubled(articles, creator, title="Small review", price="100.00", clicks=10)
    old = troubled(
        articles, creator, title="Old review", price="100.00", clicks=10, days_ago=60
    )
    return {"big": big, "small": small, "old": old}


def test_editors_see_articles_ranked_by_revenue_at_risk(editor_client, at_risk):
    rows = screen(editor_client.get(reverse(REVENUE_AT_RISK)))
    assert [row["Article"] for row in rows] == [
        "Big review",
        "Small review",
        "Old review",
    ]
    big = rows[0]
    assert big["Author"] == "Lulu"
    assert big["Clicks"] == "100"
    assert "Not in stock" in big["Issues"]
    assert big["Best live substitute"].endswith("no live substitute")
    assert "160" in big["Revenue at risk"]
    assert big["Revenue at risk"] != "160.00"  # money_format, with its currency sign
    assert rows[2]["Clicks"] == "0"  # its clicks are older than 30 days
    edit = reverse("wagtailadmin_pages:edit", args=[at_risk["big"].pk])
    assert edit in big["links"]


def test_the_days_filter_widens_the_window(editor_client, at_risk):
    rows = screen(editor_client.get(reverse(REVENUE_AT_RISK) + "?days=90"))
    assert {row["Article"]: row["Clicks"] for row in rows}["Old review"] == "10"


def test_a_bad_days_filter_lists_nothing_and_its_export_is_refused(
    editor_client, at_risk
):
    path = reverse(REVENUE_AT_RISK)
    listed = editor_client.get(path + "?days=12")
    assert listed.status_code == 200
    assert b"Big review" not in listed.content
    refused = editor_client.get(path + "?days=12&export=csv")
    assert refused.status_code == 400
    assert b"days" in refused.content


def test_creators_neither_see_nor_open_the_report(
    editor_client, creator_client, at_risk
):
    home = reverse("wagtailadmin_home")
    path = reverse(REVENUE_AT_RISK)
    assert path in editor_client.get(home).content.decode()
    assert path not in creator_client.get(home).content.decode()
    assert creator_client.get(path).status_code in (302, 403)
    assert creator_client.get(path + "?export=csv").status_code in (302, 403)
    assert b"Big review" not in creator_client.get(path, follow=True).content


def test_the_csv_and_xlsx_exports_have_the_rows_with_amounts_as_numbers(
    editor_client, at_risk
):
    path = reverse(REVENUE_AT_RISK)
    csv_rows = exported_csv(editor_client, path)
    assert [
        (row["Article"], row["Clicks"], row["Currency"], row["Revenue at risk"])
        for row in csv_rows
    ] == [
        ("Big review", "100", "CNY", "160.00"),
        ("Small review", "10", "CNY", "1.60"),
        ("Old review", "0", "CNY", "0.00"),
    ]
    assert "Not in stock" in csv_rows[0]["Issues"]
    assert csv_rows[0]["Best live substitute"].endswith("no live substitute")
    xlsx_rows = exported_xlsx(editor_client, path)
    assert [row["Article"] for row in xlsx_rows] == [
        "Big review",
        "Small review",
        "Old review",
    ]


def test_a_formula_in_a_title_stays_text_in_the_csv(editor_client, articles, creator):
    troubled(articles, creator, title="=1+2", price="100.00", clicks=1)
    (row,) = exported_csv(editor_client, reverse(REVENUE_AT_RISK))
    assert not row["Article"].startswith("=")
    assert "=1+2" in row["Article"]
