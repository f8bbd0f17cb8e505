"""What search engines read: head tags, JSON-LD, the sitemap and robots.txt."""

import json
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from products.models import Availability
from tests.conftest import FOREIGN_HOST, guide_create, review_create
from tests.content.reader_pages import article_add, image_create
from tests.factories import MerchantFactory, OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ORIGIN = "http://testserver"  # ZHONGCAO_PUBLIC_BASE_URL in the test settings


def head(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup) -> list[dict]:
    return [
        json.loads(script.string)
        for script in soup.find_all("script", type="application/ld+json")
    ]


def meta(soup, **attrs) -> str:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else ""


@pytest.fixture
def site_pages(articles, creator, product):
    product.image = image_create("Kettle")
    product.save()
    review = article_add(
        parent=articles,
        author=creator,
        product=product,
        title="Kettle review",
        tags=["coffee"],
        search_description="",
    )
    guide = guide_create(
        parent=articles, author=creator, products=[product, OfferFactory().product]
    )
    return review, guide


PAGES = {
    "home": "/",
    "articles": "/articles/",
    "review": "/articles/kettle-review/",
    "guide": "/articles/a-guide/",
    "tag": "/tags/coffee/",
    "creator": "/creators/lulu/",
    "product": "/products/product-0/",
    "search": "/search/?q=kettle",
}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_title_description_canonical_and_open_graph(
    client, site_pages, product, name
):
    url = PAGES[name].replace("product-0", product.slug)
    soup = head(client, url)
    title = soup.title.string
    assert title and "Zhongcao" in title
    assert meta(soup, name="description")
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == ORIGIN + url.split("?")[0]
    assert meta(soup, property="og:url") == canonical
    assert meta(soup, property="og:title")
    assert meta(soup, property="og:type") in {
        "website",
        "article",
        "product",
        "profile",
    }
    assert meta(soup, property="og:description")
    assert soup.find("a", class_="skip-link")["href"] == "#main"
    assert soup.find("main", id="main")
    assert soup.html["lang"]


def json_ld_urls(data) -> list[str]:
    """Every "url", "image" and "target" in schema.org data, however nested."""
    if isinstance(data, list):
        return [url for item in data for url in json_ld_urls(item)]
    if not isinstance(data, dict):
        return []
    found = [
        value
        for key, value in data.items()
        if key in ("url", "image", "target") and isinstance(value, str)
    ]
    return found + [url for value in data.values() for url in json_ld_urls(value)]


@pytest.mark.parametrize("name", PAGES)
def test_absolute_urls_start_from_the_public_base_url_not_the_host_header(
    public_base_url, site_pages, product, name
):
    client = Client(HTTP_HOST=FOREIGN_HOST)
    url = PAGES[name].replace("product-0", product.slug)
    response = client.get(url)
    assert response.status_code == 200, url
    assert "evil.example" not in response.content.decode()
    soup = BeautifulSoup(response.content, "html.parser")
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == public_base_url + url.split("?")[0]
    assert meta(soup, property="og:url") == canonical
    urls = json_ld_urls(json_ld(soup)) + [meta(soup, property="og:image")]
    for absolute in filter(None, urls):
        assert absolute.startswith(public_base_url + "/"), absolute


def test_the_sitemap_and_robots_txt_use_the_public_base_url(
    public_base_url, site_pages, product
):
    client = Client(HTTP_HOST=FOREIGN_HOST)
    locations = sitemap_locations(client)
    review, _guide = site_pages
    assert public_base_url + "/" in locations
    assert public_base_url + review.url in locations
    assert public_base_url + "/tags/coffee/" in locations
    assert public_base_url + f"/products/{product.slug}/" in locations
    assert all(location.startswith(public_base_url + "/") for location in locations)
    robots = client.get("/robots.txt").content.decode().splitlines()
    assert f"Sitemap: {public_base_url}/sitemap.xml" in robots


def test_article_head_describes_the_article(client, site_pages):
    review, _guide = site_pages
    soup = head(client, review.url)
    assert soup.title.string == "Kettle review · Zhongcao 种草"
    assert meta(soup, name="description") == "A short summary."
    assert meta(soup, property="og:type") == "article"
    assert meta(soup, property="og:locale") == "zh_CN"
    image = meta(soup, property="og:image")
    assert image.startswith(ORIGIN + "/") and ".fill-1200x630" in image
    assert soup.find("article")["lang"] == "zh-hans"


def test_review_json_ld(client, site_pages, product, creator):
    review, _guide = site_pages
    (data,) = json_ld(head(client, review.url))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Review"
    assert data["name"] == "Kettle review"
    assert data["url"] == ORIGIN + review.url
    assert data["inLanguage"] == "zh-Hans"
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": "8.5",
        "bestRating": "10",
        "worstRating": "0",
    }
    item = data["itemReviewed"]
    assert item["@type"] == "Product"
    assert item["name"] == product.title
    assert item["brand"] == {"@type": "Brand", "name": "Acme"}
    assert item["url"] == ORIGIN + reverse("reader:product", args=[product.slug])
    assert data["author"] == {
        "@type": "Person",
        "name": creator.public_name,
        "url": ORIGIN + "/creators/lulu/",
    }
    assert data["datePublished"]


