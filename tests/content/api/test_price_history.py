"""Prices over time in the API: offers' list_price, lowest_price and (in articles)
price_when_written, and GET /api/products/{slug}/price-history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import ArticlePage
from products.models import Availability
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory
from tests.prices import days_ago, offer_past

pytestmark = pytest.mark.django_db


@pytest.fixture
def kettle():
    """On sale at Qingcheng after a stock-out; in dollars at Brightwell."""
    offer = OfferFactory(
        product__slug="kettle", merchant=MerchantFactory(name="Qingcheng")
    )
    offer_past(
        offer,
        (300, "1499"),
        (120, "1299"),
        (100, "1299", Availability.OUT_OF_STOCK),
        (60, "1199"),
        (10, "999", Availability.IN_STOCK, "1499"),
    )
    dollars = OfferFactory(
        product=offer.product,
        merchant=MerchantFactory(name="Brightwell", currency="USD"),
        currency="USD",
        url="https://www.shop.example/usd",
    )
    offer_past(dollars, (200, "179"), (50, "159", Availability.IN_STOCK, "150"))
    return offer


def offers_by_id(data: dict) -> dict[int, dict]:
    return {offer["id"]: offer for offer in data["offers"]}


def test_offers_carry_their_regular_price_and_lowest_prices(client, kettle):
    detail = client.get("/api/products/kettle").json()
    sale = offers_by_id(detail)[kettle.pk]
    assert sale["price"] == "999.00" and sale["list_price"] == "1499.00"
    assert sale["lowest_price"] == {"30": "999.00", "90": "999.00", "365": "999.00"}
    assert sale["price_when_written"] is None  # only in articles
    [dollars] = [offer for offer in detail["offers"] if offer["currency"] == "USD"]
    # A regular price below the price is no sale.
    assert dollars["list_price"] is None
    assert dollars["lowest_price"] == {"30": "159.00", "90": "159.00", "365": "159.00"}
    listing = client.get("/api/products", {"q": kettle.product.title}).json()
    assert offers_by_id(listing["items"][0])[kettle.pk]["lowest_price"]["30"] == (
        "999.00"
    )


def test_lowest_prices_leave_out_stock_outs_and_ended_states(client):
    offer = OfferFactory(product__slug="gone")
    offer_past(
        offer,
        (200, "50"),
        (100, "80"),
        (45, "60", Availability.OUT_OF_STOCK),
        (20, "90", Availability.OUT_OF_STOCK),
    )
    [shown] = client.get("/api/products/gone").json()["offers"]
    # 50 ended before the 90 days; 60 could not be bought; nothing in 30 days.
    assert shown["lowest_price"] == {"30": None, "90": "80.00", "365": "50.00"}


def test_an_articles_offers_carry_their_price_when_written(
    client, articles, creator, kettle
):
    page = review_create(parent=articles, author=creator, product=kettle.product)
    ArticlePage.objects.filter(pk=page.pk).update(first_published_at=days_ago(30))
    body = client.get(f"/api/articles/{page.pk}").json()
    offers = offers_by_id(body["product"])
    written = offers[kettle.pk]["price_when_written"]
    assert written["price"] == "1199.00" and written["currency"] == "CNY"
    assert written["availability"] == "in_stock"
    assert written["change_percent"] == -17  # 999 against 1,199
    assert offers[kettle.pk]["list_price"] == "1499.00"


def test_price_history_of_every_offer_or_one(client, kettle):
    response = client.get("/api/products/kettle/price-history", {"days": 90})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["product"] == "kettle" and data["days"] == 90
    history = {offer["offer_id"]: offer for offer in data["offers"]}
    sale = history[kettle.pk]
    assert sale["merchant"] == "Qingcheng" and sale["currency"] == "CNY"
    # The stock-out began before the 90 days and held at their start.
    assert [
        (point["price"], point["list_price"], point["availability"])
        for point in sale["points"]
    ] == [
        ("1299.00", None, "out_of_stock"),
        ("1199.00", None, "in_stock"),
        ("999.00", "1499.00", "in_stock"),
    ]
    assert sale["points"][0]["recorded_at"] < data["since"]
    assert sale["lowest_price"]["90"] == "999.00"
    one = client.get("/api/products/kettle/price-history", {"offer": kettle.pk}).json()
    assert [offer["offer_id"] for offer in one["offers"]] == [kettle.pk]
    assert len(one["offers"][0]["points"]) == 5 and one["days"] == 365


def test_price_history_refuses_bad_input_clearly(client, kettle):
    url = "/api/products/kettle/price-history"
    foreign = OfferFactory()
    response = client.get(url, {"offer": foreign.pk})
    assert response.status_code == 404 and "offer" in response.json()["detail"]
    assert client.get("/api/products/nothing/price-history").status_code == 404
    for params, field in (
        ({"days": 0}, "days"),
        ({"days": "x"}, "days"),
        ({"days": 99999}, "days"),
        ({"offer": "x"}, "offer"),
        ({"offer": 0}, "offer"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert field in response.json()["detail"], params


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_offers_or_history(client, articles, creator):
    history, listing, articles_counts = [], [], []
    for size in (1, 6):
        products = []
        for number in range(size):
            offer = OfferFactory(product__title=f"Size {size} {number}")
            OfferFactory(product=offer.product, price="250")
            for each in offer.product.offers.all():
                offer_past(each, (300, "150"), (100, "120"), (10, "110"))
            products.append(offer.product)
        history.append(
            _queries(client, f"/api/products/{products[0].slug}/price-history")
        )
        listing.append(_queries(client, f"/api/products?q=Size {size}"))
        page = review_create(
            parent=articles,
            author=creator,
            product=products[0],
            title=f"Size {size}",
            body=[
                {"type": "product_card", "value": {"product": product.pk}}
                for product in products
            ],
        )
        ArticlePage.objects.filter(pk=page.pk).update(first_published_at=days_ago(30))
        articles_counts.append(_queries(client, f"/api/articles/{page.pk}"))
    assert history[0] == history[1]
    assert listing[0] == listing[1]
    assert articles_counts[0] == articles_counts[1]


def test_openapi_describes_the_new_fields_and_endpoint(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    offer = schemas["OfferOut"]["properties"]
    assert {"list_price", "lowest_price", "price_when_written"} <= set(offer)
    assert {"PriceHistory", "OfferPriceHistory", "PricePoint"} <= set(schemas)
    assert "/api/products/{slug}/price-history" in document["paths"]


def test_a_product_without_history_has_no_lowest_prices(client):
    product = ProductFactory(slug="fresh")
    OfferFactory(product=product)
    [offer] = client.get("/api/products/fresh").json()["offers"]
    assert offer["lowest_price"] == {"30": None, "90": None, "365": None}
    data = client.get("/api/products/fresh/price-history").json()
    assert data["offers"][0]["points"] == []
