"""What readers see of offers and of an article's language: a button only for what can
be bought, leading where it says; prices, dates and labels in the article's language;
the market's currency first; when each price was checked; the phone's buy bar."""

import datetime
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import ArticlePage
from products.models import Availability, Offer
from tests.conftest import guide_create, review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)
BUTTON = re.compile(
    r'<a href="(/go/[^"]+)" rel="sponsored nofollow" class="buy">(.*?)</a>', re.S
)


def page_html(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def buttons(html: str) -> list[tuple[str, str]]:
    """(href, visible text) of every buy button."""
    return [(href, text_of(label)) for href, label in BUTTON.findall(html)]


def destination(client, href: str) -> str:
    response = client.get(href)
    assert response.status_code == 302, href
    return response["Location"]


@pytest.fixture
def headphones(db):
    """One product, three offers: the cheapest Chinese one is out of stock, and the
    dollar one has the smallest number."""
    product = ProductFactory(title="WH-7", slug="wh-7")
    offers = {
        "mingyue": OfferFactory(
            product=product,
            merchant=MerchantFactory(name="Mingyue", currency="CNY"),
            price=Decimal("1299.00"),
            currency="CNY",
        ),
        "qingcheng": OfferFactory(
            product=product,
            merchant=MerchantFactory(name="Qingcheng", currency="CNY"),
            price=Decimal("1279.00"),
            currency="CNY",
            availability=Availability.OUT_OF_STOCK,
        ),
        "brightwell": OfferFactory(
            product=product,
            merchant=MerchantFactory(name="Brightwell", currency="USD"),
            price=Decimal("179.00"),
            currency="USD",
        ),
    }
    return product, offers


def published_on(page, when=PUBLISHED):
    ArticlePage.objects.filter(pk=page.pk).update(first_published_at=when)
    return page


@pytest.fixture
def chinese_review(articles, creator, headphones):
    product, _offers = headphones
    page = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="WH-7 评测",
        slug="wh-7-review",
        body=[
            {
                "type": "comparison_table",
                "value": {"caption": "对比", "products": [product.pk], "rows": []},
            }
        ],
    )
    return published_on(page)


@pytest.fixture
def english_review(articles, creator, headphones):
    product, _offers = headphones
    page = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="WH-7 review",
        slug="wh-7-review-en",
    )
    page.language = "en"
    page.save_revision(user=page.owner).publish()
    return published_on(page)


# 2. Nothing looks buyable that is not, and no button leads anywhere but where it says.


def test_an_offer_out_of_stock_is_shown_as_such_and_never_as_a_buy_button(
    client, chinese_review, headphones
):
    _product, offers = headphones
    html = page_html(client, chinese_review.url, "zh-hans")

    shown = buttons(html)
    assert shown, html
    assert not [text for _href, text in shown if "Qingcheng" in text], shown
    unavailable = re.findall(r'<li class="offer-unavailable">(.*?)</li>', html, re.S)
    assert unavailable and all(
        "Qingcheng" in text_of(item) and "缺货" in text_of(item) for item in unavailable
    ), unavailable
    # Every button names the merchant and the price it really leads to.
    by_merchant = {offer.merchant.name: offer for offer in offers.values()}
    for href, text in shown:
        named = [name for name in by_merchant if name in text]
        assert len(named) == 1, text
        offer = by_merchant[named[0]]
        assert offer.availability == Availability.IN_STOCK
        assert destination(client, href).startswith(offer.url), (text, href)


def test_comparison_tables_mark_availability_and_link_only_what_is_in_stock(
    client, chinese_review
):
    html = page_html(client, chinese_review.url, "zh-hans")
    table = html[html.index('<table class="comparison">') :]
    table = table[: table.index("</table>")]
    cells = re.findall(r"<li[^>]*>(.*?)</li>", table, re.S)
    sold_out = [text_of(cell) for cell in cells if "Qingcheng" in cell]
    assert sold_out == ["¥1,279 Qingcheng 缺货"], cells
    assert "<a " not in next(cell for cell in cells if "Qingcheng" in cell)
    in_stock = [cell for cell in cells if "Mingyue" in cell]
    assert "有货" in text_of(in_stock[0]) and '<a href="/go/' in in_stock[0]


def test_the_api_says_where_the_link_of_an_offer_out_of_stock_goes(
    client, chinese_review, headphones
):
    _product, offers = headphones
    client.get(chinese_review.url)  # links are made when the page is first shown
    body = client.get(f"/api/articles/{chinese_review.pk}").json()
    listed = {offer["merchant"]: offer for offer in body["product"]["offers"]}

    sold_out = listed["Qingcheng"]["link"]
    assert sold_out["goes_to"] == {
        "offer_id": offers["mingyue"].pk,
        "merchant": "Mingyue",
        "price": "1299.00",
        "currency": "CNY",
        "availability": "in_stock",
    }
    assert destination(client, urlsplit(sold_out["url"]).path).startswith(
        offers["mingyue"].url
    )
    assert listed["Mingyue"]["link"]["goes_to"]["offer_id"] == offers["mingyue"].pk


# 4. A page speaks its article's language; the site's chrome speaks the reader's.


def test_a_chinese_article_read_with_an_english_browser_speaks_chinese(
    client, chinese_review
):
    html = page_html(client, chinese_review.url, "en")
    assert '<html lang="zh-hans">' in html
    article = text_of(html[html.index("<article") : html.index("</article>")])
    for chinese in ("查看价格", "作者", "2026年12月5日", "对比"):
        assert chinese in article, chinese
    for english in ("Check price", "By ", "Price", "Out of stock", "2026-12-05"):
        assert english not in article, english
    # The chrome is the reader's, and says so.
    assert '<header class="site-header" lang="en">' in html
    footer = html[html.index("<footer") :]
    assert 'lang="en"' in footer and "Creators earn a commission" in footer


