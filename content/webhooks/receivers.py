"""Signal receivers that turn content and catalog changes into webhook events
(connected by ``ContentConfig.ready()`` through ``webhook_receivers_connect``).

Telling frontends that content changed is cache-purge style upkeep, not domain
flow, so it listens to signals (HOUSE_STYLE: signals only for framework upkeep).
It must also see every way a change happens: Wagtail's admin unpublishes through
its actions (not Page.unpublish), deletes descendants in bulk and schedules
publishing, and products must not import content, so content listens to the
products models' signals here. A webhook failure never fails the change: the
events are only stored here, in the change's transaction, and sent after it.
"""

import logging

from django.db.models.signals import post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished

from content.models import ArticlePage, WebhookEvent
from content.webhooks.services import article_event_emit, product_changed_emit
from products.models import Offer, Product

logger = logging.getLogger(__name__)


def _emit(emit, **kwargs) -> None:
    try:
        emit(**kwargs)
    except Exception:  # noqa: BLE001 (upkeep must never make the change fail)
        logger.exception("Could not store a webhook event (%s)", emit.__name__)


def _article_published(sender, instance, **kwargs):
    if isinstance(instance, ArticlePage):
        _emit(
            article_event_emit,
            article=instance,
            event_type=WebhookEvent.ARTICLE_PUBLISHED,
        )


def _article_unpublished(sender, instance, **kwargs):
    if not isinstance(instance, ArticlePage):
        return
    # Wagtail unpublishes a live page without saving it just before deleting it:
    # that is told as article.deleted, not as an unpublish.
    if Page.objects.filter(pk=instance.pk, live=True).exists():
        return
    _emit(
        article_event_emit,
        article=instance,
        event_type=WebhookEvent.ARTICLE_UNPUBLISHED,
    )


def _article_slug_changed(sender, instance, instance_before, **kwargs):
    # Sent after the publish that changed the slug has committed: the published
    # event said the new path, this one also names the old one.
    if isinstance(instance, ArticlePage) and instance.live:
        _emit(
            article_event_emit,
            article=instance,
            event_type=WebhookEvent.ARTICLE_PUBLISHED,
            previous=instance_before,
        )


def _article_deleted(sender, instance, **kwargs):
    _emit(article_event_emit, article=instance, event_type=WebhookEvent.ARTICLE_DELETED)


def _product_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _emit(product_changed_emit, product_id=instance.pk, slug=instance.slug)


# Saving only these changes nothing a reader sees (a feed giving an offer its id).
_OFFER_FIELDS_UNSEEN = frozenset({"feed_item_id", "updated_at"})


def _offer_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and update_fields <= _OFFER_FIELDS_UNSEEN):
        return
    _emit(product_changed_emit, product_id=instance.product_id)


def webhook_receivers_connect() -> None:
    """Listen to the changes that make webhook events."""
    # Sent with the specific class (ReviewPage, GuidePage): no sender filter.
    page_published.connect(_article_published, dispatch_uid="content_webhooks")
    page_unpublished.connect(_article_unpublished, dispatch_uid="content_webhooks")
    page_slug_changed.connect(_article_slug_changed, dispatch_uid="content_webhooks")
    # Deleting any article deletes its ArticlePage row too, alone or in bulk.
    pre_delete.connect(
        _article_deleted, sender=ArticlePage, dispatch_uid="content_webhooks"
    )
    for model, receiver in [(Product, _product_changed), (Offer, _offer_changed)]:
        post_save.connect(receiver, sender=model, dispatch_uid="content_webhooks")
        # Before the delete: the articles featuring it are still known.
        pre_delete.connect(receiver, sender=model, dispatch_uid="content_webhooks")
