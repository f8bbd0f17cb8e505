"""Every product embed has a stable block id: the placement of its tracked links."""

import pytest

from content.selectors import (
    REVIEWED_PRODUCT_PLACEMENT,
    article_product_embeds,
    articles_live,
)
from tests.conftest import guide_create, review_create
from tests.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def products():
    return [OfferFactory().product for _ in range(4)]


def body_with_every_product_block(products):
    first, second, third, fourth = products
    return [
        {"type": "rich_text", "value": "<p>Intro</p>"},
        {
            "type": "product_card",
            "value": {"product": first.pk, "call_to_action": "", "note": ""},
        },
        {
            "type": "product_grid",
            "value": {"title": "More", "products": [second.pk, third.pk]},
        },
        {
            "type": "comparison_table",
            "value": {
                "caption": "At a glance",
                "products": [first.pk, fourth.pk],
                "rows": [{"label": "Weight", "values": ["250 g", "300 g"]}],
            },
        },
    ]


def test_review_embeds_every_product_with_a_distinct_placement(
    articles, creator, products
):
    review = review_create(
        parent=articles,
        author=creator,
        product=products[0],
        body=body_with_every_product_block(products),
    )
    embeds = article_product_embeds(article=review)
    assert [(embed.block_type, embed.product_id) for embed in embeds] == [
        ("review", products[0].pk),
        ("product_card", products[0].pk),
        ("product_grid", products[1].pk),
        ("product_grid", products[2].pk),
        ("comparison_table", products[0].pk),
        ("comparison_table", products[3].pk),
    ]
    placements = [embed.placement for embed in embeds]
    assert placements[0] == REVIEWED_PRODUCT_PLACEMENT
    assert len(set(placements)) == len(placements)
    assert all(placements)


def test_guide_picks_are_embeds(articles, creator, products):
    guide = guide_create(parent=articles, author=creator, products=products[:3])
    embeds = article_product_embeds(article=guide)
    assert [embed.product_id for embed in embeds] == [
        product.pk for product in products[:3]
    ]
    assert {embed.block_type for embed in embeds} == {"pick"}


def test_placements_survive_editing_and_republishing(articles, creator, products):
    review = review_create(
        parent=articles,
        author=creator,
        product=products[0],
        body=body_with_every_product_block(products),
    )
    before = article_product_embeds(article=review)

    draft = review.get_latest_revision_as_object()
    draft.body.insert(0, ("heading", {"text": "New heading", "level": "h2"}))
    draft.title = "Edited"
    draft.save_revision().publish()
    again = review.__class__.objects.get(pk=review.pk).get_latest_revision_as_object()
    again.save_revision().publish()

    review.refresh_from_db()
    assert review.title == "Edited"
    after = article_product_embeds(article=review)
    assert after == before


def test_unpublished_articles_are_not_listed(articles, creator, products):
    live = review_create(
        parent=articles, author=creator, product=products[0], title="Live one"
    )
    review_create(
        parent=articles,
        author=creator,
        product=products[0],
        title="Draft one",
        publish=False,
    )
    assert [page.pk for page in articles_live()] == [live.pk]
