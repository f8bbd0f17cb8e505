"""An article's author: editors choose it, creators are it."""

import pytest
from django.urls import reverse

from content.models import ReviewPage
from tests.content.admin_forms import review_form_data
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def add_review_url(articles):
    return reverse(
        "wagtailadmin_pages:add", args=["content", "reviewpage", articles.pk]
    )


def test_creator_is_the_author_whatever_the_form_says(
    client, articles, creator, other_creator, product
):
    client.force_login(creator.user)
    response = client.post(
        add_review_url(articles),
        review_form_data(product=product, author=other_creator),
    )
    assert response.status_code == 302
    page = ReviewPage.objects.get(slug="sonari-wh7-review")
    assert page.get_latest_revision_as_object().author == creator
    assert page.owner == creator.user
    assert not page.live


def test_creator_cannot_reassign_their_article(
    client, creator, other_creator, review, product
):
    client.force_login(creator.user)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[review.pk]),
        review_form_data(product=product, author=other_creator, slug=review.slug),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.get_latest_revision_as_object().author == creator
    assert review.owner == creator.user


def test_creator_author_field_is_read_only(client, articles, creator, other_creator):
    client.force_login(creator.user)
    form = client.get(add_review_url(articles)).context["form"]
    assert form.fields["author"].disabled
    assert list(form.fields["author"].queryset) == [creator]


def test_editor_chooses_the_author_and_the_author_can_then_edit(
    client, editor, articles, creator, product
):
    client.force_login(editor)
    response = client.post(
        add_review_url(articles), review_form_data(product=product, author=creator)
    )
    assert response.status_code == 302
    page = ReviewPage.objects.get(slug="sonari-wh7-review")
    assert page.get_latest_revision_as_object().author == creator
    assert page.owner == creator.user
    client.force_login(creator.user)
    assert (
        client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code
        == 200
    )


def test_editor_must_choose_an_author(client, editor, articles, product):
    client.force_login(editor)
    response = client.post(add_review_url(articles), review_form_data(product=product))
    assert response.status_code == 200
    assert "author" in response.context["form"].errors
    assert not ReviewPage.objects.exists()


def test_user_without_a_creator_profile_cannot_write(client, articles, product):
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get(name="Creators"))
    client.force_login(user)
    response = client.post(add_review_url(articles), review_form_data(product=product))
    assert response.status_code == 200
    assert "creator profile" in str(response.context["form"].non_field_errors())
    assert not ReviewPage.objects.exists()


def test_review_needs_its_product_rating_and_verdict_to_publish(
    client, editor, articles, creator, product
):
    client.force_login(editor)
    data = review_form_data(product=product, author=creator, rating="11", verdict="")
    data["product"] = ""
    data["action-publish"] = "action-publish"
    response = client.post(add_review_url(articles), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"product", "rating", "verdict"} <= set(errors)
