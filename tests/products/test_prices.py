"""Offers' price history: products.services.offer_prices_record / offer_refresh and
the reads of products.selectors (lowest prices of a period, the price at a moment)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from products.models import Availability, OfferPrice, PriceSource
from products.selectors import (
    offer_price_at,
    offer_price_history,
    offers_last_price,
    offers_lowest_prices,
)
from products.services import OfferState, offer_prices_record, offer_refresh
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def state(price: str, availability=Availability.IN_STOCK, **fields) -> OfferState:
    return OfferState(price=Decimal(price), availability=availability, **fields)


def history(offer) -> list[tuple]:
    return [
        (row.price, row.availability, row.source)
        for row in offer_price_history(offer=offer)
    ]


def test_a_row_is_appended_only_when_price_or_stock_changes():
    offer = OfferFactory(price=Decimal("100.00"))
    assert offer_prices_record(offers=[offer], source=PriceSource.EDITOR) == 1
    assert offer_prices_record(offers=[offer], source=PriceSource.EDITOR) == 0
    offer.availability = Availability.OUT_OF_STOCK
    offer.save()
    assert offer_prices_record(offers=[offer], source=PriceSource.FEED) == 1
    assert history(offer) == [
        (Decimal("100.00"), Availability.IN_STOCK, PriceSource.EDITOR),
        (Decimal("100.00"), Availability.OUT_OF_STOCK, PriceSource.FEED),
    ]


def test_the_history_names_the_merchants_currency_when_the_offer_has_none():
    offer = OfferFactory(currency="")
    offer_prices_record(offers=[offer], source=PriceSource.EDITOR)
    assert OfferPrice.objects.get(offer=offer).currency == offer.merchant.currency


def test_recording_many_offers_takes_two_queries(django_assert_num_queries):
    offers = [OfferFactory() for _ in range(5)]
    with django_assert_num_queries(2):
        assert offer_prices_record(offers=offers, source=PriceSource.EDITOR) == 5


def test_refresh_saves_only_what_changed_and_records_it():
    offer = OfferFactory(price=Decimal("100.00"))
    offer_prices_record(offers=[offer], source=PriceSource.EDITOR, at=days_ago(10))
    changed = offer_refresh(
        offer=offer,
        state=state("89.00", list_price=Decimal("100.00"), feed_item_id="sku-1"),
        source=PriceSource.FEED,
        at=days_ago(1),
    )
    assert sorted(changed) == ["feed_item_id", "list_price", "price"]
    offer.refresh_from_db()
    assert (offer.price, offer.list_price, offer.feed_item_id) == (
        Decimal("89.00"),
        Decimal("100.00"),
        "sku-1",
    )
    assert history(offer)[-1] == (
        Decimal("89.00"),
        Availability.IN_STOCK,
        PriceSource.FEED,
    )
    again = offer_refresh(
        offer=offer,
        state=state("89.00", list_price=Decimal("100.00")),
        source=PriceSource.FEED,
    )
    assert again == []
    assert len(history(offer)) == 2


def test_refresh_refuses_a_url_off_the_merchants_domains_and_saves_nothing():
    offer = OfferFactory(price=Decimal("100.00"))
    with pytest.raises(ValidationError) as refused:
        offer_refresh(
            offer=offer,
            state=state("1.00", url="https://elsewhere.example/p/1"),
            source=PriceSource.FEED,
        )
    assert "url" in refused.value.message_dict
    offer.refresh_from_db()
    assert offer.price == Decimal("100.00")
    assert not OfferPrice.objects.filter(offer=offer).exists()


def _history_of(offer, *rows) -> None:
    for days, price, availability in rows:
        offer.price = Decimal(price)
        offer.availability = availability
        offer.save()
        offer_prices_record(offers=[offer], source=PriceSource.FEED, at=days_ago(days))


def test_lowest_prices_count_the_state_each_period_began_in_and_only_in_stock():
    offer = OfferFactory()
    _history_of(
        offer,
        (400, "50.00", Availability.IN_STOCK),  # before every period
        (200, "80.00", Availability.IN_STOCK),  # in effect when 90 days began
        (60, "10.00", Availability.OUT_OF_STOCK),  # cannot be bought: not counted
        (40, "70.00", Availability.IN_STOCK),  # in effect when 30 days began
        (5, "90.00", Availability.IN_STOCK),
    )
    lowest = offers_lowest_prices(offer_ids=[offer.pk], now=NOW)[offer.pk]
    assert lowest == {
        30: Decimal("70.00"),
        90: Decimal("70.00"),
        365: Decimal("50.00"),
    }


def test_an_offer_out_of_stock_all_period_has_no_lowest_price():
    offer = OfferFactory()
    _history_of(offer, (100, "10.00", Availability.OUT_OF_STOCK))
    lowest = offers_lowest_prices(offer_ids=[offer.pk], now=NOW)[offer.pk]
    assert lowest == {30: None, 90: None, 365: None}


def test_lowest_prices_of_many_offers_take_one_query(django_assert_num_queries):
    offers = [OfferFactory() for _ in range(4)]
    for offer in offers:
        _history_of(offer, (100, "10.00", Availability.IN_STOCK))
    with django_assert_num_queries(1):
        lowest = offers_lowest_prices(offer_ids=[o.pk for o in offers], now=NOW)
    assert {days[365] for days in lowest.values()} == {Decimal("10.00")}


def test_the_price_at_a_moment_is_the_state_in_effect_then():
    offer = OfferFactory()
    _history_of(
        offer,
        (30, "10.00", Availability.IN_STOCK),
        (20, "20.00", Availability.IN_STOCK),
    )
    assert offer_price_at(offer_ids=[offer.pk], moment=days_ago(25))[
        offer.pk
    ].price == Decimal("10.00")
    assert offer_price_at(offer_ids=[offer.pk], moment=days_ago(20))[
        offer.pk
    ].price == Decimal("20.00")
    assert offer_price_at(offer_ids=[offer.pk], moment=days_ago(40)) == {}
    assert offers_last_price(offer_ids=[offer.pk])[offer.pk].price == Decimal("20.00")


def test_a_history_since_a_moment_starts_with_the_state_then():
    offer = OfferFactory()
    _history_of(
        offer,
        (30, "10.00", Availability.IN_STOCK),
        (20, "20.00", Availability.IN_STOCK),
        (10, "15.00", Availability.IN_STOCK),
    )
    since = offer_price_history(offer=offer, since=days_ago(25))
    assert [row.price for row in since] == [
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("15.00"),
    ]
    assert timezone.is_aware(since[0].recorded_at)
