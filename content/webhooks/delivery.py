"""Sending webhook deliveries: one signed POST per attempt, retried with backoff
(``content.webhooks.tasks`` runs these; ``content.webhooks.services`` writes the
deliveries they send)."""

import datetime
import logging

import requests
from django.utils import timezone

from content.models import (
    DeliveryStatus,
    WebhookDelivery,
)
from products.outbound import outbound_failure, outbound_request
from products.signing import SIGNATURE_HEADER, signature_make

logger = logging.getLogger(__name__)

DELIVERY_HEADER = "Zhongcao-Delivery"
EVENT_HEADER = "Zhongcao-Event"
USER_AGENT = "Zhongcao-Webhooks/1"
# Seconds to connect, and to wait for each read of the answer.
TIMEOUT_SECONDS = 5
# After the first attempt fails, the next ones wait this long; after the last, the
# delivery has failed (an editor can still redeliver it).
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An attempt claims its delivery for this long: a second worker (or the scheduled
# retry) leaves it alone meanwhile; one that died mid-attempt is retried after it.
ATTEMPT_LEASE = datetime.timedelta(minutes=2)
# Deliveries the scheduled retry attempts per run, oldest due first.
RETRY_BATCH_SIZE = 100
ERROR_LENGTH = 200


def _post(*, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST through the product's outbound client (products.outbound: no internal
    address, http(s) only) and return (status code, error); the code is None when
    none came. A redirect is an answer, not a new address to POST the event to. The
    error is worded for editors: never an address, a port or an OS error."""
    try:
        answer = outbound_request(
            method="POST",
            url=url,
            headers=headers,
            data=body,
            timeout=TIMEOUT_SECONDS,
            max_redirects=0,
        )
    except requests.RequestException as error:
        return None, outbound_failure(error, timeout=TIMEOUT_SECONDS)
    if 200 <= answer.status_code < 300:
        return answer.status_code, ""
    return answer.status_code, f"HTTP {answer.status_code}"


def webhook_delivery_attempt(
    *, delivery_pk: int, now: datetime.datetime | None = None
) -> WebhookDelivery | None:
    """Attempt one pending delivery that is due at ``now``; None if it is not (sent
    already, or claimed by another attempt). Safe to run twice and concurrently:
    the attempt first claims the row with a conditional update.

    A 2xx answer succeeds. Anything else (no answer, a timeout, another status)
    schedules the next attempt after RETRY_DELAYS, and fails the delivery after
    MAX_ATTEMPTS.
    """
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_pk)
    endpoint = delivery.endpoint
    attempts = delivery.attempts + 1
    if not endpoint.is_active:
        status_code, error = None, "The endpoint is not active."
        attempts = delivery.attempts
        succeeded, final = False, True
    else:
        body = delivery.payload.encode()
        status_code, error = _post(
            url=endpoint.url,
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                SIGNATURE_HEADER: signature_make(
                    secret=endpoint.secret, body=body, timestamp=int(now.timestamp())
                ),
                DELIVERY_HEADER: str(delivery.delivery_id),
                EVENT_HEADER: delivery.event_type,
            },
        )
        succeeded = status_code is not None and 200 <= status_code < 300
        final = succeeded or attempts >= MAX_ATTEMPTS
    if succeeded:
        status, next_attempt_at = DeliveryStatus.SUCCEEDED, None
    elif final:
        status, next_attempt_at = DeliveryStatus.FAILED, None
    else:
        status, next_attempt_at = (
            DeliveryStatus.PENDING,
            now + RETRY_DELAYS[attempts - 1],
        )
    if not succeeded:
        logger.warning(
            "Webhook delivery %s to endpoint %s: %s",
            delivery.pk,
            endpoint.pk,
            error or f"HTTP {status_code}",
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=attempts,
        last_status_code=status_code,
        last_error=error[:ERROR_LENGTH],
        last_attempt_at=now,
        next_attempt_at=next_attempt_at,
        updated_at=now,
    )
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_deliver(
    *, delivery_pks: list[int], now: datetime.datetime | None = None
) -> int:
    """Attempt each of the deliveries that is due; how many were attempted."""
    attempted = 0
    for delivery_pk in delivery_pks:
        if webhook_delivery_attempt(delivery_pk=delivery_pk, now=now) is not None:
            attempted += 1
    return attempted


def webhook_deliveries_retry(*, now: datetime.datetime | None = None) -> int:
    """Attempt the pending deliveries that are due (at most RETRY_BATCH_SIZE, oldest
    due first); how many were attempted."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:RETRY_BATCH_SIZE]
    )
    return webhook_deliveries_deliver(delivery_pks=due, now=now)


def webhook_deliveries_purge(
    *, older_than_days: int, now: datetime.datetime | None = None
) -> int:
    """Delete finished (succeeded or failed) deliveries made more than
    ``older_than_days`` ago; pending ones stay whatever their age. How many went."""
    now = now or timezone.now()
    deleted, _per_model = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED],
        created_at__lt=now - datetime.timedelta(days=older_than_days),
    ).delete()
    return deleted
