"""Reads of many offers' price histories at once: products.selectors.
offers_price_histories (the reader's charts, the API) and product_price_histories
(the admin's table)."""

from decimal import Decimal

import pytest

from products.models import Availability, PriceSource
from products.selectors import offers_price_histories, product_price_histories
from tests.factories import MerchantFactory, OfferFactory
from tests.prices import days_ago, offer_past

pytestmark = pytest.mark.django_db


def prices(rows) -> list[Decimal]:
    return [row.price for row in rows]


def test_histories_hold_the_state_in_effect_at_the_start_and_those_since(
    django_assert_num_queries,
):
    first, second, silent = OfferFactory(), OfferFactory(), OfferFactory()
    offer_past(first, (200, "150"), (120, "130"), (40, "120"), (10, "110"))
    offer_past(second, (20, "90"))
    with django_assert_num_queries(1):
        histories = offers_price_histories(
            offer_ids=[first.pk, second.pk, silent.pk], since=days_ago(90)
        )
    # 130 began before the 90 days and held at their start; 150 had ended.
    assert prices(histories[first.pk]) == [
        Decimal("130"),
        Decimal("120"),
        Decimal("110"),
    ]
    assert prices(histories[second.pk]) == [Decimal("90")]
    assert silent.pk not in histories
    assert offers_price_histories(offer_ids=[], since=days_ago(90)) == {}


def test_the_admin_table_lists_each_offers_latest_states_newest_first(
    django_assert_num_queries,
):
    offer = OfferFactory(merchant=MerchantFactory(name="B shop"))
    other = OfferFactory(product=offer.product, merchant=MerchantFactory(name="A shop"))
    unrelated = OfferFactory()
    offer_past(
        offer,
        (30, "120"),
        (20, "120", Availability.OUT_OF_STOCK),
        (10, "99", Availability.IN_STOCK, "120"),
    )
    offer_past(unrelated, (5, "1"))
    with django_assert_num_queries(2):
        histories = product_price_histories(product=offer.product, limit=2)
    assert [history.offer for history in histories] == [other, offer]
    assert histories[0].rows == [] and not histories[0].more
    rows = histories[1].rows
    assert [(row.price, row.availability) for row in rows] == [
        (Decimal("99.00"), Availability.IN_STOCK),
        (Decimal("120.00"), Availability.OUT_OF_STOCK),
    ]
    assert histories[1].more  # the first state is left out
    assert rows[0].price_plain == "99.00 CNY" and rows[0].list_price_plain == (
        "120.00 CNY"
    )
    assert rows[0].source == PriceSource.FEED
