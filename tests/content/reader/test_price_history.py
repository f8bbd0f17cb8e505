"""Prices over time on the reader site: the product page's regular price, lowest
prices and price history charts (server-drawn SVG), and an article's product cards'
"when written · now"."""

import difflib
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import ArticlePage
from content.selectors import article_detail
from products.models import Availability
from tests.content.reader_pages import article_add
from tests.factories import MerchantFactory, OfferFactory
from tests.prices import days_ago, offer_past

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def figures(html: str) -> list[str]:
    return re.findall(r'<figure class="price-chart">.*?</figure>', html, re.S)


@pytest.fixture
def on_sale(articles, creator):
    """A product on sale at Qingcheng (its lowest price of the year after a stock-out
    and a dearer spring) and steady at Mingyue, featured by a published review."""
    offer = OfferFactory(
        product__title="Kettle", merchant=MerchantFactory(name="Qingcheng")
    )
    offer_past(
        offer,
        (300, "1499"),
        (120, "1299"),
        (100, "1299", Availability.OUT_OF_STOCK),
        (60, "1199"),
        (10, "999", Availability.IN_STOCK, "1499"),
    )
    steady = OfferFactory(
        product=offer.product, merchant=MerchantFactory(name="Mingyue")
    )
    offer_past(steady, (200, "1099"))
    article_add(parent=articles, author=creator, product=offer.product, title="Kettle")
    return offer


def test_the_product_page_shows_sales_and_lowest_prices(client, on_sale):
    html = text(client.get(reverse("reader:product", args=[on_sale.product.slug])))
    table = html[html.index('class="offer-table"') : html.index("</table>")]
    sale, steady = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    assert "Qingcheng" in sale and "CN¥999" in sale
    assert re.search(r'<s class="list-price">.*CN¥1,499</s>', sale)
    assert "Lowest in 30 days: CN¥999" in sale
    assert "Lowest price in a year" in sale
    # A price that never moved is no news, nor a regular price that is not above.
    assert "Mingyue" in steady and "list-price" not in steady
    assert "Lowest price in a year" not in steady
    assert "Lowest in 30 days: CN¥1,099" in steady


def test_each_offer_has_an_accessible_chart_without_script_or_inline_style(
    client, on_sale
):
    response = client.get(reverse("reader:product", args=[on_sale.product.slug]))
    html = text(response)
    sale, steady = figures(html)
    assert "Qingcheng" in sale and "Mingyue" in steady
    svg = sale[sale.index("<svg") : sale.index("</svg>")]
    labels = re.search(r'role="img" aria-labelledby="([^"]+)"', svg).group(1).split()
    for label in labels:
        assert f'id="{label}"' in svg
    assert "over the last 365 days" in svg
    summary = "Lowest CN¥999 (from"
    assert summary in svg and summary in sale[sale.index("</svg>") :]
    assert "highest CN¥1,499" in sale and "Now CN¥999." in sale
    assert "Lowest in 90 days: CN¥999" in sale and "Lowest in 365 days" in sale
    # A step line with a stock-out in it: two runs of line and a shaded band.
    path = re.search(r'class="price-chart-line" d="([^"]+)"', svg).group(1)
    assert path.count("M") == 2 and "V" in path
    assert svg.count('class="price-chart-band"') == 1
    # The reader site's CSP allows no script and no inline style.
    assert "<script" not in svg and "style=" not in svg
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "unsafe-inline" not in policy


def test_the_chart_shows_90_days_on_request(client, on_sale):
    url = reverse("reader:product", args=[on_sale.product.slug])
    year = text(client.get(url))
    quarter = text(client.get(url, {"history": "90"}))
    assert 'href="?history=90#price-history"' in year
    assert "over the last 90 days" in quarter
    assert 'href="?history=365#price-history"' in quarter
    # The stock-out began before the 90 days and held at their start: shaded from
    # the left edge; 1,499 and 1,299 are out of the period.
    sale = figures(quarter)[0]
    assert '<rect class="price-chart-band" x="8.0"' in sale
    assert "highest CN¥1,199" in sale
    # Anything else shows the year, as a malformed ?page= shows a page.
    assert "over the last 365 days" in text(client.get(url, {"history": "7"}))
    assert "over the last 365 days" in text(client.get(url, {"history": "x"}))


