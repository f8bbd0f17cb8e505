"""Fixtures for tracked links and clicks."""

import pytest

from affiliates.selectors import link_targets
from affiliates.services import article_links_sync
from affiliates.tracking import click_buffer, visitor_salts
from products.models import Availability
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory


@pytest.fixture(autouse=True)
def _fresh_tracking_state():
    """Every test starts with an empty click buffer and no cached link targets."""
    click_buffer.pending.clear()
    link_targets.clear()
    visitor_salts.cache.clear()
    visitor_salts.fallback = None
    yield
    click_buffer.pending.clear()
    link_targets.clear()


@pytest.fixture
def shop(db):
    return MerchantFactory(
        name="Mingyue",
        allowed_domains="mingyuehome.cn",
        currency="CNY",
        deep_link_template="{url}?subid={click_id}",
    )


@pytest.fixture
def network(db):
    return MerchantFactory(
        name="LinkHub",
        allowed_domains="linkhub-network.com\nkettleandpour.com",
        currency="USD",
        deep_link_template="https://go.linkhub-network.com/deeplink?u={url|urlencode}&sid={click_id}",
        sends_referrer=True,
    )


@pytest.fixture
def headphones(shop):
    product = ProductFactory(title="WH-7")
    OfferFactory(
        product=product,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/1?color=black",
        price="1299.00",
        currency="CNY",
    )
    return product


@pytest.fixture
def published(articles, creator, headphones):
    """A published review of the headphones, with its tracked links."""
    return review_create(parent=articles, author=creator, product=headphones)


@pytest.fixture
def link(published):
    from affiliates.models import TrackedLink

    return TrackedLink.objects.get(article=published, placement="reviewed-product")


def flush() -> int:
    return click_buffer.flush()


def out_of_stock(offer):
    offer.availability = Availability.OUT_OF_STOCK
    offer.save()
    return offer


__all__ = ["article_links_sync", "flush", "out_of_stock"]
