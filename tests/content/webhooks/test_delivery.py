"""Delivering webhooks (content.webhooks.delivery): retries with backoff, then
failed; a receiver that is down, slow, redirecting or inside the network never
stopping a change; one attempt however often it is asked for; each attempt signed
when it is made; and finished deliveries forgotten after the retention period.
Every receiver is a real HTTP server started by the test."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import DeliveryStatus, WebhookDelivery
from content.webhooks import delivery as webhook_delivery
from content.webhooks.delivery import (
    RETRY_DELAYS,
    webhook_deliveries_purge,
    webhook_deliveries_retry,
    webhook_delivery_attempt,
)
from content.webhooks.services import webhook_endpoint_secret_rotate
from products.signing import SIGNATURE_HEADER, signature_verify
from tests.conftest import review_create
from tests.content.webhook_endpoints import endpoint_add
from tests.content.webhook_receiver import closed_port_url

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


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
