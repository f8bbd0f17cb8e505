"""Tracked links follow publishing: made for every embed and offer, stable across
republishing, retired (but still redirecting) when their embed goes."""

import pytest

from affiliates.models import Click, TrackedLink
from content.selectors import REVIEWED_PRODUCT_PLACEMENT
from tests.affiliates.conftest import flush
from tests.affiliates.tracking.test_views import go
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def card(product):
    return {
        "type": "product_card",
        "value": {"product": product.pk, "call_to_action": "", "note": ""},
    }


def test_publishing_makes_one_link_per_embed_and_offer(
    articles, creator, headphones, shop
):
    OfferFactory(
        product=headphones, merchant=shop, url="https://www.mingyuehome.cn/item/2"
    )
    from tests.conftest import review_create

    page = review_create(
        parent=articles, author=creator, product=headphones, body=[card(headphones)]
    )
    links = TrackedLink.objects.filter(article=page)
    assert links.count() == 4  # 2 placements x 2 offers
    assert {link.author for link in links} == {creator}
    for link in links:
        assert 8 <= len(link.code) <= 12 and link.code.isalnum()
    codes = sorted(link.code for link in links)
    assert len(set(codes)) == 4


def test_links_are_stable_across_republishing(published):
    before = dict(
        TrackedLink.objects.filter(article=published).values_list("placement", "code")
    )
    draft = published.get_latest_revision_as_object()
    draft.title = "Updated"
    draft.save_revision().publish()
    draft.save_revision().publish()
    after = dict(
        TrackedLink.objects.filter(article=published).values_list("placement", "code")
    )
    assert after == before
    assert not TrackedLink.objects.filter(
        article=published, retired_at__isnull=False
    ).exists()


def test_removed_embed_is_retired_but_keeps_redirecting(client, published, headphones):
    draft = published.get_latest_revision_as_object()
    draft.body = [card(headphones)]
    draft.save_revision().publish()
    card_link = TrackedLink.objects.get(article=published, placement=draft.body[0].id)

    draft = published.get_latest_revision_as_object()
    draft.body = []
    draft.save_revision().publish()
    card_link.refresh_from_db()
    assert card_link.is_retired
    assert not TrackedLink.objects.get(placement=REVIEWED_PRODUCT_PLACEMENT).is_retired

    assert go(client, card_link).status_code == 302
    flush()
    assert Click.objects.get().link == card_link


def test_reviving_an_embed_revives_its_link(published, headphones):
    draft = published.get_latest_revision_as_object()
    draft.body = [card(headphones)]
    revision = draft.save_revision()
    revision.publish()
    link = TrackedLink.objects.get(article=published, placement=draft.body[0].id)
    draft.body = []
    draft.save_revision().publish()
    revision.publish()  # revert to the revision with the card
    link.refresh_from_db()
    assert not link.is_retired
    assert TrackedLink.objects.filter(article=published).count() == 2


def test_a_new_author_gets_new_links(published, other_creator):
    old = set(
        TrackedLink.objects.filter(article=published).values_list("code", flat=True)
    )
    draft = published.get_latest_revision_as_object()
    draft.author = other_creator
    draft.save_revision().publish()
    current = TrackedLink.objects.get(article=published, retired_at__isnull=True)
    assert current.author == other_creator
    assert current.code not in old


def test_drafts_get_no_links_until_published(articles, creator, headphones):
    from tests.conftest import review_create

    draft = review_create(
        parent=articles, author=creator, product=headphones, publish=False
    )
    assert not TrackedLink.objects.filter(article=draft).exists()


def test_preview_shows_links_whose_clicks_are_never_billable(
    client, editor, articles, creator, headphones
):
    from django.urls import reverse

    from tests.conftest import review_create

    draft = review_create(
        parent=articles, author=creator, product=headphones, publish=False
    )
    client.force_login(editor)
    html = client.get(
        reverse("wagtailadmin_pages:view_draft", args=[draft.pk])
    ).content.decode()
    preview_link = TrackedLink.objects.get(article=draft, is_preview=True)
    assert f'href="/go/{preview_link.code}"' in html
    client.logout()
    assert go(client, preview_link).status_code == 302
    flush()
    click = Click.objects.get()
    assert click.is_preview and not click.is_billable
    assert not TrackedLink.objects.filter(article=draft, is_preview=False).exists()


def test_links_keep_their_block_type_and_position(published, headphones):
    """The placements report groups by block type and position among the article's
    product embeds; a block that moves takes its link's position with it."""
    from affiliates.tracking.services import article_links_sync

    review_link = TrackedLink.objects.get(placement=REVIEWED_PRODUCT_PLACEMENT)
    assert (review_link.block_type, review_link.position) == ("review", 1)
    draft = published.get_latest_revision_as_object()
    draft.body = [
        {"type": "rich_text", "value": "<p>Intro</p>"},
        card(headphones),
        {"type": "product_grid", "value": {"title": "", "products": [headphones.pk]}},
    ]
    draft.save_revision().publish()
    card_id, grid_item_id = (
        draft.body[1].id,
        draft.body[2].value["products"].bound_blocks[0].id,
    )

    def where(placement):
        link = TrackedLink.objects.get(
            article=published, placement=placement, is_preview=False
        )
        return link.block_type, link.position

    assert where(card_id) == ("product_card", 2)
    assert where(grid_item_id) == ("product_grid", 3)

    # The grid moves above the card.
    intro, card_block, grid_block = draft.body
    moved = [intro, grid_block, card_block]
    draft.body = [
        {
            "type": block.block_type,
            "value": block.block.get_prep_value(block.value),
            "id": block.id,
        }
        for block in moved
    ]
    draft.save_revision().publish()
    assert where(card_id) == ("product_card", 3)
    assert where(grid_item_id) == ("product_grid", 2)

    # Callers that only know placements and products leave both as they are.
    article_links_sync(
        article=published,
        author=published.author,
        embeds=[
            (placement, headphones.pk)
            for placement in (REVIEWED_PRODUCT_PLACEMENT, grid_item_id, card_id)
        ],
    )
    assert where(card_id) == ("product_card", 3)
    assert where(grid_item_id) == ("product_grid", 2)


def test_after_an_author_change_and_back_readers_get_the_current_authors_links(
    client, published, creator, other_creator
):
    """The former author's retired links share placement and offer with the current
    ones; the page must show only the current author's (credit goes by the link)."""
    for author in (other_creator, creator):
        draft = published.get_latest_revision_as_object()
        draft.author = author
        draft.save_revision().publish()
    current = TrackedLink.objects.get(article=published, retired_at__isnull=True)
    retired = TrackedLink.objects.get(article=published, author=other_creator)
    assert current.author == creator and retired.is_retired
    html = client.get(published.url).content.decode()
    assert f"/go/{current.code}" in html
    assert f"/go/{retired.code}" not in html
    api = client.get(f"/api/articles/{published.pk}").content.decode()
    assert f"/go/{current.code}" in api and f"/go/{retired.code}" not in api


def test_preview_of_an_article_never_saved_shows_its_products_without_links(
    client, editor, articles, creator, headphones
):
    from django.urls import reverse

    from tests.content.admin_forms import review_form_data

    client.force_login(editor)
    url = reverse(
        "wagtailadmin_pages:preview_on_add",
        args=["content", "reviewpage", articles.pk],
    )
    data = review_form_data(product=headphones, author=creator)
    assert client.post(url, data).json() == {"is_valid": True, "is_available": True}
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert headphones.title in html
    assert "/go/" not in html
    assert not TrackedLink.objects.exists()