def test_an_offer_without_history_says_so(client, articles, creator):
    product = OfferFactory().product
    article_add(parent=articles, author=creator, product=product, title="New")
    html = text(client.get(reverse("reader:product", args=[product.slug])))
    assert "No price recorded in this period." in html
    assert "Lowest in 30 days" not in html


def _queries(client, url) -> list[str]:
    for _warm_up in range(2):  # renditions and links are made on the first views
        client.get(url)
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


def test_product_page_queries_do_not_grow_with_offers_or_history(
    client, articles, creator
):
    counts = []
    for size in (1, 6):
        product = OfferFactory(product__title=f"Size {size}").product
        for _ in range(size - 1):
            OfferFactory(product=product)
        for offer in product.offers.all():
            offer_past(offer, (300, "150"), (100, "120"), (10, "110"))
        article_add(
            parent=articles, author=creator, product=product, title=f"Size {size}"
        )
        counts.append(
            len(_queries(client, reverse("reader:product", args=[product.slug])))
        )
    assert counts[0] == counts[1]


# -- An article's product cards: the price when written against today's -------------


def _card(product) -> dict:
    return {"type": "product_card", "value": {"product": product.pk}}


def test_cards_show_the_price_when_the_article_was_written(client, articles, creator):
    cheaper = OfferFactory(merchant=MerchantFactory(name="Qingcheng"))
    offer_past(cheaper, (90, "1299"), (10, "999", Availability.IN_STOCK, "1299"))
    dearer = OfferFactory(merchant=MerchantFactory(name="Mingyue"))
    offer_past(dearer, (90, "100"), (10, "108"))
    same = OfferFactory(merchant=MerchantFactory(name="Steady"))
    offer_past(same, (90, "50"))
    page = article_add(
        parent=articles,
        author=creator,
        product=cheaper.product,
        title="Written",
        body=[_card(dearer.product), _card(same.product)],
    )
    ArticlePage.objects.filter(pk=page.pk).update(first_published_at=days_ago(30))
    html = text(client.get(page.url))
    written = re.findall(r'<span class="price-written">(.*?)</span></span>', html)
    assert len(written) == 2  # a price that did not change says nothing
    cheaper_line, dearer_line = written
    # The article is in Chinese: its words and prices as Chinese readers read them.
    assert "写作时 ¥1,299 · 现在 ¥999" in cheaper_line
    assert "price-down" in cheaper_line and "(−23%)" in cheaper_line
    assert "写作时 ¥100 · 现在 ¥108" in dearer_line
    assert "price-up" in dearer_line and "(+8%)" in dearer_line
    assert re.search(r'<s class="list-price">.*¥1,299</s>', html)


def test_article_queries_do_not_grow_with_cards(client, articles, creator):
    counts = []
    # A first article only warms up: in this module the first image's social
    # rendition (fill-1200x630) is remade on each view, whatever the prices.
    for size in (1, 1, 8):
        offers = [OfferFactory() for _ in range(size)]
        for offer in offers:
            offer_past(offer, (90, "300"), (10, "250"))
        page = article_add(
            parent=articles,
            author=creator,
            product=offers[0].product,
            title=f"Cards {size} {len(counts)}",
            body=[_card(offer.product) for offer in offers],
        )
        ArticlePage.objects.filter(pk=page.pk).update(first_published_at=days_ago(30))
        counts.append(_queries(client, page.url))
        html = text(client.get(page.url))
        assert html.count('class="price-written"') == size + 1
    assert len(counts[1]) == len(counts[2]), "\n".join(
        difflib.unified_diff(counts[1], counts[2], lineterm="", n=0)
    )


def test_a_draft_never_published_has_no_price_when_written(articles, creator):
    offer = OfferFactory()
    offer_past(offer, (90, "300"), (10, "250"))
    page = article_add(
        parent=articles,
        author=creator,
        product=offer.product,
        title="Draft",
        publish=False,
    )
    detail = article_detail(article=page, links={}, base_url="", disclosure="")
    [shown] = detail["product"]["offers"]
    assert shown["price"] == "250.00" and shown["price_when_written"] is None
    assert shown["lowest_price"] == {"30": "250.00", "90": "250.00", "365": "250.00"}
