"""offer_link_destination names, before the click, the offer that the redirect will
send a tracked link's reader to: it must agree with link_targets_load, the redirect's
own rule, in every case."""

from decimal import Decimal

import pytest

from affiliates.models import TrackedLink
from affiliates.tracking.selectors import link_targets_load, offer_link_destination
from products.models import Availability, Offer
from tests.factories import OfferFactory, ProductFactory, TrackedLinkFactory

pytestmark = pytest.mark.django_db

IN, OUT, GONE = (
    Availability.IN_STOCK,
    Availability.OUT_OF_STOCK,
    Availability.DISCONTINUED,
)

# (price, currency, availability) of each offer; the link is the first offer's.
CASES = {
    "in stock: its own": [("120", "CNY", IN), ("99", "CNY", IN)],
    "sold out: cheapest in stock in its currency": [
        ("120", "CNY", OUT),
        ("20", "USD", IN),
        ("150", "CNY", IN),
        ("130", "CNY", IN),
    ],
    "sold out, no other in its currency: cheapest of any": [
        ("120", "CNY", GONE),
        ("30", "USD", IN),
        ("25", "EUR", IN),
    ],
    "nothing in stock: its own": [("120", "CNY", OUT), ("99", "CNY", GONE)],
    "equal prices: the first made": [
        ("120", "CNY", OUT),
        ("100", "CNY", IN),
        ("100", "CNY", IN),
    ],
}


@pytest.mark.parametrize("offers", CASES.values(), ids=CASES.keys())
def test_the_named_destination_is_where_the_redirect_goes(offers):
    product = ProductFactory()
    made = [
        OfferFactory(
            product=product,
            price=Decimal(price),
            currency=currency,
            availability=availability,
        )
        for price, currency, availability in offers
    ]
    link = TrackedLinkFactory(offer=made[0])

    target = link_targets_load(links=TrackedLink.objects.filter(pk=link.pk))[link.code]
    named = offer_link_destination(
        offer=made[0],
        offers=Offer.objects.filter(product=product).select_related("merchant"),
    )

    assert target is not None
    assert named.pk == target.offer_id