def test_guide_json_ld_lists_its_ranked_picks(client, site_pages):
    _review, guide = site_pages
    blocks = json_ld(head(client, guide.url))
    assert [block["@type"] for block in blocks] == ["Article", "ItemList"]
    item_list = blocks[1]
    assert item_list["numberOfItems"] == 2
    elements = item_list["itemListElement"]
    assert [element["position"] for element in elements] == [1, 2]
    assert all(element["@type"] == "ListItem" for element in elements)
    assert [element["item"]["@type"] for element in elements] == ["Product"] * 2
    assert [element["item"]["name"] for element in elements] == [
        pick.value["product"].title for pick in guide.picks
    ]


def test_product_json_ld_has_its_offers(client, product):
    OfferFactory(
        product=product,
        merchant=MerchantFactory(name="Tokyo Shop", currency="JPY"),
        price=Decimal("1000"),
        currency="JPY",
        availability=Availability.DISCONTINUED,
    )
    product.gtin = "4006381333931"
    product.save()
    soup = head(client, reverse("reader:product", args=[product.slug]))
    (data,) = json_ld(soup)
    assert data["@type"] == "Product"
    assert data["gtin"] == "4006381333931"
    offers = data["offers"]
    assert [offer["@type"] for offer in offers] == ["Offer", "Offer"]
    assert offers[0]["price"] == "199.00" and offers[0]["priceCurrency"] == "CNY"
    assert offers[0]["availability"] == "https://schema.org/InStock"
    assert offers[1]["price"] == "1000" and offers[1]["priceCurrency"] == "JPY"
    assert offers[1]["availability"] == "https://schema.org/Discontinued"
    assert offers[1]["seller"] == {"@type": "Organization", "name": "Tokyo Shop"}
    assert meta(soup, property="og:type") == "product"


def test_home_json_ld_describes_the_site_search(client, home):
    (data,) = json_ld(head(client, "/"))
    assert data["@type"] == "WebSite"
    assert (
        data["potentialAction"]["target"] == ORIGIN + "/search/?q={search_term_string}"
    )


def test_json_ld_cannot_break_out_of_its_script(client, articles, creator, product):
    title = '</script><script>alert("x")</script> & <!--'
    page = review_create(
        parent=articles, author=creator, product=product, title=title, slug="evil"
    )
    html = client.get(page.url).content.decode()
    (script,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    assert "<" not in script and ">" not in script
    assert json.loads(script)["name"] == title
    assert '<script>alert("x")' not in html


def test_lists_past_the_first_page_are_their_own_canonical(
    client, articles, creator, product
):
    for number in range(14):
        article_add(
            parent=articles,
            author=creator,
            product=product,
            title=f"Review {number}",
            tags=["many"],
        )
    soup = head(client, "/tags/many/?page=2")
    assert soup.find("link", rel="canonical")["href"] == ORIGIN + "/tags/many/?page=2"


def test_search_results_are_not_indexed(client):
    soup = head(client, "/search/?q=kettle")
    assert meta(soup, name="robots") == "noindex, follow"
    assert not meta(head(client, "/"), name="robots")


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_sitemap_lists_published_pages_tags_creators_and_products_but_no_drafts(
    client, articles, creator, other_creator, product
):
    published = article_add(
        parent=articles, author=creator, product=product, title="Out", tags=["seen"]
    )
    hidden_product = OfferFactory().product
    draft = article_add(
        parent=articles,
        author=other_creator,
        product=hidden_product,
        title="Not yet",
        tags=["unseen"],
        publish=False,
    )
    locations = sitemap_locations(client)
    assert ORIGIN + "/" in locations
    assert ORIGIN + published.url in locations
    assert ORIGIN + "/articles/not-yet/" not in locations
    assert draft.url is None or ORIGIN + draft.url not in locations
    assert ORIGIN + "/tags/seen/" in locations
    assert ORIGIN + "/tags/unseen/" not in locations
    assert ORIGIN + "/creators/lulu/" in locations
    assert ORIGIN + "/creators/ann/" not in locations  # only a draft
    assert ORIGIN + reverse("reader:product", args=[product.slug]) in locations
    assert (
        ORIGIN + reverse("reader:product", args=[hidden_product.slug]) not in locations
    )
    for index in ("/products/", "/creators/", "/tags/"):
        assert ORIGIN + index in locations


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    for rule in ("Disallow: /admin/", "Disallow: /go/", "Disallow: /api/"):
        assert rule in lines
    assert "Allow: /api/docs" in lines
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines
