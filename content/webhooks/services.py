"""Outbound webhooks: tell frontends what changed, so that they revalidate caches.

An event (an article published, unpublished or deleted, a product or offer changed)
is written as one delivery row per subscribed endpoint, in the transaction that made
the change: an outbox, so that no event is lost and none is sent for a change that
rolled back. After the commit a background task
(``content.webhooks.tasks.deliver_webhooks``) POSTs each one
(``content.webhooks.delivery``), signed like merchants' postbacks
(``products.signing``); a failure is retried with backoff by
``content.webhooks.tasks.retry_webhook_deliveries``, which ``manage.py run_schedule``
runs every minute. A receiver that is down never makes the change itself fail.

Layering: models <- selectors, delivery <- tasks <- services (this module enqueues
the tasks, so it imports them; the tasks never import it).
"""

import datetime
import hashlib
import json
import threading
import uuid
from functools import partial

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from content.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    webhook_secret_new,
)
from content.selectors import articles_featuring_product
from content.webhooks.selectors import webhook_endpoints_subscribed
from content.webhooks.tasks import deliver_webhooks
from products.models import Product


class WebhookError(Exception):
    """A webhook action that cannot be taken (named in the message)."""


def page_path(page: Page) -> str | None:
    """The page's URL path on its site (``/articles/a-review/``), if it has one."""
    parts = page.get_url_parts()
    return parts[2] if parts else None


# -- Events ---------------------------------------------------------------------------

# Identical events made in one transaction coalesce into one delivery per endpoint,
# and product.changed events of one transaction merge into one naming all their
# products (saving a product in the admin saves it and each of its offers; a
# merchant feed applies a batch of offers in one transaction). The token names
# the current transaction of this thread; it is renewed once the transaction's
# deliveries are handed over after its commit. Rows of a transaction that rolled
# back are gone, so a token left over by one cannot coalesce anything. The tokens are
# the process's, kept by ContentConfig (webhook_batches).


class WebhookBatches(threading.local):
    """The batch token of each thread's current transaction (one object per
    process, made by ContentConfig.ready)."""

    token: str | None = None


# product.changed events of one transaction are merged (product_changed_emit), not
# only coalesced when identical: their deliveries share this key in the batch.
PRODUCT_CHANGED_KEY = "product.changed"


def _batches() -> WebhookBatches:
    return apps.get_app_config("content").webhook_batches


def _batch_token() -> str:
    batches = _batches()
    token = batches.token
    if token is None:
        token = batches.token = uuid.uuid4().hex
    return token


def _after_commit(delivery_pks: list[int]) -> None:
    _batches().token = None
    deliver_webhooks.enqueue(delivery_pks=delivery_pks)


def webhook_event_emit(
    *,
    event_type: str,
    data: dict,
    endpoints: list[WebhookEndpoint],
    now: datetime.datetime | None = None,
    coalesce_key: str | None = None,
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
    coalesce_key = (
        coalesce_key
        or hashlib.sha256(
            json.dumps([event_type, data], sort_keys=True).encode()
        ).hexdigest()
    )
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


def _product_changed_data(*, product_id: int, slug: str | None) -> dict:
    if slug is None:
        slug = (
            Product.objects.filter(pk=product_id).values_list("slug", flat=True).first()
            or ""
        )
    articles = list(articles_featuring_product(product_id=product_id))
    return {
        "ids": [product_id],
        "slug": slug,
        "slugs": [slug] if slug else [],
        "article_ids": [article.pk for article in articles],
        "paths": [path for path in map(page_path, articles) if path],
    }


def _product_changed_merge(data: dict, more: dict) -> dict:
    """One event for several products: the lists joined, each value once, in the
    order the products changed; ``slug`` is the product's when there is one, else
    empty (``slugs`` names them all)."""
    merged = {
        key: list(dict.fromkeys([*data.get(key, []), *more[key]]))
        for key in ("ids", "slugs", "article_ids", "paths")
    }
    merged["slug"] = data.get("slug", "") if len(merged["ids"]) == 1 else ""
    return {
        "ids": merged["ids"],
        "slug": merged["slug"],
        "slugs": merged["slugs"],
        "article_ids": merged["article_ids"],
        "paths": merged["paths"],
    }


def product_changed_emit(
    *, product_id: int, slug: str | None = None
) -> list[WebhookDelivery]:
    """``product.changed`` for a product (or one of its offers) created, changed or
    deleted: its slug and the paths of the published articles featuring it.

    All the products changed in one transaction make ONE event (a merchant feed's
    batch of offers, a product saved with its offers): its pending deliveries,
    written by the transaction's first change, get the product added to their
    payload (``ids``, ``slugs``, ``article_ids``, ``paths``). Rows are the truth
    (not memory), so a savepoint rolled back takes its additions with it."""
    endpoints = webhook_endpoints_subscribed(event_type=WebhookEvent.PRODUCT_CHANGED)
    if not endpoints:
        return []
    batch = _batch_token()
    with transaction.atomic():
        pending = list(
            WebhookDelivery.objects.select_for_update().filter(
                batch=batch,
                coalesce_key=PRODUCT_CHANGED_KEY,
                endpoint__in=endpoints,
                status=DeliveryStatus.PENDING,
                attempts=0,
            )
        )
        merged: list[WebhookDelivery] = []
        more = None
        for delivery in pending:
            body = json.loads(delivery.payload)
            if product_id in body["data"]["ids"]:
                merged.append(delivery)
                continue
            if more is None:
                more = _product_changed_data(product_id=product_id, slug=slug)
            body["data"] = _product_changed_merge(body["data"], more)
            delivery.payload = json.dumps(
                body, ensure_ascii=False, separators=(",", ":")
            )
            delivery.save(update_fields=["payload"])
            merged.append(delivery)
        covered = {delivery.endpoint_id for delivery in merged}
        missing = [endpoint for endpoint in endpoints if endpoint.pk not in covered]
        if not missing:
            return merged
        return merged + webhook_event_emit(
            event_type=WebhookEvent.PRODUCT_CHANGED,
            data=more or _product_changed_data(product_id=product_id, slug=slug),
            endpoints=missing,
            coalesce_key=PRODUCT_CHANGED_KEY,
        )


# -- Editors' actions ----------------------------------------------------------------


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


def webhook_endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Give the endpoint a new signing secret; the old one signs nothing from now on
    (deliveries are signed when they are attempted, so retries use the new one)."""
    endpoint.secret = webhook_secret_new()
    endpoint.secret_created_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_created_at"])
    return endpoint
