"""Webhook endpoints for the tests of content.webhooks: one made in a line, and the
events a test receiver got (tests.content.webhook_receiver)."""

from content.models import WebhookEndpoint

ALL_EVENTS = [
    "article.published",
    "article.unpublished",
    "article.deleted",
    "product.changed",
]


def endpoint_add(url, *, events=None, is_active=True, name="Frontend"):
    return WebhookEndpoint.objects.create(
        name=name,
        url=url,
        events=ALL_EVENTS if events is None else events,
        is_active=is_active,
    )


def events_of(receiver, path="/hook"):
    return [request.json() for request in receiver.received(path)]
