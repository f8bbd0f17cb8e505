"""Reads of the outbound webhooks: endpoints and the delivery log."""

from content.models import (
    WebhookDelivery,
    WebhookEndpoint,
)


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
