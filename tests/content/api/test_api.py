"""The content API: articles (list, whole, drafts), products, creators, tags, and
the web conventions (caching, conditional GETs, CORS, rate limits)."""

from decimal import Decimal
from unittest.mock import ANY
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from affiliates.models import TrackedLink
from tests.conftest import FOREIGN_HOST, guide_create, review_create
from tests.factories import OfferFactory, ProductFactory, image_create, token_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def library(articles, creator, other_creator, product):
    """A review and a guide by Lulu, a Chinese review by Ann, and a draft."""
    review = review_create(parent=articles, author=creator, product=product)
    review.language = "en"
    review.tags.add("耳机", "audio")
    review.save_revision().publish()
    guide = guide_create(
        parent=articles, author=creator, products=[product, ProductFactory()]
    )
    guide.language = "en"
    guide.save_revision().publish()
    chinese = review_create(
        parent=articles,
        author=other_creator,
        product=ProductFactory(title="降噪耳机"),
        title="降噪耳机评测",
        slug="anc-review",
    )
    chinese.language = "zh-hans"
    chinese.tags.add("耳机")
    chinese.save_revision().publish()
    review_create(
        parent=articles, author=creator, product=product, title="Draft", publish=False
    )
    return {"review": review, "guide": guide, "chinese": chinese}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_lists_published_articles_newest_first(client, library):
    body = client.get("/api/articles").json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [
        library["chinese"].pk,
        library["guide"].pk,
        library["review"].pk,
    ]
    item = next(i for i in body["items"] if i["id"] == library["review"].pk)
    assert item["type"] == "review"
    assert item["url_path"] == library["review"].url
    assert item["author"] == {"name": "Lulu", "slug": "lulu", "avatar": None}
    assert sorted(item["tags"]) == ["audio", "耳机"]
    assert item["published_at"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "guide"}, ["guide"]),
        ({"type": "review"}, ["chinese", "review"]),
        ({"author": "ann"}, ["chinese"]),
        ({"tag": "audio"}, ["review"]),
        ({"locale": "zh-hans"}, ["chinese"]),
        ({"locale": "en"}, ["guide", "review"]),
        ({"q": "降噪"}, ["chinese"]),
    ],
)
def test_filters(client, library, query, expected):
    assert sorted(ids(client.get("/api/articles", query))) == sorted(
        library[name].pk for name in expected
    )


def test_filter_by_embedded_product(client, library, product):
    assert sorted(
        ids(client.get("/api/articles", {"product": product.slug}))
    ) == sorted([library["review"].pk, library["guide"].pk])


