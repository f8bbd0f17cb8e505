"""Fixtures for tracked links and clicks."""

import json
import time

import pytest
from django.utils import timezone

from affiliates.clickids import click_id_make
from affiliates.reports import signature_make
from affiliates.services import article_links_sync
from affiliates.tracking import click_buffer
from products.models import Availability
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory


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


SECRET = "whsec_test-secret"


@pytest.fixture
def connected(shop):
    """The shop, with a known postback secret."""
    from affiliates.models import MerchantConnection

    MerchantConnection.objects.create(
        merchant=shop,
        postback_secret=SECRET,
        secret_created_at=timezone.now(),
    )
    return shop


def click_id_for(link, *, at=None) -> str:
    """A click id for ``link`` at ``at``, as the redirect would have made it."""
    return click_id_make(link_id=link.pk, clicked_at=at or timezone.now())


def sale(**fields) -> dict:
    """A postback body: a pending sale of 1000.00 CNY now, unless told otherwise."""
    body = {
        "order_id": "ORDER-1",
        "amount": "1000.00",
        "currency": "CNY",
        "status": "pending",
        "occurred_at": timezone.now().isoformat(),
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def postback(client, merchant, body, *, secret=SECRET, timestamp=None, raw=None):
    """POST a signed postback as the merchant's server would."""
    payload = raw if raw is not None else json.dumps(body).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {}
    if secret is not None:
        headers["Zhongcao-Signature"] = signature_make(
            secret=secret, body=payload, timestamp=stamp
        )
    return client.post(
        f"/api/postbacks/{merchant.slug}",
        data=payload,
        content_type="application/json",
        headers=headers,
    )
