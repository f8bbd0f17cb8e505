"""The publish gate's reads: each kind of offer issue, the threshold, the price
claims checked against the history, and a constant number of queries
(content.gate.selectors)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.gate.selectors import (
    IssueKind,
    article_claim_issues,
    article_gate_issues,
    article_offer_issues,
)
from content.models import ArticlePage, PublishGateSettings
from products.models import (
    Availability,
    CheckResult,
    LinkStatus,
    OfferLinkCheck,
    PriceSource,
)
from products.services import offer_prices_record
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory

pytestmark = pytest.mark.django_db


_numbers = itertools.count()


def ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def price_set(offer, price: str, *, days_ago: float, availability=None) -> None:
    """The offer's price (and stock) from ``days_ago`` on, in its history."""
    offer.price = Decimal(price)
    if availability is not None:
        offer.availability = availability
    offer.save()
    offer_prices_record(offers=[offer], source=PriceSource.EDITOR, at=ago(days_ago))


def card(product, note=""):
    return {
        "type": "product_card",
        "value": {"product": product.pk, "call_to_action": "", "note": note},
    }


def text(html):
    return {"type": "rich_text", "value": html}


def heading(words):
    return {"type": "heading", "value": {"text": words, "level": "h2"}}


def article_with(articles, creator, body, *, product=None, published_days_ago=30):
    """A review of ``product`` (a product without offers when None) with ``body``,
    first published ``published_days_ago`` (never, when None)."""
    review = review_create(
        parent=articles,
        author=creator,
        title=f"Review {next(_numbers)}",
        product=product or ProductFactory(),
        body=body,
        publish=published_days_ago is not None,
    )
    if published_days_ago is not None:
        ArticlePage.objects.filter(pk=review.pk).update(
            first_published_at=ago(published_days_ago)
        )
    return ArticlePage.objects.get(pk=review.pk).specific


def kinds(issues):
    return sorted((issue.kind, issue.offer_id) for issue in issues)


@pytest.fixture
def offer():
    offer = OfferFactory(price=Decimal("100.00"))
    offer_prices_record(offers=[offer], source=PriceSource.EDITOR, at=ago(60))
    return offer


def test_a_clean_article_has_no_issues(articles, creator, offer):
    article = article_with(articles, creator, [card(offer.product)])
    assert article_gate_issues(article=article) == []


@pytest.mark.parametrize(
    "availability", [Availability.OUT_OF_STOCK, Availability.DISCONTINUED]
)
def test_an_offer_not_in_stock_is_an_issue(articles, creator, offer, availability):
    offer.availability = availability
    offer.save()
    article = article_with(articles, creator, [card(offer.product)])
    issues = article_offer_issues(article=article)
    assert kinds(issues) == [(IssueKind.OUT_OF_STOCK, offer.pk)]
    assert issues[0].product == offer.product.title
    assert issues[0].placements  # the card's block id


def test_a_link_the_checker_found_broken_is_an_issue(articles, creator, offer):
    check = OfferLinkCheck.objects.create(
        offer=offer,
        url=offer.url,
        status=LinkStatus.BROKEN,
        result=CheckResult.NOT_FOUND,
        consecutive_failures=2,
        checked_at=timezone.now(),
    )
    article = article_with(articles, creator, [card(offer.product)])
    assert kinds(article_offer_issues(article=article)) == [
        (IssueKind.BROKEN_LINK, offer.pk)
    ]
    # A broken check of the URL the offer had before says nothing of its new one.
    check.url = "https://www.shop.example/old"
    check.save()
    assert article_offer_issues(article=article) == []
    check.url, check.status = offer.url, LinkStatus.SUSPECT
    check.save()
    assert article_offer_issues(article=article) == []


def test_an_offer_without_commission_is_an_issue(articles, creator, offer):
    offer.commission_rate = Decimal("0")
    offer.save()
    article = article_with(articles, creator, [card(offer.product)])
    assert kinds(article_offer_issues(article=article)) == [
        (IssueKind.NO_COMMISSION, offer.pk)
    ]
    # The merchant's default counts when the offer has no rate of its own.
    offer.commission_rate = None
    offer.save()
    offer.merchant.default_commission_rate = Decimal("0")
    offer.merchant.save()
    assert kinds(article_offer_issues(article=article)) == [
        (IssueKind.NO_COMMISSION, offer.pk)
    ]
    offer.commission_rate = Decimal("3.5")
    offer.save()
    assert article_offer_issues(article=article) == []