def test_pagination_and_bad_parameters(client, library):
    first = client.get("/api/articles", {"limit": 2}).json()
    second = client.get("/api/articles", {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    for bad in ({"limit": 101}, {"limit": 0}, {"type": "poem"}, {"offset": -1}):
        response = client.get("/api/articles", bad)
        assert response.status_code == 400
        assert next(iter(bad)) in response.content.decode()


def test_tags_with_counts_of_published_articles(client, library):
    tags = client.get("/api/tags").json()
    assert tags[0] == {"name": "耳机", "slug": tags[0]["slug"], "articles": 2}
    assert {"name": "audio", "slug": "audio", "articles": 1} in tags


# -- One whole article ----------------------------------------------------------------


def _card(product) -> dict:
    return {"type": "product_card", "value": {"product": product.pk, "note": "Buy"}}


@pytest.fixture
def full_review(articles, creator, product, review):
    """A review whose body holds every block type, a link to another page included."""
    second, third = OfferFactory().product, OfferFactory().product
    body = [
        {
            "type": "rich_text",
            "value": f'<p>See <a linktype="page" id="{review.pk}">the other</a>.</p>',
        },
        {"type": "heading", "value": {"text": "How we tested", "level": "h2"}},
        {"type": "image", "value": {"image": image_create().pk, "caption": "Bench"}},
        {"type": "quote", "value": {"quote": "Quiet.", "attribution": "Ann"}},
        {"type": "embed", "value": "https://www.youtube.com/watch?v=mwrGSfiB1Mg"},
        _card(product),
        {"type": "product_grid", "value": {"title": "More", "products": [second.pk]}},
        {
            "type": "comparison_table",
            "value": {
                "caption": "At a glance",
                "products": [second.pk, third.pk],
                "rows": [{"label": "Battery", "values": ["30 h", "20 h"]}],
            },
        },
        {"type": "pros_cons", "value": {"pros": ["Light"], "cons": ["Pricey"]}},
    ]
    return review_create(
        parent=articles,
        author=creator,
        product=product,
        title="Everything",
        body=body,
    )


def test_article_detail_has_typed_blocks_and_expanded_embeds(client, full_review):
    response = client.get(f"/api/articles/{full_review.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "review" and body["draft"] is False
    assert body["disclosure"].startswith("广告")  # a Chinese article
    assert body["rating"] == "8.5" and body["verdict"] == "Worth it."
    assert [block["type"] for block in body["body"]] == [
        "rich_text",
        "heading",
        "image",
        "quote",
        "embed",
        "product_card",
        "product_grid",
        "comparison_table",
        "pros_cons",
    ]
    blocks = {block["type"]: block for block in body["body"]}
    other = Page.objects.get(slug="a-review")
    assert f'href="{other.url}"' in blocks["rich_text"]["value"]["html"]
    assert blocks["image"]["value"]["image"]["large"]["url"].startswith("http")
    card = blocks["product_card"]
    product = card["value"]["product"]
    assert product["placement"] == card["id"]
    offer = product["offers"][0]
    assert offer["price"] == "199.00" and offer["currency"] == "CNY"
    assert offer["link"]["rel"] == "sponsored nofollow"
    assert offer["link"]["url"].startswith("http://testserver/go/")
    link = TrackedLink.objects.get(code=offer["link"]["url"].rsplit("/", 1)[1])
    assert (link.placement, link.offer_id) == (card["id"], offer["id"])
    assert not link.is_preview
    redirect = client.get(offer["link"]["url"])
    assert redirect.status_code == 302
    table = blocks["comparison_table"]["value"]
    assert len(table["products"]) == 2 and table["rows"][0]["values"] == [
        "30 h",
        "20 h",
    ]
    placements = {p["placement"] for p in table["products"]}
    assert len(placements) == 2 and card["id"] not in placements
    assert body["product"]["placement"] == "reviewed-product"
    assert body["product"]["offers"][0]["link"]["url"] != offer["link"]["url"]


def absolute_urls(data) -> list[str]:
    """Every string in an API answer that is an absolute http(s) URL."""
    if isinstance(data, dict):
        return [url for value in data.values() for url in absolute_urls(value)]
    if isinstance(data, list):
        return [url for value in data for url in absolute_urls(value)]
    return [data] if isinstance(data, str) and data.startswith("http") else []


def test_absolute_urls_start_from_the_public_base_url_not_the_host_header(
    full_review, product, creator, public_base_url
):
    client = Client(HTTP_HOST=FOREIGN_HOST)
    answers = [
        client.get(url).json()
        for url in (
            f"/api/articles/{full_review.pk}",
            "/api/articles",
            f"/api/products/{product.slug}",
            "/api/products",
            f"/api/creators/{creator.slug}",
            "/api/v2/pages/?type=content.ReviewPage&fields=*",
            f"/api/v2/pages/{full_review.pk}/",
            "/api/v2/images/",
        )
    ]
    urls = [
        url
        for answer in answers
        for url in absolute_urls(answer)
        # The embed block's own video URL is the author's, not ours.
        if not url.startswith("https://www.youtube.com/")
    ]
    assert any("/go/" in url for url in urls)
    assert any(".fill-" in url or ".width-" in url for url in urls)
    detail = answers[6]
    assert detail["meta"]["html_url"] == public_base_url + full_review.url
    assert detail["meta"]["detail_url"].startswith(public_base_url + "/api/v2/")
    for url in urls:
        assert url.startswith(public_base_url + "/"), url


def test_guide_detail_expands_picks(client, articles, creator, product):
    guide = guide_create(
        parent=articles, author=creator, products=[product, OfferFactory().product]
    )
    body = client.get(f"/api/articles/{guide.pk}").json()
    assert body["type"] == "guide" and body["intro"] == "<p>Intro</p>"
    assert [pick["label"] for pick in body["picks"]] == ["Best", "Best"]
    for pick in body["picks"]:
        assert pick["product"]["placement"] == pick["id"]
        assert pick["product"]["offers"][0]["link"]["url"].startswith("http://")


def test_article_by_path_and_unknowns(client, full_review):
    path = full_review.url
    body = client.get("/api/articles/by-path", {"path": path}).json()
    assert body["id"] == full_review.pk
    assert client.get("/api/articles/by-path", {"path": path.strip("/")}).json()[
        "id"
    ] == (full_review.pk)
    for response in (
        client.get("/api/articles/by-path", {"path": "/nowhere/"}),
        client.get("/api/articles/999999"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "No such article."}
    assert client.get("/api/articles/by-path").status_code == 400
    assert client.get("/api/articles/abc").status_code == 400


def test_drafts_need_a_token_of_someone_who_may_edit(
    client, articles, creator, other_creator, editor, product
):
    draft = review_create(
        parent=articles, author=creator, product=product, title="Draft", publish=False
    )
    live = review_create(parent=articles, author=creator, product=product)
    live.title = "Changed, not published"
    live.save_revision(user=creator.user)

    def get(page, token=None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(
            f"/api/articles/{page.pk}", {"version": "draft", **params}, headers=headers
        )

    assert get(draft).status_code == 404
    assert client.get(f"/api/articles/{draft.pk}").status_code == 404
    assert get(draft, token_for(other_creator.user)).status_code == 404
    assert get(draft, "wagtail_nonsense").status_code == 404
    response = get(live, token_for(creator.user))
    assert response.status_code == 200
    assert response.json()["title"] == "Changed, not published"
    assert response.json()["draft"] is True
    assert "no-store" in response["Cache-Control"]
    code = response.json()["product"]["offers"][0]["link"]["url"].rsplit("/", 1)[1]
    assert TrackedLink.objects.get(code=code).is_preview  # never billable
    assert get(draft, token_for(editor)).json()["title"] == "Draft"
    assert client.get(f"/api/articles/{live.pk}").json()["title"] == "A review"


def test_public_answers_are_cacheable_and_conditional(client, full_review):
    url = f"/api/articles/{full_review.pk}"
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert first["ETag"]
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    for listing in ("/api/articles", "/api/tags", "/api/products"):
        response = client.get(listing)
        assert response["ETag"] and "public" in response["Cache-Control"]


def _queries_for(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # renditions and links are made on the first view
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_article_queries_do_not_grow_with_embeds(client, articles, creator):
    counts = []
    for size in (1, 40):
        products = [
            OfferFactory(product__image=image_create()).product for _ in range(size)
        ]
        for product in products:
            OfferFactory(product=product)
        page = review_create(
            parent=articles,
            author=creator,
            product=products[0],
            title=f"With {size}",
            body=[_card(product) for product in products]
            + [
                {
                    "type": "product_grid",
                    "value": {"title": "", "products": [p.pk for p in products]},
                }
            ],
        )
        counts.append(_queries_for(client, f"/api/articles/{page.pk}", None))
    assert counts[0] == counts[1]


def test_listing_queries_do_not_grow_with_length(client, articles, creator, product):
    counts = []
    for size in (2, 12):
        for number in range(size):
            page = review_create(
                parent=articles,
                author=creator,
                product=product,
                title=f"List {size} {number}",
            )
            page.hero_image = image_create()
            page.tags.add(f"tag{number}")
            page.save_revision().publish()
        counts.append(_queries_for(client, "/api/articles?limit=100", None))
    assert counts[0] == counts[1]


def test_openapi_has_one_schema_per_block_type(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in (
        "RichTextBlock",
        "HeadingBlock",
        "ImageBlock",
        "QuoteBlock",
        "EmbedBlock",
        "ProductCardBlock",
        "ProductGridBlock",
        "ComparisonTableBlock",
        "ProsConsBlock",
        "ReviewDetail",
        "GuideDetail",
        "ProductEmbed",
    ):
        assert name in schemas, name
    body = schemas["ReviewDetail"]["properties"]["body"]["items"]
    assert body["discriminator"]["propertyName"] == "type"
    assert len(body["oneOf"]) == 9


# -- Products and creators ------------------------------------------------------------


def test_products_list_and_detail_with_featuring_articles(client, full_review, product):
    OfferFactory(product=product, price=Decimal("149.00"), currency="CNY")
    OfferFactory(product=product, price=Decimal("20.00"), currency="USD")
    OfferFactory(product=product, price=Decimal("99.00"), availability="out_of_stock")
    listing = client.get("/api/products", {"q": product.title}).json()
    assert [item["slug"] for item in listing["items"]] == [product.slug]
    assert listing["items"][0]["best_prices"] == [
        {"price": "149.00", "currency": "CNY", "offer_id": ANY},
        {"price": "20.00", "currency": "USD", "offer_id": ANY},
    ]
    assert all(offer["link"] is None for offer in listing["items"][0]["offers"])
    detail = client.get(f"/api/products/{product.slug}").json()
    assert len(detail["offers"]) == 4
    featuring = {article["id"]: article for article in detail["articles"]}
    assert full_review.pk in featuring
    links = featuring[full_review.pk]["links"]
    assert {link["placement"] for link in links} >= {"reviewed-product"}
    assert all(link["url"].startswith("http://testserver/go/") for link in links)
    # The disclosure travels with the links, in the article's language.
    assert "广告" in featuring[full_review.pk]["disclosure"]
    assert client.get("/api/products/nothing").status_code == 404
    assert client.get("/api/products", {"limit": 500}).status_code == 400


def test_creator_profile_with_published_articles(client, full_review, creator):
    body = client.get(f"/api/creators/{creator.slug}").json()
    assert body["name"] == creator.public_name and body["count"] == 2
    assert {item["id"] for item in body["articles"]} >= {full_review.pk}
    assert client.get("/api/creators/nobody").status_code == 404


# -- Web conventions ------------------------------------------------------------------


def test_anonymous_calls_are_rate_limited_and_token_calls_are_not(
    client, settings, editor
):
    settings.ZHONGCAO_API_ANONYMOUS_RATE = "3/m"
    cache.clear()
    assert [client.get("/api/tags").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    headers = {"Authorization": f"Bearer {token_for(editor)}"}
    assert client.get("/api/articles/1", headers=headers).status_code == 404
    assert client.get("/api/tags", headers=headers).status_code == 200
    client.force_login(editor)
    assert client.get("/api/tags").status_code == 200
    client.logout()
    assert client.get("/api/tags").status_code == 429
    cache.clear()


def test_cors_only_for_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://front.example"]
    allowed = client.get("/api/tags", headers={"Origin": "https://front.example"})
    assert allowed["Access-Control-Allow-Origin"] == "https://front.example"
    other = client.get("/api/tags", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other


# -- Wagtail's v2 API -----------------------------------------------------------------


def test_wagtail_v2_api_expands_product_embeds(client, full_review, articles, creator):
    guide = guide_create(
        parent=articles, author=creator, products=[OfferFactory().product]
    )
    response = client.get(
        "/api/v2/pages/",
        {"type": "content.ReviewPage", "fields": "body,product,disclosure"},
    )
    assert response.status_code == 200, response.content
    pages = {page["id"]: page for page in response.json()["items"]}
    review = pages[full_review.pk]
    card = next(block for block in review["body"] if block["type"] == "product_card")
    link = card["value"]["product"]["offers"][0]["link"]
    assert link["url"].startswith("http://testserver/go/")
    assert link["rel"] == "sponsored nofollow"
    assert review["product"]["placement"] == "reviewed-product"
    assert review["disclosure"].startswith("广告")
    detail = client.get(f"/api/v2/pages/{guide.pk}/").json()
    assert detail["picks"][0]["product"]["offers"][0]["link"]["url"].startswith("http")
    for endpoint in ("/api/v2/images/", "/api/v2/documents/"):
        assert client.get(endpoint).status_code == 200


# -- Preview on a frontend ------------------------------------------------------------


def test_preview_on_the_frontend(client, rf, settings, editor, review):
    settings.ZHONGCAO_FRONTEND_PREVIEW_URL = ""
    assert [mode for mode, _label in review.preview_modes] == [""]
    settings.ZHONGCAO_FRONTEND_PREVIEW_URL = "https://front.example/preview?x=1"
    assert [mode for mode, _label in review.preview_modes] == ["", "frontend"]
    review.title = "Unsaved edit"  # a preview shows the form's state, not a revision
    request = rf.get("/", HTTP_HOST="testserver")
    request.user = editor
    response = review.serve_preview(request, "frontend")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://front.example/preview?x=1&token=")
    token = parse_qs(urlsplit(location).query)["token"][0]
    body = client.get("/api/articles/preview", {"token": token})
    assert body.status_code == 200 and "no-store" in body["Cache-Control"]
    assert body.json()["title"] == "Unsaved edit" and body.json()["draft"] is True
    code = body.json()["product"]["offers"][0]["link"]["url"].rsplit("/", 1)[1]
    assert TrackedLink.objects.get(code=code).is_preview
    missing = client.get("/api/articles/preview", {"token": token + "x"})
    assert missing.status_code == 404


def test_search_results_come_best_match_first(client, articles, creator, product):
    strong = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="Titanium kettle review",
        slug="strong",
        body=[
            {"type": "rich_text", "value": "<p>The kettle: a kettle for kettles.</p>"}
        ],
    )
    weak = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="Camping stove",
        slug="weak",
        body=[
            {
                "type": "rich_text",
                "value": "<p>A stove for the trail, light and quick to light, that "
                "burns gas and wood and pairs well with a kettle or a pan.</p>",
            }
        ],
    )
    strong.refresh_from_db()
    weak.refresh_from_db()
    assert weak.first_published_at >= strong.first_published_at  # newer, yet second
    assert ids(client.get("/api/articles", {"q": "kettle"})) == [strong.pk, weak.pk]


def test_signed_postbacks_and_session_writes_are_not_rate_limited(
    client, settings, editor
):
    settings.ZHONGCAO_API_ANONYMOUS_RATE = "1/m"
    cache.clear()
    for _ in range(3):  # unknown merchant: 404, never 429
        assert (
            client.post("/api/postbacks/nobody", b"{}", "application/json").status_code
            == 404
        )
    client.force_login(editor)
    assert client.get("/api/tags").status_code == 200
    assert client.get("/api/tags").status_code == 200
    cache.clear()
