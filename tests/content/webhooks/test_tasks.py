"""The webhooks' background tasks (content.webhooks.tasks), as the schedule runs
them. The receiver is a real HTTP server started by the test."""

import json

import pytest

from content.models import DeliveryStatus, WebhookDelivery
from tests.conftest import review_create, schedule_run_once
from tests.content.webhook_endpoints import endpoint_add

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_schedule_retries_due_deliveries(receiver, articles, creator, product):
    endpoint_add(receiver.url())
    review_create(parent=articles, author=creator, product=product)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    # Everything it runs takes the current time: the delivery is due now.
    schedule_run_once()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert json.loads(delivery.payload)["type"] == "article.published"