@pytest.mark.parametrize(
    ("now_price", "threshold", "flagged"),
    [
        ("120.00", "15", True),  # +20 %
        ("80.00", "15", True),  # -20 %: a fall is a change too
        ("110.00", "15", False),
        ("115.00", "15", False),  # exactly the threshold is not more than it
        ("120.00", "25", False),
    ],
)
def test_a_price_change_since_publishing_beyond_the_threshold_is_an_issue(
    articles, creator, offer, now_price, threshold, flagged
):
    settings = PublishGateSettings.load()
    settings.price_change_percent = Decimal(threshold)
    settings.save()
    # Published 30 days ago at 100; the price moved 10 days ago.
    article = article_with(articles, creator, [card(offer.product)])
    price_set(offer, now_price, days_ago=10)
    issues = article_offer_issues(article=article)
    assert kinds(issues) == ([(IssueKind.PRICE_CHANGED, offer.pk)] if flagged else [])
    if flagged:
        assert "100.00 CNY" in issues[0].detail
        assert f"{now_price} CNY" in issues[0].detail


def test_the_price_when_published_is_the_one_in_effect_then(articles, creator, offer):
    price_set(offer, "150.00", days_ago=20)  # after publishing (30 days ago)
    price_set(offer, "100.00", days_ago=5)  # and back
    article = article_with(articles, creator, [card(offer.product)])
    assert article_offer_issues(article=article) == []


def test_a_draft_never_published_has_no_price_change(articles, creator, offer):
    price_set(offer, "300.00", days_ago=1)
    article = article_with(
        articles, creator, [card(offer.product)], published_days_ago=None
    )
    assert article.first_published_at is None
    assert article_offer_issues(article=article) == []


def test_every_offer_of_every_embed_is_checked_the_reviewed_product_too(
    articles, creator
):
    reviewed = OfferFactory(availability=Availability.OUT_OF_STOCK)
    grid_offers = [OfferFactory(commission_rate=Decimal("0")) for _ in range(2)]
    second_offer = OfferFactory(
        product=grid_offers[0].product, availability=Availability.OUT_OF_STOCK
    )
    body = [
        {
            "type": "product_grid",
            "value": {"title": "", "products": [o.product.pk for o in grid_offers]},
        }
    ]
    article = article_with(articles, creator, body, product=reviewed.product)
    assert kinds(article_offer_issues(article=article)) == sorted(
        [
            (IssueKind.OUT_OF_STOCK, reviewed.pk),
            (IssueKind.NO_COMMISSION, grid_offers[0].pk),
            (IssueKind.NO_COMMISSION, grid_offers[1].pk),
            (IssueKind.OUT_OF_STOCK, second_offer.pk),
        ]
    )


def _queries(article_pk: int, function) -> int:
    article = ArticlePage.objects.get(pk=article_pk).specific
    with CaptureQueriesContext(connection) as queries:
        function(article=article)
    return len(queries)


@pytest.mark.parametrize("function", [article_offer_issues, article_gate_issues])
def test_the_gate_takes_the_same_queries_whatever_the_number_of_embeds(
    articles, creator, function
):
    def body(count):
        blocks = []
        for _ in range(count):
            offer = OfferFactory()
            offer_prices_record(offers=[offer], source=PriceSource.EDITOR, at=ago(90))
            OfferFactory(product=offer.product, availability=Availability.OUT_OF_STOCK)
            blocks += [text("<p>史低！</p>"), card(offer.product, note="全网最低")]
        grid = [OfferFactory().product.pk for _ in range(count)]
        blocks.append(
            {"type": "product_grid", "value": {"title": "史低", "products": grid}}
        )
        return blocks

    small = article_with(articles, creator, body(1)).pk
    large = article_with(articles, creator, body(8)).pk
    PublishGateSettings.load()  # made once, as in a running site
    assert _queries(small, function) == _queries(large, function)
    assert _queries(large, function) <= 12


# -- Price claims ----------------------------------------------------------------------


@pytest.fixture
def two_shops():
    """One product sold by 京东 (100 now, 80 ninety days ago) and 天猫 (90)."""
    jd = OfferFactory(merchant=MerchantFactory(name="京东"), price=Decimal("80.00"))
    offer_prices_record(offers=[jd], source=PriceSource.FEED, at=ago(90))
    price_set(jd, "100.00", days_ago=40)
    tmall = OfferFactory(
        product=jd.product,
        merchant=MerchantFactory(name="天猫"),
        price=Decimal("90.00"),
    )
    offer_prices_record(offers=[tmall], source=PriceSource.FEED, at=ago(40))
    return jd, tmall


def claims(article):
    return [
        (issue.kind, issue.product_id)
        for issue in article_claim_issues(article=article)
    ]


