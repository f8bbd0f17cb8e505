"""Outbound webhooks: tell frontends what changed, so that they revalidate caches.

An event (an article published, unpublished or deleted, a product or offer changed)
is written as one delivery row per subscribed endpoint, in the transaction that made
the change: an outbox, so that no event is lost and none is sent for a change that
rolled back. After the commit a background task (``content.tasks.deliver_webhooks``)
POSTs each one, signed like merchants' postbacks (``affiliates.commissions.postbacks``); a failure
is retried with backoff by ``content.tasks.retry_webhook_deliveries``, which
``manage.py run_schedule`` runs every minute. A receiver that is down never makes
the change itself fail.
"""

import datetime
import hashlib
import json
import logging
import threading
import uuid
from functools import partial

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from products.models import Product
from products.outbound import outbound_failure, outbound_request
from products.signing import SIGNATURE_HEADER, signature_make

from .models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    webhook_secret_new,
)
from .selectors import articles_featuring_product

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


class WebhookError(Exception):
    """A webhook action that cannot be taken (named in the message)."""


# -- Reads ----------------------------------------------------------------------------


def webhook_endpoints_subscribed(*, event_type: str) -> list[WebhookEndpoint]:
    """Active endpoints that want ``event_type``. Filtered here rather than in SQL:
    JSON containment differs between SQLite and PostgreSQL, and endpoints are few."""
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if endpoint.subscribes_to(event_type)
    ]


def webhook_deliveries():
    """Every delivery, newest first, with its endpoint (the admin's delivery log)."""
    return WebhookDelivery.objects.select_related("endpoint").order_by(
        "-created_at", "-pk"
    )


def page_path(page: Page) -> str | None:
    """The page's URL path on its site (``/articles/a-review/``), if it has one."""
    parts = page.get_url_parts()
    return parts[2] if parts else None


# -- Events ---------------------------------------------------------------------------

# Identical events made in one transaction coalesce into one delivery per endpoint
# (saving a product in the admin saves it and each of its offers). The token names
# the current transaction of this thread; it is renewed once the transaction's
# deliveries are handed over after its commit. Rows of a transaction that rolled
# back are gone, so a token left over by one cannot coalesce anything.
_batch = threading.local()


def _batch_token() -> str:
    token = getattr(_batch, "token", None)
    if token is None:
        token = _batch.token = uuid.uuid4().hex
    return token


def _after_commit(delivery_pks: list[int]) -> None:
    from .tasks import deliver_webhooks

    _batch.token = None
    deliver_webhooks.enqueue(delivery_pks=delivery_pks)


def webhook_event_emit(
    *,
    event_type: str,
    data: dict,
    endpoints: list[WebhookEndpoint],
    now: datetime.datetime | None = None,
) -> list[WebhookDelivery]:
    """Store the event as a pending delivery for each of ``endpoints`` and have them
    delivered once the current transaction commits.

    The body is ``{"id", "type", "created", "data"}``; the same event id goes to
    every endpoint, each delivery has its own delivery id.
    """
    if event_type not in WebhookEvent.values:
        raise WebhookError(f"Unknown event type: {event_type}")
    if not endpoints:
        return []
    now = now or timezone.now()
    event_id = "evt_" + uuid.uuid4().hex
    body = json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "created": now.isoformat(),
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    coalesce_key = hashlib.sha256(
        json.dumps([event_type, data], sort_keys=True).encode()
    ).hexdigest()
    batch = _batch_token()
    with transaction.atomic():
        deliveries = _deliveries_store(
            endpoints=endpoints,
            event_id=event_id,
            event_type=event_type,
            body=body,
            batch=batch,
            coalesce_key=coalesce_key,
            now=now,
        )
        # robust: whatever goes wrong handing them over, the change is committed
        # and the deliveries are stored; the scheduled retry sends them.
        transaction.on_commit(
            partial(_after_commit, [delivery.pk for delivery in deliveries]),
            robust=True,
        )
    return deliveries


def _deliveries_store(
    *,
    endpoints: list[WebhookEndpoint],
    event_id: str,
    event_type: str,
    body: str,
    batch: str,
    coalesce_key: str,
    now: datetime.datetime,
) -> list[WebhookDelivery]:
    existing = {
        delivery.endpoint_id: delivery
        for delivery in WebhookDelivery.objects.filter(
            batch=batch,
            coalesce_key=coalesce_key,
            endpoint__in=endpoints,
            status=DeliveryStatus.PENDING,
            attempts=0,
        )
    }
    deliveries = [
        existing.get(endpoint.pk)
        or WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            payload=body,
            next_attempt_at=now,
            batch=batch,
            coalesce_key=coalesce_key,
            created_at=now,
        )
        for endpoint in endpoints
    ]
    return deliveries


def article_event_emit(
    *, article: Page, event_type: str, previous: Page | None = None
) -> list[WebhookDelivery]:
    """An article event (published, unpublished, deleted) for subscribed endpoints.
    ``previous``: the article as it was before its slug changed; its path is sent
    as ``previous_paths``, so that frontends drop the old address too."""
    endpoints = webhook_endpoints_subscribed(event_type=event_type)
    if not endpoints:
        return []
    path = page_path(article)
    data = {"ids": [article.pk], "paths": [path] if path else []}
    if previous is not None:
        previous_path = page_path(previous)
        data["previous_paths"] = [previous_path] if previous_path else []
    return webhook_event_emit(event_type=event_type, data=data, endpoints=endpoints)


def product_changed_emit(
    *, product_id: int, slug: str | None = None
) -> list[WebhookDelivery]:
    """``product.changed`` for a product (or one of its offers) created, changed or
    deleted: its slug and the paths of the published articles featuring it."""
    endpoints = webhook_endpoints_subscribed(event_type=WebhookEvent.PRODUCT_CHANGED)
    if not endpoints:
        return []
    if slug is None:
        slug = (
            Product.objects.filter(pk=product_id).values_list("slug", flat=True).first()
            or ""
        )
    articles = list(articles_featuring_product(product_id=product_id))
    paths = [path for path in map(page_path, articles) if path]
    return webhook_event_emit(
        event_type=WebhookEvent.PRODUCT_CHANGED,
        data={
            "ids": [product_id],
            "slug": slug,
            "article_ids": [article.pk for article in articles],
            "paths": paths,
        },
        endpoints=endpoints,
    )


# -- Delivery -------------------------------------------------------------------------


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


def webhook_delivery_redeliver(
    *, delivery: WebhookDelivery, now: datetime.datetime | None = None
) -> WebhookDelivery:
    """Send a finished delivery's event again, as a new delivery (new delivery id,
    same event id and body), delivered after the current transaction commits. The
    old one stays in the log as it was."""
    if delivery.status == DeliveryStatus.PENDING:
        raise WebhookError(
            _("This delivery is still pending: it is retried on its own schedule.")
        )
    now = now or timezone.now()
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(partial(_after_commit, [copy.pk]), robust=True)
    return copy


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


def webhook_endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Give the endpoint a new signing secret; the old one signs nothing from now on
    (deliveries are signed when they are attempted, so retries use the new one)."""
    endpoint.secret = webhook_secret_new()
    endpoint.secret_created_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_created_at"])
    return endpoint
