"""Which changes make which webhook events (content.webhooks.receivers): publishing,
a new slug, unpublishing in the admin (one article or a section with its articles),
deleting, and a product or an offer changed or deleted. Every receiver is a real
HTTP server started by the test."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from tests.conftest import guide_create, review_create
from tests.content.webhook_endpoints import endpoint_add, events_of
from tests.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_new_slug_also_names_the_old_path(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    review = review_create(parent=articles, author=creator, product=product)
    endpoint_add(receiver.url(), events=["article.published"])
    review.slug = "renamed"
    with django_capture_on_commit_callbacks(execute=True):
        review.save_revision().publish()
    assert [event["data"] for event in events_of(receiver)] == [
        {"ids": [review.pk], "paths": ["/articles/renamed/"]},
        {
            "ids": [review.pk],
            "paths": ["/articles/renamed/"],
            "previous_paths": ["/articles/a-review/"],
        },
    ]


def test_unpublishing_in_the_admin_sends_article_unpublished(
    receiver,
    editor_client,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    review = review_create(parent=articles, author=creator, product=product)
    endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailadmin_pages:unpublish", args=[review.pk])
        )
    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.live
    assert [(event["type"], event["data"]) for event in events_of(receiver)] == [
        ("article.unpublished", {"ids": [review.pk], "paths": ["/articles/a-review/"]})
    ]


def test_unpublishing_the_section_with_its_articles_tells_each_article(
    receiver,
    editor_client,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    review = review_create(parent=articles, author=creator, product=product)
    guide = guide_create(parent=articles, author=creator, products=[product])
    endpoint_add(receiver.url(), events=["article.unpublished"])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailadmin_pages:unpublish", args=[articles.pk]),
            {"include_descendants": "on"},
        )
    assert response.status_code == 302
    assert sorted(event["data"]["ids"][0] for event in events_of(receiver)) == sorted(
        [review.pk, guide.pk]
    )


def test_deleting_a_live_article_in_the_admin_sends_only_article_deleted(
    receiver,
    editor_client,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    guide = guide_create(parent=articles, author=creator, products=[product])
    endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailadmin_pages:delete", args=[guide.pk])
        )
    assert response.status_code == 302
    assert not Page.objects.filter(pk=guide.pk).exists()
    assert [(event["type"], event["data"]) for event in events_of(receiver)] == [
        ("article.deleted", {"ids": [guide.pk], "paths": ["/articles/a-guide/"]})
    ]


def test_product_and_offer_changes_send_product_changed_with_the_articles(
    receiver, articles, creator, django_capture_on_commit_callbacks
):
    offer = OfferFactory()
    product = offer.product
    review = review_create(parent=articles, author=creator, product=product)
    guide = guide_create(parent=articles, author=creator, products=[product])
    review_create(  # a draft: not on any frontend
        parent=articles, author=creator, product=product, title="Draft", publish=False
    )
    endpoint_add(receiver.url(), events=["product.changed"])
    expected = {
        "ids": [product.pk],
        "slug": product.slug,
        "slugs": [product.slug],
        "article_ids": [review.pk, guide.pk],
        "paths": ["/articles/a-review/", "/articles/a-guide/"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        product.title = "Renamed"
        product.save()
    with django_capture_on_commit_callbacks(execute=True):
        offer.price = "149.00"
        offer.save()
    with django_capture_on_commit_callbacks(execute=True):
        second_offer = OfferFactory(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        second_offer.delete()

    events = events_of(receiver)
    assert [event["type"] for event in events] == ["product.changed"] * 4
    assert all(event["data"] == expected for event in events)
    assert len({event["id"] for event in events}) == 4


def test_deleting_a_product_sends_one_event_naming_what_featured_it(
    receiver, articles, creator, django_capture_on_commit_callbacks
):
    product = OfferFactory().product
    OfferFactory(product=product)
    review = review_create(parent=articles, author=creator, product=product)
    endpoint_add(receiver.url())
    product_pk, slug = product.pk, product.slug

    with django_capture_on_commit_callbacks(execute=True):
        product.delete()

    # The product and both offers go in one transaction: one event, not three.
    assert [(event["type"], event["data"]) for event in events_of(receiver)] == [
        (
            "product.changed",
            {
                "ids": [product_pk],
                "slug": slug,
                "slugs": [slug],
                "article_ids": [review.pk],
                "paths": ["/articles/a-review/"],
            },
        )
    ]
