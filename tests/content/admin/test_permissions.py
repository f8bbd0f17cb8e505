"""What a creator may do in the admin, tested through the admin's own URLs."""

import pytest
from django.urls import reverse

from content.models import ReviewPage
from tests.conftest import review_create
from tests.factories import CreatorProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


def revision_urls(page):
    revision = page.latest_revision
    return [
        reverse("wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk]),
        reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, revision.pk]),
        reverse(
            "wagtailadmin_pages:revisions_compare",
            args=[page.pk, "live", revision.pk],
        ),
    ]


def test_another_creators_article_answers_403_everywhere(creator_client, other_review):
    page = other_review
    urls = [
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:history", args=[page.pk]),
        reverse("wagtailadmin_pages:history_results", args=[page.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
        reverse("wagtailadmin_pages:copy", args=[page.pk]),
        reverse("wagtailadmin_pages:delete", args=[page.pk]),
        reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
        reverse("wagtailadmin_pages:move", args=[page.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[page.pk]),
        *revision_urls(page),
    ]
    for url in urls:
        assert creator_client.get(url).status_code == 403, url


def test_another_creators_article_cannot_be_changed_by_post(
    creator_client, other_review
):
    page = other_review
    for url, data in [
        (reverse("wagtailadmin_pages:edit", args=[page.pk]), {"title": "Stolen"}),
        (
            reverse("wagtailadmin_pages:copy", args=[page.pk]),
            {
                "new_title": "Copy",
                "new_slug": "copy",
                "new_parent_page": page.get_parent().pk,
            },
        ),
        (reverse("wagtailadmin_pages:delete", args=[page.pk]), {}),
        (reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]), {"title": "x"}),
    ]:
        assert creator_client.post(url, data).status_code == 403, url
    page.refresh_from_db()
    assert page.title == "Other review"
    assert ReviewPage.objects.count() == 1


def test_creator_can_open_their_own_article(creator_client, review):
    for name in ("edit", "history", "preview_on_edit"):
        response = creator_client.get(
            reverse(f"wagtailadmin_pages:{name}", args=[review.pk])
        )
        assert response.status_code == 200, name


def test_creator_cannot_publish_and_sees_submit_instead(creator_client, review):
    response = creator_client.get(reverse("wagtailadmin_pages:edit", args=[review.pk]))
    html = response.content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html


def test_creator_explorer_lists_only_their_own_articles(
    creator_client, articles, review, other_review
):
    response = creator_client.get(reverse("wagtailadmin_explore", args=[articles.pk]))
    assert response.status_code == 200
    listed = {page.pk for page in response.context["pages"]}
    assert review.pk in listed
    assert other_review.pk not in listed


def test_editor_explorer_lists_every_article(
    client, editor, articles, review, other_review
):
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_explore", args=[articles.pk]))
    listed = {page.pk for page in response.context["pages"]}
    assert {review.pk, other_review.pk} <= listed


def test_creator_can_create_articles_only_in_the_articles_section(
    creator_client, home, articles
):
    add = "wagtailadmin_pages:add"
    assert (
        creator_client.get(
            reverse(add, args=["content", "reviewpage", articles.pk])
        ).status_code
        == 200
    )
    assert (
        creator_client.get(
            reverse(add, args=["content", "guidepage", articles.pk])
        ).status_code
        == 200
    )
    assert (
        creator_client.get(
            reverse(add, args=["content", "reviewpage", home.pk])
        ).status_code
        == 403
    )
    assert (
        creator_client.get(
            reverse("wagtailadmin_pages:edit", args=[home.pk])
        ).status_code
        == 403
    )
    assert (
        creator_client.get(
            reverse("wagtailadmin_pages:edit", args=[articles.pk])
        ).status_code
        == 403
    )


def test_creator_cannot_see_users_or_settings(creator_client):
    assert creator_client.get(reverse("wagtailusers_users:index")).status_code == 403
    assert creator_client.get(reverse("wagtailsites:index")).status_code == 403
    assert (
        creator_client.get(
            reverse("wagtailsnippets_affiliates_creatorprofile:list")
        ).status_code
        == 403
    )


def test_a_third_creator_is_also_kept_out(client, review):
    stranger = CreatorProfileFactory()
    client.force_login(stranger.user)
    assert (
        client.get(reverse("wagtailadmin_pages:edit", args=[review.pk])).status_code
        == 403
    )


def test_anonymous_is_sent_to_login(client, review):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[review.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_draft_of_another_creator_is_also_protected(
    creator_client, articles, other_creator, product
):
    draft = review_create(
        parent=articles,
        author=other_creator,
        product=product,
        title="Draft",
        publish=False,
    )
    assert (
        creator_client.get(
            reverse("wagtailadmin_pages:edit", args=[draft.pk])
        ).status_code
        == 403
    )
    assert (
        creator_client.get(
            reverse("wagtailadmin_pages:view_draft", args=[draft.pk])
        ).status_code
        == 403
    )


def test_creator_can_choose_products_and_images_for_embeds(creator_client, product):
    response = creator_client.get(
        reverse("wagtailsnippetchoosers_products_product:choose"), {"q": product.title}
    )
    assert response.status_code == 200
    assert product.title in response.content.decode()
    assert (
        creator_client.get(reverse("wagtailimages_chooser:choose")).status_code == 200
    )


def test_creators_cannot_edit_the_disclosure(creator_client):
    url = reverse(
        "wagtailsettings:edit", args=["content", "affiliatedisclosuresettings"]
    )
    assert creator_client.get(url, follow=True).status_code == 403
