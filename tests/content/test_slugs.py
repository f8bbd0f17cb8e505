"""Starting an article again with the same title: no "slug already in use" against
a draft that Wagtail's autosave left behind (issue 17, item 10; content.slugs)."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from content.models import GuidePage, ReviewPage
from tests.content.admin_forms import review_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TITLE = "降噪耳机横评"
SLUG = "降噪耳机横评"  # the slug Wagtail's title field fills in (unicode slugs)


def add_url(articles, model="guidepage"):
    return reverse("wagtailadmin_pages:add", args=["content", model, articles.pk])


def guide_form_data(**overrides):
    """A buying guide's create form with nothing but its title filled in."""
    data = {
        "title": TITLE,
        "slug": SLUG,
        "summary": "",
        "language": "zh-hans",
        "tags": "",
        "intro": rich_text(""),
        "picks": streamfield([]),
        "comparison_rows": streamfield([]),
        "body": streamfield([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def autosave(client, articles, **overrides):
    """What the create form's autosave posts a few seconds after a title is typed:
    a draft save, everything but the title still empty, asking for JSON."""
    return client.post(
        add_url(articles), guide_form_data(**overrides), HTTP_ACCEPT="application/json"
    )


def test_starting_again_with_the_same_title_takes_the_slug_from_the_empty_draft(
    client, creator, articles, product
):
    client.force_login(creator.user)
    first = autosave(client, articles)
    assert first.status_code == 200 and first.json()["success"], first.content
    left_behind = GuidePage.objects.get()

    second = autosave(client, articles)
    assert second.status_code == 200, second.content
    assert second.json()["success"], second.json()
    new = GuidePage.objects.exclude(pk=left_behind.pk).get()
    assert new.slug == SLUG
    left_behind.refresh_from_db()
    assert left_behind.slug == f"{SLUG}-2"
    assert left_behind.url_path.endswith(f"/{SLUG}-2/")


def test_a_draft_with_content_keeps_its_slug_and_the_new_article_gets_the_next(
    client, creator, articles, product
):
    client.force_login(creator.user)
    autosave(client, articles, summary="Three pairs, one month.")
    kept = GuidePage.objects.get()

    response = autosave(client, articles)
    assert response.json()["success"], response.json()
    new = GuidePage.objects.exclude(pk=kept.pk).get()
    assert new.slug == f"{SLUG}-2"
    # The open page is told its new slug, so that its next save asks for the same.
    assert response.json()["field_updates"]["slug"] == f"{SLUG}-2"
    kept.refresh_from_db()
    assert kept.slug == SLUG

    # A third start, saved by the button (HTML), gets -3.
    response = client.post(add_url(articles), guide_form_data())
    assert response.status_code == 302
    assert GuidePage.objects.filter(slug=f"{SLUG}-3").exists()


def test_another_creators_empty_draft_is_never_moved(
    client, creator, other_creator, articles, product
):
    client.force_login(other_creator.user)
    autosave(client, articles)
    theirs = GuidePage.objects.get()

    client.force_login(creator.user)
    response = autosave(client, articles)
    assert response.json()["success"], response.json()
    theirs.refresh_from_db()
    assert theirs.slug == SLUG
    assert GuidePage.objects.exclude(pk=theirs.pk).get().slug == f"{SLUG}-2"


def test_a_published_article_keeps_wagtails_error_for_a_taken_slug(
    client, editor, articles, product, creator
):
    client.force_login(editor)
    for slug in ("first", "second"):
        response = client.post(
            add_url(articles, "reviewpage"),
            review_form_data(
                product=product, author=creator, slug=slug, **{"action-publish": "1"}
            ),
        )
        assert response.status_code == 302
    second = ReviewPage.objects.get(slug="second")
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[second.pk]),
        review_form_data(product=product, author=creator, slug="first"),
    )
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    second.refresh_from_db()
    assert second.slug == "second"


def test_a_draft_whose_slug_the_browser_left_empty_gets_one_from_its_title(
    client, creator, articles
):
    """Was "Slug: This field is required" on Save draft with a Chinese title."""
    client.force_login(creator.user)
    response = client.post(add_url(articles), guide_form_data(slug=""))
    assert response.status_code == 302
    assert GuidePage.objects.get().slug == SLUG
    response = client.post(add_url(articles), guide_form_data(slug=""))
    assert response.status_code == 302
    assert sorted(GuidePage.objects.values_list("slug", flat=True)) == [
        SLUG,
        f"{SLUG}-2",
    ]
