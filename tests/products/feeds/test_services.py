"""Matching a feed's items to offers, applying them and proposing the rest:
products.feeds.services."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from products.feeds.parse import feed_entries
from products.feeds.services import (
    merchant_feed_apply,
    offer_proposal_accept,
    offer_proposal_dismiss,
)
from products.models import (
    Availability,
    Offer,
    OfferPrice,
    OfferProposal,
    Product,
    ProposalStatus,
)
from tests.factories import MerchantFactory, OfferFactory, ProductFactory
from tests.products.feeds.samples import RSS

pytestmark = pytest.mark.django_db

DURING_SALE = datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC)
AFTER_SALE = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)

HEADER = "id\ttitle\tlink\tprice\tavailability\tgtin\tmpn\n"


def tsv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def apply(merchant, body: bytes, at=AFTER_SALE):
    return merchant_feed_apply(
        merchant=merchant, entries=feed_entries(io.BytesIO(body)), at=at
    )


@pytest.fixture
def shop():
    return MerchantFactory(slug="mingyue")


def test_items_match_by_gtin_sku_and_url_and_take_the_feed_item_id(shop):
    by_gtin = OfferFactory(merchant=shop, product=ProductFactory(gtin="4006381333931"))
    by_sku = OfferFactory(merchant=shop, product=ProductFactory(sku="KT-2"))
    by_id_as_sku = OfferFactory(merchant=shop, product=ProductFactory(sku="I-3"))
    by_url = OfferFactory(merchant=shop, url="https://www.shop.example/p/4")
    summary = apply(
        shop,
        tsv(
            "I-1\tA\thttps://www.shop.example/p/1\t100.00 CNY\tin_stock\t4006381333931\t",
            "I-2\tB\thttps://www.shop.example/p/2\t200.00 CNY\tin_stock\t\tKT-2",
            "I-3\tC\thttps://www.shop.example/p/3\t300.00 CNY\tout_of_stock\t\t",
            "I-4\tD\thttps://www.shop.example/p/4\t400.00 CNY\tin_stock\t\t",
        ),
    )
    assert (summary.matched, summary.updated, summary.rejected) == (4, 4, 0)
    for offer, item_id, price in (
        (by_gtin, "I-1", "100.00"),
        (by_sku, "I-2", "200.00"),
        (by_id_as_sku, "I-3", "300.00"),
        (by_url, "I-4", "400.00"),
    ):
        offer.refresh_from_db()
        assert (offer.feed_item_id, offer.price) == (item_id, Decimal(price))
    assert by_id_as_sku.availability == Availability.OUT_OF_STOCK
    assert by_gtin.url == "https://www.shop.example/p/1"
    assert OfferPrice.objects.filter(source="feed").count() == 4


def test_a_sale_in_effect_sets_the_price_and_keeps_the_regular_one(shop):
    offer = OfferFactory(merchant=shop, feed_item_id="MY-1001")
    apply(shop, RSS, at=DURING_SALE)
    offer.refresh_from_db()
    assert (offer.price, offer.list_price) == (Decimal("999.00"), Decimal("1299.00"))
    apply(shop, RSS, at=AFTER_SALE)
    offer.refresh_from_db()
    assert (offer.price, offer.list_price) == (Decimal("1299.00"), None)
    assert [row.price for row in offer.price_history.order_by("recorded_at")] == [
        Decimal("999.00"),
        Decimal("1299.00"),
    ]


def test_a_second_sync_of_the_same_feed_changes_nothing(shop):
    OfferFactory(merchant=shop, product=ProductFactory(gtin="4006381333931"))
    first = apply(shop, RSS)
    history = OfferPrice.objects.count()
    offers = list(Offer.objects.values())
    second = apply(shop, RSS)
    assert (first.updated, second.updated, second.unchanged) == (1, 0, 1)
    assert (second.proposed, second.proposals_new) == (2, 0)
    assert OfferPrice.objects.count() == history
    assert list(Offer.objects.values()) == offers


def test_unmatched_items_are_proposed_once_and_kept_up_to_date(shop):
    summary = apply(shop, RSS)
    assert (summary.proposed, summary.proposals_new, summary.rejected) == (3, 3, 2)
    assert not Product.objects.exists()  # nothing created blindly
    proposal = OfferProposal.objects.get(feed_item_id="MY-1002")
    assert (proposal.title, proposal.price, proposal.availability) == (
        "Bamboo Tea Tray",
        Decimal("89.90"),
        Availability.OUT_OF_STOCK,
    )
    apply(shop, RSS.replace(b"89.90 CNY", b"79.90 CNY"))
    proposal.refresh_from_db()
    assert proposal.price == Decimal("79.90")
    assert OfferProposal.objects.count() == 3


def test_an_item_matching_several_offers_is_refused_with_their_numbers(shop):
    gtin = "4006381333931"
    first = OfferFactory(merchant=shop, product=ProductFactory(gtin=gtin))
    second = OfferFactory(merchant=shop, product=ProductFactory(gtin=gtin))
    summary = apply(shop, tsv(f"X\tx\t\t1.00 CNY\tin_stock\t{gtin}\t"))
    assert summary.rejections == [
        f"line 2 (X): its GTIN matches several offers (#{first.pk}, #{second.pk}); "
        "set the feed item id of the right one"
    ]
    assert not OfferProposal.objects.exists()


def test_an_item_off_the_merchants_domains_or_in_another_currency_changes_nothing(
    shop,
):
    offer = OfferFactory(merchant=shop, feed_item_id="A")
    OfferFactory(merchant=shop, feed_item_id="B")
    summary = apply(
        shop,
        tsv(
            "A\tx\thttps://evil.example/a\t1.00 CNY\tin_stock\t\t",
            "B\tx\t\t1.00 USD\tin_stock\t\t",
        ),
    )
    assert summary.rejected == 2
    assert "url:" in summary.rejections[0]
    assert "price: in USD" in summary.rejections[1]
    offer.refresh_from_db()
    assert offer.price == Decimal("199.00")


def test_a_duplicate_id_does_not_bring_an_offer_back_and_forth(shop):
    offer = OfferFactory(merchant=shop, feed_item_id="A")
    summary = apply(
        shop,
        tsv("A\tx\t\t1.00 CNY\tin_stock\t\t", "A\tx\t\t2.00 CNY\tin_stock\t\t"),
    )
    assert summary.rejections == [
        f"line 3 (A): matches offer #{offer.pk}, already brought up to date by line 2"
    ]
    offer.refresh_from_db()
    assert offer.price == Decimal("1.00")


def test_an_accepted_proposal_becomes_an_offer_the_next_sync_matches(shop):
    apply(shop, RSS)
    proposal = OfferProposal.objects.get(feed_item_id="MY-1001")
    offer = offer_proposal_accept(proposal=proposal)
    assert offer.product.title == "明月 Ceramic Pour-Over Kettle & Dripper"
    assert offer.product.gtin == "4006381333931"
    assert (offer.feed_item_id, offer.price) == ("MY-1001", Decimal("1299.00"))
    assert offer.price_history.count() == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.offer) == (ProposalStatus.ACCEPTED, offer)
    summary = apply(shop, RSS)
    assert (summary.matched, summary.unchanged, summary.proposed) == (1, 1, 2)
    with pytest.raises(ValidationError, match="already accepted"):
        offer_proposal_accept(proposal=proposal)


def test_a_proposal_accepted_onto_an_existing_product_or_dismissed(shop):
    apply(shop, RSS)
    product = ProductFactory()
    tray = OfferProposal.objects.get(feed_item_id="MY-1002")
    offer = offer_proposal_accept(proposal=tray, product=product)
    assert offer.product == product
    teapot = OfferProposal.objects.get(feed_item_id="MY-1005")
    offer_proposal_dismiss(proposal=teapot)
    summary = apply(shop, RSS)
    assert (summary.dismissed, summary.proposed) == (1, 1)
    teapot.refresh_from_db()
    assert teapot.status == ProposalStatus.DISMISSED


def test_a_proposal_whose_url_is_off_the_merchants_domains_is_not_accepted(shop):
    apply(shop, tsv("Z\tElsewhere\thttps://evil.example/z\t1.00 CNY\tin_stock\t\t"))
    proposal = OfferProposal.objects.get()
    with pytest.raises(ValidationError) as raised:
        offer_proposal_accept(proposal=proposal)
    assert "url" in raised.value.message_dict
    assert not Product.objects.exists()  # the new product went with it
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