def test_a_lowest_ever_claim_above_the_lowest_of_the_year_is_false(
    articles, creator, two_shops
):
    jd, tmall = two_shops
    article = article_with(articles, creator, [card(jd.product, note="京东史低价！")])
    issues = article_claim_issues(article=article)
    assert [(i.kind, i.product_id) for i in issues] == [
        (IssueKind.FALSE_CLAIM, jd.product.pk)
    ]
    assert "80.00 CNY" in issues[0].detail
    assert "100.00 CNY" in issues[0].detail
    # Back at its lowest: true.
    price_set(jd, "80.00", days_ago=1)
    assert claims(article) == []


def test_a_lowest_ever_claim_naming_no_shop_is_about_the_cheapest_offer(
    articles, creator, two_shops
):
    jd, tmall = two_shops
    # 天猫 at 90 is the cheapest now, but 京东 sold it for 80 this year.
    article = article_with(
        articles, creator, [card(jd.product, note="The lowest price ever.")]
    )
    assert claims(article) == [(IssueKind.FALSE_CLAIM, jd.product.pk)]
    price_set(tmall, "79.00", days_ago=1)
    assert claims(article) == []


def test_a_lowest_price_outside_the_year_does_not_count(articles, creator):
    offer = OfferFactory(price=Decimal("50.00"))
    offer_prices_record(offers=[offer], source=PriceSource.FEED, at=ago(500))
    price_set(offer, "70.00", days_ago=400)
    article = article_with(articles, creator, [card(offer.product, note="史低")])
    assert claims(article) == []


def test_a_cheapest_claim_is_false_when_another_shop_sells_for_less(
    articles, creator, two_shops
):
    jd, tmall = two_shops
    article = article_with(articles, creator, [card(jd.product, note="京东全网最低")])
    issues = article_claim_issues(article=article)
    assert [(i.kind, i.product_id) for i in issues] == [
        (IssueKind.FALSE_CLAIM, jd.product.pk)
    ]
    assert "天猫" in issues[0].detail
    # The cheaper shop out of stock: the claim holds.
    tmall.availability = Availability.OUT_OF_STOCK
    tmall.save()
    assert claims(article) == []


def test_a_claim_about_an_offer_not_in_stock_is_false(articles, creator, two_shops):
    jd, tmall = two_shops
    for offer in (jd, tmall):
        offer.availability = Availability.OUT_OF_STOCK
        offer.save()
    article = article_with(articles, creator, [card(jd.product, note="Cheapest!")])
    assert claims(article) == [(IssueKind.FALSE_CLAIM, jd.product.pk)]


def test_a_negated_claim_is_not_checked(articles, creator, two_shops):
    jd, tmall = two_shops
    body = [card(jd.product, note="京东不是全网最低，但发货快。也不是史低")]
    assert claims(article_with(articles, creator, body)) == []


def test_near_is_the_same_block_or_an_adjacent_text_block(articles, creator, two_shops):
    jd, tmall = two_shops
    other = OfferFactory()
    before = [text("<p>京东史低！</p>"), card(jd.product)]
    after = [card(jd.product), heading("Cheapest at 京东")]
    apart = [text("<p>京东史低！</p>"), heading("Next"), card(jd.product)]
    elsewhere = [text("<p>京东史低！</p>"), card(other.product), card(jd.product)]
    assert claims(article_with(articles, creator, before)) == [
        (IssueKind.FALSE_CLAIM, jd.product.pk)
    ]
    assert claims(article_with(articles, creator, after)) == [
        (IssueKind.FALSE_CLAIM, jd.product.pk)
    ]
    assert claims(article_with(articles, creator, apart)) == []
    # Next to another product: checked against that one's offers (true there).
    assert claims(article_with(articles, creator, elsewhere)) == []


def test_a_reviews_verdict_is_near_the_reviewed_product(articles, creator, two_shops):
    jd, tmall = two_shops
    article = article_with(articles, creator, [], product=jd.product)
    article.verdict = "Worth it at its all-time low at 京东."
    assert claims(article) == [(IssueKind.FALSE_CLAIM, jd.product.pk)]


def test_claims_are_part_of_the_gate(articles, creator, two_shops):
    jd, tmall = two_shops
    article = article_with(articles, creator, [card(jd.product, note="京东全网最低")])
    assert [issue.kind for issue in article_gate_issues(article=article)] == [
        IssueKind.FALSE_CLAIM
    ]
    assert article_offer_issues(article=article) == []


def test_a_change_of_currency_or_from_free_is_a_change(articles, creator, offer):
    article = article_with(articles, creator, [card(offer.product)])
    offer.currency = "USD"
    offer.save()
    issues = article_offer_issues(article=article)
    assert kinds(issues) == [(IssueKind.PRICE_CHANGED, offer.pk)]
    assert "100.00 USD now" in issues[0].detail
