"""What readers see: tracked links marked sponsored, and the disclosure before them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from affiliates.models import TrackedLink
from content.models import AffiliateDisclosureSettings
from tests.conftest import guide_create, review_create
from tests.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# The reader site links relatively (any host, previews included).
GO = "/go/"


@pytest.fixture
def rich_review(articles, creator, product):
    others = [OfferFactory().product for _ in range(3)]
    body = [
        {"type": "rich_text", "value": "<p>Intro</p>"},
        {
            "type": "product_card",
            "value": {"product": product.pk, "call_to_action": "去看看", "note": ""},
        },
        {
            "type": "product_grid",
            "value": {"title": "More", "products": [others[0].pk, others[1].pk]},
        },
        {
            "type": "comparison_table",
            "value": {
                "caption": "Compare",
                "products": [product.pk, others[2].pk],
                "rows": [],
            },
        },
    ]
    return review_create(parent=articles, author=creator, product=product, body=body)


def links_in(html):
    return re.findall(r'<a href="([^"]+)"([^>]*)>', html)


def test_every_offer_link_is_a_tracked_sponsored_link(client, rich_review):
    html = client.get(rich_review.url).content.decode()
    shop_links = [
        (href, attrs)
        for href, attrs in links_in(html)
        if href.startswith(("/go/", "http"))
    ]
    assert shop_links, html
    codes = set(
        TrackedLink.objects.filter(article=rich_review).values_list("code", flat=True)
    )
    for href, attrs in shop_links:
        assert href.startswith(GO), href  # never a direct merchant URL
        assert href.removeprefix(GO) in codes
        assert 'rel="sponsored nofollow"' in attrs
    assert "去看看" in html
    # one link per (placement, offer): reviewed product, card, 2 grid items, 2 table columns
    assert len({href for href, _attrs in shop_links}) == 6


def test_disclosure_comes_before_the_first_tracked_link(client, rich_review):
    html = client.get(rich_review.url).content.decode()
    disclosure = html.index('class="disclosure"')
    assert disclosure < html.index(f'href="{GO}')
    assert "广告" in html[disclosure : disclosure + 300]


def test_english_articles_carry_the_english_disclosure(
    client, articles, creator, product
):
    page = review_create(
        parent=articles, author=creator, product=product, title="In English"
    )
    page.language = "en"
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "affiliate links" in html
    assert "广告" not in html


def test_disclosure_text_is_an_editable_site_setting(client, rich_review, home):
    from wagtail.models import Site

    settings = AffiliateDisclosureSettings.for_site(
        Site.objects.get(is_default_site=True)
    )
    settings.text_zh = "广告｜我们的自定义声明"
    settings.save()
    assert "我们的自定义声明" in client.get(rich_review.url).content.decode()


def test_editor_edits_the_disclosure_in_the_admin(client, editor):
    from django.urls import reverse

    client.force_login(editor)
    url = reverse(
        "wagtailsettings:edit", args=["content", "affiliatedisclosuresettings"]
    )
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "广告" in response.content.decode()


def test_guide_picks_and_comparison_link_through_go(client, articles, creator):
    products = [OfferFactory().product for _ in range(2)]
    guide = guide_create(parent=articles, author=creator, products=products)
    guide.show_comparison_table = True
    guide.save_revision().publish()
    html = client.get(guide.url).content.decode()
    hrefs = [
        href
        for href, _attrs in links_in(html)
        if "/go/" in href or href.startswith("http")
    ]
    assert hrefs and all(href.startswith(GO) for href in hrefs)
    assert html.index('class="disclosure"') < html.index(f'href="{GO}')


def test_offer_added_after_publishing_gets_its_link_on_the_next_view(
    client, rich_review, product
):
    new_offer = OfferFactory(product=product)
    client.get(rich_review.url)
    assert (
        TrackedLink.objects.filter(
            article=rich_review, offer=new_offer, is_preview=False
        ).count()
        == 3
    )  # review, card, table


def test_article_page_queries_do_not_grow_with_embeds(client, articles, creator):
    counts = []
    for size in (1, 30):
        products = [OfferFactory().product for _ in range(size)]
        page = review_create(
            parent=articles,
            author=creator,
            product=products[0],
            title=f"Page with {size}",
            body=[
                {"type": "product_card", "value": {"product": product.pk}}
                for product in products
            ],
        )
        client.get(page.url)  # links are made on the first view
        with CaptureQueriesContext(connection) as captured:
            html = client.get(page.url).content.decode()
        # The reviewed product, each card, and the phone's buy bar.
        assert html.count('rel="sponsored nofollow"') == size + 2
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_reviews_verdict_has_a_real_heading_and_no_paragraph_posing_as_one(
    client, rich_review
):
    """Wagtail's accessibility checker flagged the bold verdict paragraph
    (p-as-heading) on the demo review."""
    content = client.get(rich_review.url).content.decode()
    verdict = content[content.index('<section class="verdict"') :]
    verdict = verdict[: verdict.index("</section>")]
    assert re.search(r'<h2 id="verdict-heading"[^>]*>(Verdict|结论)</h2>', verdict)
    assert not re.search(r"<p[^>]*>\s*<(strong|b)>[^<]*</\1>\s*</p>", content)
    assert '<p class="rating">' not in content
