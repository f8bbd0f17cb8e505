"""Page types: where each can be created, and their own rules."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from content.models import (
    ArticleIndexPage,
    ArticlePage,
    GuidePage,
    HomePage,
    ReviewPage,
)
from tests.conftest import review_create
from tests.factories import CreatorProfileFactory, OfferFactory


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_root(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(ArticleIndexPage, HomePage)

    def test_articles_section_sits_under_home(self):
        self.assertAllowedParentPageTypes(ArticleIndexPage, {HomePage})
        self.assertCanNotCreateAt(Page, ArticleIndexPage)

    def test_reviews_and_guides_sit_only_in_the_articles_section(self):
        for page_type in (ReviewPage, GuidePage):
            self.assertAllowedParentPageTypes(page_type, {ArticleIndexPage})
            self.assertCanCreateAt(ArticleIndexPage, page_type)
            self.assertCanNotCreateAt(HomePage, page_type)
            self.assertCanNotCreateAt(Page, page_type)
            self.assertAllowedSubpageTypes(page_type, set())

    def test_the_abstract_article_cannot_be_created(self):
        self.assertCanNotCreateAt(ArticleIndexPage, ArticlePage)

    def test_only_one_home_page(self):
        assert HomePage.objects.count() == 1
        assert not HomePage.can_create_at(Page.get_first_root_node())


@pytest.mark.django_db
def test_published_pages_are_routable(client, articles, creator, product):
    review = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="降噪耳机评测",
        slug="降噪耳机评测",
    )
    response = client.get(review.url)
    assert response.status_code == 200
    assert "降噪耳机评测" in response.content.decode()
    assert client.get("/").status_code == 200
    assert client.get(articles.url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rating", ["-0.5", "10.5"])
def test_rating_is_out_of_ten(articles, rating):
    page = ReviewPage(
        title="x",
        slug="x",
        summary="s",
        rating=rating,
        verdict="v",
        author=CreatorProfileFactory(),
        product=OfferFactory().product,
    )
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "rating" in error.value.message_dict


@pytest.mark.django_db
def test_only_the_admin_preview_may_be_framed(client, editor, review):
    from django.urls import reverse

    assert client.get(review.url)["X-Frame-Options"] == "DENY"
    client.force_login(editor)
    preview = client.get(reverse("wagtailadmin_pages:view_draft", args=[review.pk]))
    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
