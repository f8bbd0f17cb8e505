"""Fixtures for tracked links and clicks."""

import datetime
import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.commissions.services.conversions import clicks_store_settling
from affiliates.tracking.clickids import click_id_make
from affiliates.tracking.runtime import tracking_runtime
from affiliates.tracking.services import article_links_sync
from products.models import Availability
from products.signing import signature_make
from tests.conftest import review_create
from tests.factories import (
    MerchantFactory,
    OfferFactory,
    ProductFactory,
    pending_click,
)


@pytest.fixture
def shop(db):
    return MerchantFactory(
        name="Mingyue",
        allowed_domains="mingyuehome.cn",
        currency="CNY",
        deep_link_template="{url}?subid={click_id}",
    )


@pytest.fixture
def taobao(db):
    """A merchant credited by tracking id (Taobao's relation ids) in its links."""
    return MerchantFactory(
        name="Taobao",
        allowed_domains="item.taobao.com",
        currency="CNY",
        deep_link_template="{url}?relationId={tracking_id}",
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
    return tracking_runtime().click_buffer.flush()


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


def click_id_for(link, *, at=None, written=True) -> str:
    """A click id for ``link`` at ``at``, as the redirect would have made it: a
    reader's click, whose row is written (unless not ``written``: a sale that beats
    its click's row is held until it comes)."""
    at = at or timezone.now()
    click_id = click_id_make(link_id=link.pk, clicked_at=at, offer_id=link.offer_id)
    if written:
        clicks_store_settling(
            clicks=[
                pending_click(
                    link=link, click_id=click_id, clicked_at=at, visitor=click_id
                )
            ]
        )
    return click_id


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


# -- A small earning history, computed by hand (test_rollups, test_dashboard) --------


def noon(days_ago: int) -> datetime.datetime:
    """Noon (UTC) of the UTC day ``days_ago`` days before today: never in the future
    for days_ago ≥ 1, and well inside its day."""
    today = timezone.now().astimezone(datetime.UTC).date()
    day = today - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def clicks_add(link, *, days_ago: int, billable=0, bots=0, duplicates=0) -> list:
    """Store clicks on ``link`` at noon ``days_ago`` days ago through clicks_store:
    ``billable`` distinct visitors, ``bots``, and ``duplicates`` (a billable
    visitor clicking again within the hour). Returns the billable click ids."""
    from affiliates.commissions.services.conversions import clicks_store_settling

    at = noon(days_ago)
    made = []

    def add(offset_seconds, visitor, *, bot=False):
        clicked_at = at + datetime.timedelta(seconds=offset_seconds)
        click_id = click_id_make(link_id=link.pk, clicked_at=clicked_at)
        made.append(
            pending_click(
                link=link,
                click_id=click_id,
                clicked_at=clicked_at,
                visitor=visitor,
                bot=bot,
            )
        )
        return click_id

    billable_ids = [
        add(number, f"visitor-{link.pk}-{days_ago}-{number}")
        for number in range(billable)
    ]
    for number in range(duplicates):
        add(600 + number, f"visitor-{link.pk}-{days_ago}-{number % billable}")
    for number in range(bots):
        add(1200 + number, "", bot=True)
    clicks_store_settling(clicks=made)
    return billable_ids


def sale_ingest(merchant, *, order_id, click_id, days_ago, **fields):
    """Ingest a sale purchased an hour after noon ``days_ago`` days ago."""
    from affiliates.commissions.postbacks import conversion_data_parse
    from affiliates.commissions.services.conversions import conversion_ingest
    from affiliates.models import ConversionSource

    body = sale(
        order_id=order_id,
        click_id=click_id,
        occurred_at=(noon(days_ago) + datetime.timedelta(hours=1)).isoformat(),
        **fields,
    )
    return conversion_ingest(
        merchant=merchant,
        data=conversion_data_parse(body),
        source=ConversionSource.POSTBACK,
    ).conversion


@pytest.fixture
def history(articles, creator, other_creator, shop, network, headphones):
    """Lulu (creator, member: 60 % author share) writes two articles: A reviews the
    headphones (CNY, from the shop), B a kettle (USD, through the network). Ann
    (other_creator) writes C; Mia, whom Lulu referred, writes D (Lulu earns a 10 %
    override on D's sales). Both merchants hold commissions 10 days.

    Lulu's clicks (billable / bots / duplicates):
      A: 2 days ago 3/1/1, 20 days ago 2/0/0, 60 days ago 4/0/0, 120 days ago 1/0/0
      B: 2 days ago 2/0/0, 20 days ago 1/1/0
    Sales (commission stated; Lulu's 60 %):
      A 2 days ago 1000.00 CNY (100.00 → 60.00, pending)
      A 20 days ago 500.00 CNY (50.00 → 30.00, approved)
      A 20 days ago 300.00 CNY refunded (net 0, not counted)
      A 60 days ago 2000.00 CNY (200.00 → 120.00, paid out)
      B 2 days ago 50.00 USD (5.00 → 3.00, pending)
      D (Mia's) 2 days ago 1000.00 CNY (100.00: Mia 60.00, Lulu 10.00 pending)
      C (Ann's) 2 days ago 800.00 CNY (80.00 → Ann 48.00), C clicks 5/2/0
    And an editor's adjustment of +5.00 CNY for Lulu (approved, no sale).
    """
    from affiliates.commissions.services.ledger import (
        commissions_approve,
        ledger_adjust,
    )
    from affiliates.commissions.services.payouts import (
        payout_run_create,
        payout_run_decide,
    )
    from affiliates.models import TrackedLink
    from tests.factories import CreatorProfileFactory

    for merchant in (shop, network):
        merchant.hold_period_days = 10
        merchant.save()
    kettle = ProductFactory(title="Pour-over kettle")
    OfferFactory(
        product=kettle,
        merchant=network,
        url="https://kettleandpour.com/p/kettle",
        price="49.00",
        currency="USD",
    )
    mia = CreatorProfileFactory(
        user__username="mia", public_name="Mia", slug="mia", referred_by=creator
    )
    article_a = review_create(
        parent=articles, author=creator, product=headphones, title="Headphones A"
    )
    article_b = review_create(
        parent=articles, author=creator, product=kettle, title="Kettle B"
    )
    article_c = review_create(
        parent=articles, author=other_creator, product=headphones, title="Ann C"
    )
    article_d = review_create(
        parent=articles, author=mia, product=headphones, title="Mia D"
    )

    def link_of(article):
        return TrackedLink.objects.get(article=article, is_preview=False)

    a, b, c, d = (
        link_of(page) for page in (article_a, article_b, article_c, article_d)
    )
    a2 = clicks_add(a, days_ago=2, billable=3, bots=1, duplicates=1)
    a20 = clicks_add(a, days_ago=20, billable=2)
    a60 = clicks_add(a, days_ago=60, billable=4)
    clicks_add(a, days_ago=120, billable=1)
    b2 = clicks_add(b, days_ago=2, billable=2)
    clicks_add(b, days_ago=20, billable=1, bots=1)
    c2 = clicks_add(c, days_ago=2, billable=5, bots=2)
    d2 = clicks_add(d, days_ago=2, billable=1)

    sale_ingest(shop, order_id="A-2", click_id=a2[0], days_ago=2, commission="100.00")
    sale_ingest(
        shop,
        order_id="A-20",
        click_id=a20[0],
        days_ago=20,
        amount="500.00",
        commission="50.00",
    )
    for status in ("pending", "refunded"):
        sale_ingest(
            shop,
            order_id="A-20-R",
            click_id=a20[1],
            days_ago=20,
            amount="300.00",
            commission="30.00",
            status=status,
        )
    sale_ingest(
        shop,
        order_id="A-60",
        click_id=a60[0],
        days_ago=60,
        amount="2000.00",
        commission="200.00",
    )
    sale_ingest(
        network,
        order_id="B-2",
        click_id=b2[0],
        days_ago=2,
        amount="50.00",
        currency="USD",
        commission="5.00",
    )
    sale_ingest(shop, order_id="D-2", click_id=d2[0], days_ago=2, commission="100.00")
    sale_ingest(
        shop,
        order_id="C-2",
        click_id=c2[0],
        days_ago=2,
        amount="800.00",
        commission="80.00",
    )
    commissions_approve(now=noon(40))  # only A-60's hold has ended by then
    run = payout_run_create(run_date=noon(39).date())
    payout_run_decide(run=run, paid=True)
    commissions_approve()  # A-20's hold has ended; the sales of 2 days ago wait
    ledger_adjust(creator=creator, amount=Decimal("5.00"), currency="CNY", note="Bonus")
    return {
        "lulu": creator,
        "ann": other_creator,
        "mia": mia,
        "articles": {"A": article_a, "B": article_b, "C": article_c, "D": article_d},
        "links": {"A": a, "B": b, "C": c, "D": d},
    }
