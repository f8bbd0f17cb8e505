"""A past for offers in tests: states recorded through products.services.
offer_refresh, as a merchant's feed records them, so many days ago."""

import datetime
from decimal import Decimal

from django.utils import timezone

from products.models import Availability, PriceSource
from products.services import OfferState, offer_refresh


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def offer_past(offer, *states) -> None:
    """``states``: (days ago, price[, availability[, list price]]), oldest first;
    the last is the offer's state now."""
    for days, price, *rest in states:
        availability = rest[0] if rest else Availability.IN_STOCK
        list_price = Decimal(rest[1]) if len(rest) > 1 and rest[1] else None
        offer_refresh(
            offer=offer,
            state=OfferState(
                price=Decimal(price), availability=availability, list_price=list_price
            ),
            source=PriceSource.FEED,
            at=days_ago(days),
        )
