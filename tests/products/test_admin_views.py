"""The catalog in the admin: the product listing shows each product's picture, price
range, stock and number of offers; the product chooser (creators embedding a
product) its picture, best price in stock, merchant and stock. Each page reads a
fixed number of queries, however many products and offers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.users.models import UserProfile

from products.models import Availability
from tests.factories import MerchantFactory, OfferFactory, ProductFactory, image_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

LISTING = "wagtailsnippets_products_product:list"
CHOOSER = "wagtailsnippetchoosers_products_product:choose"
CHOOSER_RESULTS = "wagtailsnippetchoosers_products_product:choose_results"


def catalog(count: int, *, start: int = 0) -> list:
    """``count`` products, each with an image and three offers: two merchants in
    CNY (one out of stock) and one in USD."""
    products = []
    for number in range(start, start + count):
        product = ProductFactory(
            title=f"耳机 WH-{number}", image=image_create(title=f"wh{number}")
        )
        OfferFactory(
            product=product,
            merchant=MerchantFactory(name=f"京选 {number}"),
            price=Decimal("299.00"),
        )
        OfferFactory(
            product=product,
            merchant=MerchantFactory(name=f"青橙 {number}"),
            price=Decimal("279.00"),
            availability=Availability.OUT_OF_STOCK,
        )
        OfferFactory(
            product=product,
            merchant=MerchantFactory(name=f"Shop US {number}", currency="USD"),
            price=Decimal("39.00"),
            currency="USD",
        )
        products.append(product)
    return products


def queries_of(client, url: str) -> tuple[int, str]:
    client.get(url)  # the first view makes the thumbnails' renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def chinese(user):
    """``user`` reads the admin in Chinese (their Wagtail profile says so)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    return user


def test_the_product_listing_shows_prices_stock_and_offers(client, editor):
    catalog(1)
    client.force_login(editor)
    html = client.get(reverse(LISTING)).content.decode()
    # Price ranges per currency, the market currency of the admin's language first.
    assert "39.00 USD · 279.00–299.00 CNY" in html
    assert "2 of 3 in stock" in html
    assert '<img class="product-thumbnail"' in html
    assert "<th" in html and ">Offers<" in html.replace("\n", "").replace(" ", "")


def test_a_product_without_image_or_offers_says_so(client, editor):
    ProductFactory(title="Lonely lamp")
    client.force_login(editor)
    html = client.get(reverse(LISTING)).content.decode()
    assert "product-thumbnail--empty" in html
    assert "No offers" in html


def test_the_product_listing_reads_a_fixed_number_of_queries(client, editor):
    client.force_login(editor)
    catalog(2)
    few, _html = queries_of(client, reverse(LISTING))
    catalog(8, start=2)
    many, html = queries_of(client, reverse(LISTING))
    assert html.count("2 of 3 in stock") == 10
    assert many == few


def test_the_chooser_shows_image_best_price_merchant_and_stock(client, creator):
    catalog(1)
    client.force_login(chinese(creator.user))
    response = client.get(reverse(CHOOSER))
    assert response.status_code == 200
    html = response.json()["html"]
    # The cheapest offer in stock (the 279.00 one is out of stock), in CNY first.
    assert "299.00 CNY" in html
    assert "京选 0" in html
    assert "青橙 0" not in html
    assert "3 个报价中 2 个有货" in html
    assert '<img class="product-thumbnail"' in html


def test_an_english_creator_sees_the_best_price_in_dollars_first(client, creator):
    catalog(1)
    client.force_login(creator.user)
    html = client.get(reverse(CHOOSER)).json()["html"]
    assert "39.00 USD" in html
    assert "Shop US 0" in html
    assert "2 of 3 in stock" in html


def test_a_product_in_stock_nowhere_is_shown_so_in_the_chooser(client, creator):
    OfferFactory(availability=Availability.OUT_OF_STOCK, product__title="Gone")
    client.force_login(creator.user)
    html = client.get(reverse(CHOOSER)).json()["html"]
    assert "Not in stock anywhere" in html
    assert "0 of 1 in stock" in html


def test_the_chooser_reads_a_fixed_number_of_queries(client, creator):
    client.force_login(creator.user)
    catalog(2)
    few, _html = queries_of(client, reverse(CHOOSER_RESULTS))
    catalog(7, start=2)
    many, html = queries_of(client, reverse(CHOOSER_RESULTS))
    assert html.count("2 of 3 in stock") == 9
    assert many == few


def test_a_search_in_the_chooser_keeps_its_columns_and_queries(client, creator):
    client.force_login(creator.user)
    catalog(2)
    ProductFactory(title="Sonari WH-7", image=None)
    url = f"{reverse(CHOOSER_RESULTS)}?q=Sonari"
    few, html = queries_of(client, url)
    assert "Sonari WH-7" in html and "耳机 WH-0" not in html
    assert "No offers" in html
    for number in range(4):
        OfferFactory(product__title=f"Sonari S{number}")
    many, html = queries_of(client, url)
    assert html.count("1 of 1 in stock") == 4
    assert many == few
