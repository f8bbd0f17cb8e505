"""Webhook events (content.webhooks.services): which endpoints get an event, the
signed body they get, one event id for all of them, one delivery for identical
events of one transaction, nothing for a change rolled back, and a rotated secret.
Every receiver is a real HTTP server started by the test."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from content.models import DeliveryStatus, WebhookDelivery
from content.webhooks.services import webhook_endpoint_secret_rotate
from products.models import Offer
from products.signing import SIGNATURE_HEADER, signature_verify
from tests.conftest import review_create
from tests.content.webhook_endpoints import endpoint_add
from tests.factories import OfferFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


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


def test_a_product_saved_with_its_offers_makes_one_delivery(
    receiver, django_capture_on_commit_callbacks
):
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


def test_a_rolled_back_change_sends_nothing(
    receiver, articles, creator, product, django_capture_on_commit_callbacks
):
    endpoint_add(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            product.save()
            raise RuntimeError("the change fails")
    assert WebhookDelivery.objects.count() == 0
    assert receiver.received() == []
