"""Revenue at risk: which articles' offer issues cost the most expected earnings,
by the formula of docs/publish-gate.md, in a constant number of queries
(content.gate.risk)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates.models import DailyLinkClicks, DailyLinkSales, TrackedLink
from content.gate.risk import (
    DEFAULT_CONVERSION_RATE,
    MIN_OBSERVED_CLICKS,
    articles_revenue_at_risk,
    offer_substitute,
)
from content.gate.selectors import IssueKind
from content.models import ArticlePage
from products.models import (
    Availability,
    CheckResult,
    LinkStatus,
    Offer,
    OfferLinkCheck,
    PriceSource,
)
from products.services import offer_prices_record
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count()


def today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def card(product):
    return {
        "type": "product_card",
        "value": {"product": product.pk, "call_to_action": "", "note": ""},
    }


def article_of(articles, creator, *offers, publish=True):
    """A published review embedding the products of ``offers`` (tracked links are
    made as it is published)."""
    products = list(dict.fromkeys(offer.product for offer in offers))
    review = review_create(
        parent=articles,
        author=creator,
        title=f"Review {next(_numbers)}",
        product=ProductFactory(),
        body=[card(product) for product in products],
        publish=publish,
    )
    return ArticlePage.objects.get(pk=review.pk)


def clicks(article, offer, count: int, *, days_ago: int = 0) -> None:
    link = TrackedLink.objects.get(article=article, offer=offer, is_preview=False)
    DailyLinkClicks.objects.create(
        day=today() - datetime.timedelta(days=days_ago),
        link=link,
        author=link.author,
        article_id=article.pk,
        offer=offer,
        billable_clicks=count,
    )


def out_of_stock(offer) -> None:
    offer.availability = Availability.OUT_OF_STOCK
    offer.save()


def test_articles_rank_by_clicks_on_troubled_offers_times_expected_earnings(
    articles, creator
):
    gone = OfferFactory(price=Decimal("100.00"))  # merchant's 8 %
    out_of_stock(gone)
    fine = OfferFactory(price=Decimal("100.00"))
    dear = OfferFactory(price=Decimal("500.00"))
    out_of_stock(dear)
    small = article_of(articles, creator, gone, fine)
    big = article_of(articles, creator, dear)
    clean = article_of(articles, creator, OfferFactory())
    clicks(small, gone, 10)
    clicks(small, fine, 1000)  # no issue: not at risk
    clicks(small, gone, 7, days_ago=40)  # before the window
    clicks(big, dear, 10)

    rows = articles_revenue_at_risk(days=30)

    assert [row.article_id for row in rows] == [big.pk, small.pk]
    assert clean.pk not in [row.article_id for row in rows]
    small_row = rows[1]
    assert small_row.clicks == 10
    # 10 clicks × 100.00 × 8 % × the default conversion rate
    expected = 10 * Decimal("100.00") * Decimal("0.08") * DEFAULT_CONVERSION_RATE
    assert small_row.amount == expected.quantize(Decimal("0.01"))
    assert small_row.currency == "CNY"
    assert small_row.author == creator.public_name
    assert [(issue.kind, issue.offer_id) for issue in small_row.issues] == [
        (IssueKind.OUT_OF_STOCK, gone.pk)
    ]
    assert rows[0].amount == 5 * small_row.amount


def test_the_window_counts_older_clicks_when_longer(articles, creator):
    gone = OfferFactory(price=Decimal("100.00"))
    out_of_stock(gone)
    article = article_of(articles, creator, gone)
    clicks(article, gone, 10)
    clicks(article, gone, 5, days_ago=40)
    assert articles_revenue_at_risk(days=30)[0].clicks == 10
    assert articles_revenue_at_risk(days=90)[0].clicks == 15
    # Seen from 20 days ago, only the older clicks were in its last 30 days.
    then = timezone.now() - datetime.timedelta(days=20)
    assert articles_revenue_at_risk(days=30, now=then)[0].clicks == 5


def test_an_article_with_issues_but_no_clicks_is_listed_last_at_zero(articles, creator):
    quiet_offer, loud_offer = OfferFactory(), OfferFactory()
    out_of_stock(quiet_offer)
    out_of_stock(loud_offer)
    quiet = article_of(articles, creator, quiet_offer)
    loud = article_of(articles, creator, loud_offer)
    clicks(loud, loud_offer, 3)
    rows = articles_revenue_at_risk()
    assert [(row.article_id, row.clicks) for row in rows] == [
        (loud.pk, 3),
        (quiet.pk, 0),
    ]
    assert rows[1].amount == 0


def test_drafts_are_not_at_risk(articles, creator):
    gone = OfferFactory()
    out_of_stock(gone)
    article_of(articles, creator, gone, publish=False)
    assert articles_revenue_at_risk() == []


def test_lost_commission_counts_what_the_merchant_used_to_pay(articles, creator):
    free = OfferFactory(price=Decimal("200.00"), commission_rate=Decimal("0"))
    article = article_of(articles, creator, free)
    clicks(article, free, 50)
    (row,) = articles_revenue_at_risk()
    assert [issue.kind for issue in row.issues] == [IssueKind.NO_COMMISSION]
    expected = 50 * Decimal("200.00") * Decimal("0.08") * DEFAULT_CONVERSION_RATE
    assert row.amount == expected.quantize(Decimal("0.01"))


def test_a_price_jump_since_publishing_is_at_risk(articles, creator):
    offer = OfferFactory(price=Decimal("100.00"))
    offer_prices_record(
        offers=[offer],
        source=PriceSource.EDITOR,
        at=timezone.now() - datetime.timedelta(days=60),
    )
    article = article_of(articles, creator, offer)
    ArticlePage.objects.filter(pk=article.pk).update(
        first_published_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert articles_revenue_at_risk() == []  # the price has not moved
    offer.price = Decimal("150.00")
    offer.save()
    clicks(article, offer, 4)
    (row,) = articles_revenue_at_risk()
    assert [issue.kind for issue in row.issues] == [IssueKind.PRICE_CHANGED]
    assert row.clicks == 4


def test_a_merchants_observed_earnings_per_click_win_over_the_default(
    articles, creator
):
    shop = MerchantFactory()
    gone = OfferFactory(merchant=shop, price=Decimal("100.00"))
    out_of_stock(gone)
    selling = OfferFactory(merchant=shop)
    article = article_of(articles, creator, gone, selling)
    clicks(article, gone, 20)
    clicks(article, selling, MIN_OBSERVED_CLICKS)
    link = TrackedLink.objects.get(article=article, offer=selling)
    DailyLinkSales.objects.create(
        day=today(),
        link=link,
        author=link.author,
        article_id=article.pk,
        merchant=shop,
        currency="CNY",
        conversions=3,
        sales=Decimal("600.00"),
        commission=Decimal("60.00"),
    )
    (row,) = articles_revenue_at_risk()
    # 60.00 commission ÷ 120 clicks of the merchant = 0.50 a click, × 20 clicks
    assert row.amount == Decimal("10.00")


def test_too_few_observed_clicks_fall_back_to_the_default(articles, creator):
    shop = MerchantFactory()
    gone = OfferFactory(merchant=shop, price=Decimal("100.00"))
    out_of_stock(gone)
    article = article_of(articles, creator, gone)
    clicks(article, gone, 20)
    link = TrackedLink.objects.get(article=article, offer=gone)
    DailyLinkSales.objects.create(
        day=today(),
        link=link,
        author=link.author,
        article_id=article.pk,
        merchant=shop,
        currency="CNY",
        conversions=1,
        commission=Decimal("60.00"),
    )
    (row,) = articles_revenue_at_risk()
    expected = 20 * Decimal("100.00") * Decimal("0.08") * DEFAULT_CONVERSION_RATE
    assert row.amount == expected.quantize(Decimal("0.01"))


def _queries(count: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = articles_revenue_at_risk()
    assert len(rows) == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_articles(articles, creator):
    def troubled_article():
        gone, moved = OfferFactory(), OfferFactory(commission_rate=Decimal("0"))
        out_of_stock(gone)
        article = article_of(articles, creator, gone, moved)
        clicks(article, gone, 5)
        clicks(article, moved, 2)

    troubled_article()
    articles_revenue_at_risk()  # the gate's settings are made on first reading
    one = _queries(1)
    for _ in range(4):
        troubled_article()
    assert _queries(5) == one
    assert one <= 7


def _broken(offer) -> None:
    OfferLinkCheck.objects.create(
        offer=offer,
        url=offer.url,
        status=LinkStatus.BROKEN,
        result=CheckResult.NOT_FOUND,
        consecutive_failures=2,
        checked_at=timezone.now(),
    )


def test_the_best_live_substitute_is_the_cheapest_healthy_offer(articles, creator):
    product = ProductFactory()
    gone = OfferFactory(product=product, price=Decimal("90.00"))
    out_of_stock(gone)
    cheapest_broken = OfferFactory(product=product, price=Decimal("50.00"))
    _broken(cheapest_broken)
    OfferFactory(product=product, price=Decimal("60.00"), commission_rate=0)
    best = OfferFactory(product=product, price=Decimal("80.00"))
    OfferFactory(product=product, price=Decimal("85.00"))
    OfferFactory(product=ProductFactory(), price=Decimal("1.00"))  # another product
    in_stock = list(
        Offer.objects.filter(availability=Availability.IN_STOCK).select_related(
            "merchant", "link_check"
        )
    )
    assert offer_substitute(offer=gone, in_stock=in_stock) == best
    article = article_of(articles, creator, gone)
    (row,) = [row for row in articles_revenue_at_risk() if row.article_id == article.pk]
    substitute_of_gone = [
        text
        for text in row.substitutes
        if text.startswith(f"{product.title} @ {gone.merchant.name} ")
    ]
    assert len(substitute_of_gone) == 1
    assert best.merchant.name in substitute_of_gone[0]
    assert "80.00 CNY" in substitute_of_gone[0]


def test_no_live_substitute_is_said(articles, creator):
    gone = OfferFactory()
    out_of_stock(gone)
    article = article_of(articles, creator, gone)
    (row,) = articles_revenue_at_risk()
    assert row.article_id == article.pk
    assert row.substitutes_text.endswith("no live substitute")
    assert offer_substitute(offer=gone, in_stock=[]) is None
