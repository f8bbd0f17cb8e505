"""A merchant feed's sync tells frontends once per batch (content.webhooks.services,
products.feeds.services): one ``product.changed`` event naming every product whose
offers the batch changed, and the articles featuring them; a sync that changes
nothing sends nothing. The feed and the webhook receiver are real HTTP servers
started by the test, and every transaction really commits."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from content.models import WebhookDelivery
from products.feeds.parse import feed_entries
from products.feeds.services import merchant_feed_apply
from products.models import Availability
from tests.conftest import review_create
from tests.content.webhook_endpoints import endpoint_add, events_of
from tests.factories import MerchantFactory, OfferFactory, ProductFactory
from tests.feedserver import FeedServer

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.slow,
]

ITEM = (
    "<item><g:id>F-{n}</g:id><title>Item {n}</title>"
    "<link>https://www.shop.example/item/{n}</link>"
    "<g:price>{price} CNY</g:price><g:availability>{availability}</g:availability>"
    "</item>\n"
)


def feed(items: list[tuple[int, str, str]]) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:g="http://base.google.com/ns/1.0"><channel><title>Shop</title>\n'
        + "".join(
            ITEM.format(n=n, price=price, availability=availability)
            for n, price, availability in items
        )
        + "</channel></rss>"
    ).encode()


@pytest.fixture
def feeds(local_servers_allowed):
    with FeedServer() as server:
        yield server


def connect(merchant, url: str) -> None:
    call_command(
        "connection",
        merchant.slug,
        "--kind",
        "merchant-feed",
        "--set",
        f"url={url}",
        stdout=io.StringIO(),
    )


def sync(merchant) -> str:
    out = io.StringIO()
    call_command("sync_offers", merchant.slug, "--no-progress", stdout=out)
    return out.getvalue()


def test_a_sync_of_500_offers_of_300_products_sends_one_event_then_none(
    feeds, receiver, articles, creator, client
):
    shop = MerchantFactory(slug="mingyue")
    products = ProductFactory.create_batch(300)
    for n in range(500):
        OfferFactory(
            merchant=shop,
            product=products[n % 300],
            feed_item_id=f"F-{n}",
            url=f"https://www.shop.example/item/{n}",
            price=Decimal("100.00"),
        )
    untouched = OfferFactory(
        merchant=shop, feed_item_id="F-999", url="https://www.shop.example/item/999"
    )
    review = review_create(parent=articles, author=creator, product=products[7])
    endpoint_add(receiver.url(), events=["product.changed"])
    # Every offer changes: a new price, and every other one out of stock.
    feeds.feeds["/feed.xml"] = feed(
        [
            (n, f"{90 + n % 7}.00", "out_of_stock" if n % 2 else "in_stock")
            for n in range(500)
        ]
        + [(999, "199.00", "in_stock")]  # as it is
    )

    # What a frontend or a CDN holds: the answers and their ETags before the sync.
    answers = [f"/api/products/{products[7].slug}", f"/api/articles/{review.pk}"]
    etags = [client.get(url)["ETag"] for url in answers]
    connect(shop, feeds.url("/feed.xml"))
    output = sync(shop)

    assert "updated 500, unchanged 1" in output
    events = events_of(receiver)
    assert len(events) == 1
    assert WebhookDelivery.objects.count() == 1
    data = events[0]["data"]
    assert events[0]["type"] == "product.changed"
    assert sorted(data["ids"]) == sorted(product.pk for product in products)
    assert untouched.product_id not in data["ids"]
    assert sorted(data["slugs"]) == sorted(product.slug for product in products)
    assert data["slug"] == ""  # several products: slugs names them
    assert data["article_ids"] == [review.pk]
    assert data["paths"] == ["/articles/a-review/"]
    assert shop.offers.filter(availability=Availability.OUT_OF_STOCK).count() == 250
    # Nothing on the server keeps the old answers: a revalidation gets the new one.
    for url, etag in zip(answers, etags, strict=True):
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert response["ETag"] != etag

    # The same feed again changes nothing and tells nobody.
    output = sync(shop)
    assert "updated 0, unchanged 501" in output
    assert len(events_of(receiver)) == 1
    assert WebhookDelivery.objects.count() == 1


def test_each_batch_is_one_event_naming_only_its_products(receiver):
    shop = MerchantFactory(slug="mingyue")
    offers = [
        OfferFactory(
            merchant=shop,
            feed_item_id=f"F-{n}",
            url=f"https://www.shop.example/item/{n}",
            price=Decimal("100.00"),
        )
        for n in range(5)
    ]
    endpoint_add(receiver.url(), events=["product.changed"])
    # Items 0, 1 and 3 change; the feed is applied two items at a time.
    body = feed(
        [(n, "80.00" if n in (0, 1, 3) else "100.00", "in_stock") for n in range(5)]
    )

    summary = merchant_feed_apply(
        merchant=shop, entries=feed_entries(io.BytesIO(body)), batch_size=2
    )

    assert (summary.updated, summary.unchanged) == (3, 2)
    # Batches [0, 1], [2, 3], [4]: the last changes nothing and sends nothing.
    assert [event["data"]["ids"] for event in events_of(receiver)] == [
        [offers[0].product_id, offers[1].product_id],
        [offers[3].product_id],
    ]


def test_giving_an_offer_its_feed_item_id_alone_tells_nobody(receiver):
    shop = MerchantFactory(slug="mingyue")
    offer = OfferFactory(
        merchant=shop,
        product=ProductFactory(gtin="4006381333931"),
        price=Decimal("100.00"),
    )
    endpoint_add(receiver.url(), events=["product.changed"])
    body = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:g="http://base.google.com/ns/1.0"><channel><title>Shop</title>'
        "<item><g:id>F-1</g:id><g:gtin>4006381333931</g:gtin>"
        f"<link>{offer.url}</link><g:price>100.00 CNY</g:price>"
        "<g:availability>in_stock</g:availability></item></channel></rss>"
    ).encode()

    summary = merchant_feed_apply(merchant=shop, entries=feed_entries(io.BytesIO(body)))

    offer.refresh_from_db()
    assert (summary.updated, offer.feed_item_id) == (1, "F-1")
    assert events_of(receiver) == []