def test_an_english_article_read_with_a_chinese_browser_speaks_english(
    client, english_review
):
    html = page_html(client, english_review.url, "zh-hans")
    assert '<html lang="en">' in html
    article = text_of(html[html.index("<article") : html.index("</article>")])
    assert "Check price" in article and "5 Dec 2026" in article
    assert "By Lulu" in article
    for chinese in ("查看价格", "作者", "年"):
        assert chinese not in article, chinese
    footer = html[html.index("<footer") :]
    assert 'lang="zh-hans"' in footer and "佣金" in footer


def test_article_cards_date_an_article_in_its_own_language(
    client, chinese_review, english_review
):
    html = page_html(client, reverse("reader:creator", args=["lulu"]), "en")
    assert "2026年12月5日" in html and "5 Dec 2026" in html
    assert "2026-12-05<" not in html


# 5. Prices as people write them, the market's currency first, and how fresh.


def test_a_chinese_article_lists_yuan_first_and_formats_prices_as_chinese_readers_do(
    client, chinese_review
):
    html = page_html(client, chinese_review.url, "en")
    verdict = html[html.index('class="verdict"') :]
    offers = re.findall(
        r'<li class="offer-[a-z]+">(.*?)</li>', verdict[: verdict.index("</ul>")], re.S
    )
    assert [
        text_of(offer).split(" price")[0].split(" 价格")[0] for offer in offers
    ] == [
        "查看价格 · Mingyue · ¥1,299",
        "查看价格 · Brightwell · US$179",
        "Qingcheng · ¥1,279 缺货",
    ]
    assert "1299.00" not in html and "CNY" not in text_of(html)


def test_an_english_article_lists_dollars_first(client, english_review):
    html = page_html(client, english_review.url, "zh-hans")
    shown = [text for _href, text in buttons(html)]
    assert shown[:2] == [
        "Check price · Brightwell · US$179",
        "Check price · Mingyue · CN¥1,299",
    ]


def test_each_offer_says_when_its_price_was_checked(client, chinese_review, headphones):
    _product, offers = headphones
    Offer.objects.filter(pk=offers["mingyue"].pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    html = page_html(client, chinese_review.url, "en")
    verdict = html[html.index('class="verdict"') :]
    first = re.search(r'<li class="offer-buyable">(.*?)</li>', verdict, re.S).group(1)
    assert "Mingyue" in first and "价格核实于3天前" in text_of(first)

    english = page_html(
        client, reverse("reader:product", args=["wh-7"]), "en"
    )  # the product page is the reader's
    row = next(
        row for row in re.findall(r"<tr>(.*?)</tr>", english, re.S) if "Mingyue" in row
    )
    assert "CN¥1,299" in row and "price checked 3 days ago" in text_of(row)


def test_the_product_page_lists_the_readers_currency_first(client, headphones):
    url = reverse("reader:product", args=["wh-7"])
    rows = re.findall(r"<tr><td>(.*?)</td>", page_html(client, url, "zh-hans"))
    assert rows == ["Mingyue", "Brightwell", "Qingcheng"]
    rows = re.findall(r"<tr><td>(.*?)</td>", page_html(client, url, "en"))
    assert rows == ["Brightwell", "Mingyue", "Qingcheng"]


# The phone's buy bar: the best offer in stock, with its tracked link.


def buy_bar(html: str) -> str | None:
    match = re.search(r'<aside class="buy-bar[^"]*"[^>]*>(.*?)</aside>', html, re.S)
    return match.group(1) if match else None


def test_a_review_has_a_buy_bar_with_its_best_offer_in_stock(
    client, chinese_review, headphones
):
    _product, offers = headphones
    bar = buy_bar(page_html(client, chinese_review.url, "en"))
    assert bar is not None
    assert "WH-7" in bar and "¥1,299" in bar and "Mingyue" in bar
    (href,) = re.findall(r'href="(/go/[^"]+)" rel="sponsored nofollow"', bar)
    assert destination(client, href).startswith(offers["mingyue"].url)


def test_a_guide_has_a_buy_bar_for_its_first_pick_that_can_be_bought(
    client, articles, creator
):
    sold_out = OfferFactory(availability=Availability.OUT_OF_STOCK).product
    buyable = OfferFactory(price=Decimal("88.50")).product
    guide = guide_create(parent=articles, author=creator, products=[sold_out, buyable])
    bar = buy_bar(page_html(client, guide.url, "zh-hans"))
    assert bar is not None and buyable.title in bar and "¥88.50" in bar
    assert sold_out.title not in bar


def test_no_buy_bar_when_nothing_is_in_stock(client, articles, creator):
    product = OfferFactory(availability=Availability.DISCONTINUED).product
    review = review_create(parent=articles, author=creator, product=product)
    html = page_html(client, review.url, "zh-hans")
    assert buy_bar(html) is None
    assert not buttons(html)


def test_the_product_page_bar_links_through_the_newest_article_that_shows_it(
    client, chinese_review, headphones
):
    _product, offers = headphones
    url = reverse("reader:product", args=["wh-7"])
    client.get(chinese_review.url)  # links are made when the article is first shown
    bar = buy_bar(page_html(client, url, "zh-hans"))
    assert bar is not None and "¥1,299" in bar and "Mingyue" in bar
    assert chinese_review.title in bar
    (href,) = re.findall(r'href="(/go/[^"]+)"', bar)
    assert destination(client, href).startswith(offers["mingyue"].url)


def test_the_product_page_has_no_bar_without_an_article(client, headphones):
    html = page_html(client, reverse("reader:product", args=["wh-7"]), "en")
    assert buy_bar(html) is None
