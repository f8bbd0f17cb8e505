"""Outbound webhooks: which changes make which events, for which endpoints; the
signed body a receiver gets; retries with backoff; and a receiver that is down never
stopping a change. Every receiver is a real HTTP server started by the test."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from content.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from content.webhooks import delivery as webhook_delivery
from content.webhooks.delivery import (
    RETRY_DELAYS,
    webhook_deliveries_purge,
    webhook_deliveries_retry,
    webhook_delivery_attempt,
)
from content.webhooks.services import webhook_endpoint_secret_rotate
from products.models import Offer
from products.signing import SIGNATURE_HEADER, signature_verify
from tests.conftest import guide_create, review_create, schedule_run_once
from tests.content.webhook_receiver import closed_port_url, receiver_running
from tests.factories import OfferFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ALL_EVENTS = [
    "article.published",
    "article.unpublished",
    "article.deleted",
    "product.changed",
]


@pytest.fixture
def receiver(local_servers_allowed):
    """A receiver on 127.0.0.1, allowed for the test (``local_servers_allowed``)."""
    with receiver_running() as running:
        yield running


def endpoint_add(url, *, events=None, is_active=True, name="Frontend"):
    return WebhookEndpoint.objects.create(
        name=name,
        url=url,
        events=ALL_EVENTS if events is None else events,
        is_active=is_active,
    )


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def events_of(receiver, path="/hook"):
    return [request.json() for request in receiver.received(path)]


# -- What a receiver gets ---------------------------------------------------------------


def test_publishing_posts_a_signed_event_to_subscribed_active_endpoints_only(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    subscribed = endpoint_add(receiver.url("/subscribed"), events=["article.published"])
    endpoint_add(receiver.url("/other-events"), events=["product.changed"])
    endpoint_add(
        receiver.url("/inactive"), events=["article.published"], is_active=False
    )
    review = review_create(
        parent=articles, author=creator, product=product, publish=False
    )
    # Saving a draft tells nobody anything.
    assert WebhookDelivery.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        review.get_latest_revision().publish()

    assert [request.path for request in receiver.received()] == ["/subscribed"]
    request = receiver.received()[0]
    signature_verify(
        secret=subscribed.secret,
        body=request.body,
        header=request.headers[SIGNATURE_HEADER],
    )
    event = request.json()
    assert event["type"] == "article.published"
    assert event["id"].startswith("evt_")
    assert datetime.datetime.fromisoformat(event["created"]).tzinfo is not None
    assert event["data"] == {"ids": [review.pk], "paths": ["/articles/a-review/"]}
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["Zhongcao-Event"] == "article.published"

    delivery = WebhookDelivery.objects.get()
    assert request.headers["Zhongcao-Delivery"] == str(delivery.delivery_id)
    assert delivery.endpoint == subscribed
    assert delivery.event_id == event["id"]
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.next_attempt_at is None


def test_a_wrong_secret_does_not_verify(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint = endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    request = receiver.received()[0]
    webhook_endpoint_secret_rotate(endpoint=endpoint)
    with pytest.raises(Exception, match="does not match"):
        signature_verify(
            secret=endpoint.secret,
            body=request.body,
            header=request.headers[SIGNATURE_HEADER],
        )


def test_every_endpoint_gets_the_same_event_with_its_own_delivery_id(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    first = endpoint_add(receiver.url("/one"))
    second = endpoint_add(receiver.url("/two"))
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    one, two = receiver.received("/one")[0], receiver.received("/two")[0]
    assert one.json()["id"] == two.json()["id"]
    assert one.headers["Zhongcao-Delivery"] != two.headers["Zhongcao-Delivery"]
    signature_verify(
        secret=first.secret, body=one.body, header=one.headers[SIGNATURE_HEADER]
    )
    signature_verify(
        secret=second.secret, body=two.body, header=two.headers[SIGNATURE_HEADER]
    )


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
                "article_ids": [review.pk],
                "paths": ["/articles/a-review/"],
            },
        )
    ]


def test_a_product_saved_with_its_offers_makes_one_delivery(
    receiver, django_capture_on_commit_callbacks
):
    from django.db import transaction

    product = ProductFactory()
    endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            product.save()
            OfferFactory(product=product)
            OfferFactory(product=product)
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.received()) == 1
    # A later change is a new event again.
    with django_capture_on_commit_callbacks(execute=True):
        Offer.objects.filter(product=product).first().save()
    assert len(receiver.received()) == 2


def test_an_event_nobody_subscribed_to_costs_no_more_than_no_endpoints(product):
    def queries_of_a_save():
        with CaptureQueriesContext(connection) as context:
            product.save()
        return len(context)

    without_endpoints = queries_of_a_save()
    endpoint_add("https://frontend.example/hook", events=["article.published"])
    assert queries_of_a_save() == without_endpoints
    assert WebhookDelivery.objects.count() == 0


# -- Failures and retries ---------------------------------------------------------------


def test_a_500_then_200_is_retried_after_a_minute_and_succeeds(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint = endpoint_add(receiver.url())
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert "500" in delivery.last_error
    first_attempt = delivery.last_attempt_at
    assert delivery.next_attempt_at == first_attempt + RETRY_DELAYS[0]

    # Not due yet: nothing is sent.
    almost = first_attempt + RETRY_DELAYS[0] - datetime.timedelta(seconds=1)
    assert webhook_deliveries_retry(now=almost) == 0
    assert len(receiver.received()) == 1

    due = first_attempt + RETRY_DELAYS[0]
    assert webhook_deliveries_retry(now=due) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    assert delivery.last_error == ""
    first, second = receiver.received()
    assert first.body == second.body
    assert first.headers["Zhongcao-Delivery"] == second.headers["Zhongcao-Delivery"]
    # Each attempt is signed when it is made.
    signature_verify(
        secret=endpoint.secret,
        body=second.body,
        header=second.headers[SIGNATURE_HEADER],
        now=due.timestamp(),
    )


def test_backoff_schedule_then_failed(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint_add(receiver.url())
    receiver.statuses = [503] * 10
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    delivery = WebhookDelivery.objects.get()
    waits = []
    while delivery.status == DeliveryStatus.PENDING:
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        assert webhook_deliveries_retry(now=delivery.next_attempt_at) == 1
        delivery.refresh_from_db()
    assert waits == list(RETRY_DELAYS)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(RETRY_DELAYS) + 1
    assert delivery.next_attempt_at is None
    assert len(receiver.received()) == len(RETRY_DELAYS) + 1
    # A failed delivery is left alone by the schedule.
    later = delivery.last_attempt_at + datetime.timedelta(days=30)
    assert webhook_deliveries_retry(now=later) == 0


def test_an_unreachable_receiver_never_stops_publishing(
    local_servers_allowed,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    endpoint_add(closed_port_url())
    review = review_create(
        parent=articles, author=creator, product=product, publish=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        review.get_latest_revision().publish()
    review.refresh_from_db()
    assert review.live
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    # What failed, in words of our own: never the port, nor the system's error text.
    assert delivery.last_error == "Could not connect"
    assert delivery.next_attempt_at == delivery.last_attempt_at + RETRY_DELAYS[0]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://localhost:{port}/hook",
        "http://0x7f.0.0.1:{port}/hook",
        "http://2130706433:{port}/hook",
        "http://[::1]:{port}/hook",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://10.0.0.1/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_hook",
    ],
)
def test_an_endpoint_inside_the_network_is_never_posted_to(
    trap, url, articles, creator, product, django_capture_on_commit_callbacks
):
    """Stored without the form (the form refuses these): the delivery is refused
    when it is attempted, and says why in words that name no address."""
    endpoint_add(url.format(port=trap.port))
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    delivery = WebhookDelivery.objects.get()
    assert trap.connections == 0
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error in (
        "Refused by policy: internal address",
        "Refused by policy: only http and https",
    )


def test_an_unreachable_receiver_never_stops_an_admin_unpublish(
    local_servers_allowed,
    editor_client,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    review = review_create(parent=articles, author=creator, product=product)
    endpoint_add(closed_port_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailadmin_pages:unpublish", args=[review.pk])
        )
    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.live
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_a_slow_receiver_times_out_and_is_retried(
    receiver,
    monkeypatch,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(webhook_delivery, "TIMEOUT_SECONDS", 0.2)
    receiver.delay_seconds = 1
    endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert "Timed out" in delivery.last_error or "timed out" in delivery.last_error


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint_add(receiver.url())
    receiver.statuses = [302]
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert len(receiver.received()) == 1


def test_an_attempt_is_made_once_even_if_asked_twice(
    receiver, articles, creator, product
):
    endpoint_add(receiver.url())
    review_create(parent=articles, author=creator, product=product)
    # The commit never comes inside the test's transaction: the delivery waits.
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 0
    now = timezone.now()
    assert webhook_delivery_attempt(delivery_pk=delivery.pk, now=now) is not None
    assert webhook_delivery_attempt(delivery_pk=delivery.pk, now=now) is None
    assert len(receiver.received()) == 1


def test_a_rolled_back_change_sends_nothing(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    from django.db import transaction

    endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            product.save()
            raise RuntimeError("the change fails")
    assert WebhookDelivery.objects.count() == 0
    assert receiver.received() == []


def test_a_rotated_secret_signs_the_retries(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint = endpoint_add(receiver.url())
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    old_secret = endpoint.secret
    webhook_endpoint_secret_rotate(endpoint=endpoint)
    assert endpoint.secret != old_secret
    delivery = WebhookDelivery.objects.get()
    webhook_deliveries_retry(now=delivery.next_attempt_at)
    retried = receiver.received()[-1]
    signature_verify(
        secret=endpoint.secret,
        body=retried.body,
        header=retried.headers[SIGNATURE_HEADER],
        now=delivery.next_attempt_at.timestamp(),
    )


def test_a_paused_endpoint_fails_its_pending_deliveries(
    receiver, articles, creator, product
):
    endpoint = endpoint_add(receiver.url())
    review_create(parent=articles, author=creator, product=product)
    endpoint.is_active = False
    endpoint.save()
    delivery = WebhookDelivery.objects.get()
    webhook_deliveries_retry(now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "not active" in delivery.last_error
    assert receiver.received() == []


def test_the_schedule_retries_due_deliveries(receiver, articles, creator, product):
    endpoint_add(receiver.url())
    review_create(parent=articles, author=creator, product=product)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    # Everything it runs takes the current time: the delivery is due now.
    schedule_run_once()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert json.loads(delivery.payload)["type"] == "article.published"


def test_finished_deliveries_are_forgotten_after_the_retention_period(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint_add(receiver.url())
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        review_create(parent=articles, author=creator, product=product, title="Two")
    pending, succeeded = WebhookDelivery.objects.order_by("pk")
    assert (pending.status, succeeded.status) == ("pending", "succeeded")
    month_later = succeeded.created_at + datetime.timedelta(days=30)
    assert webhook_deliveries_purge(older_than_days=30, now=month_later) == 0
    later = month_later + datetime.timedelta(seconds=1)
    assert webhook_deliveries_purge(older_than_days=30, now=later) == 1
    assert list(WebhookDelivery.objects.all()) == [pending]
