import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_delete
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def _site_structure_ensure(sender, using="default", **kwargs):
    # Framework upkeep, not domain flow: after each migrate (and each test-database
    # flush), make sure the site has its home page, roles and workflow.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    from content.services import site_structure_ensure

    if using != "default":
        return
    # Content comes first in INSTALLED_APPS, so the other apps' content types and
    # permissions are made here before the groups are given them.
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    site_structure_ensure()


# -- Webhooks -------------------------------------------------------------------------
# Telling frontends that content changed is cache-purge style upkeep, not domain
# flow, so it listens to signals (HOUSE_STYLE: signals only for framework upkeep).
# It must also see every way a change happens: Wagtail's admin unpublishes through
# its actions (not Page.unpublish), deletes descendants in bulk and schedules
# publishing, and products must not import content, so content listens to the
# products models' signals here. A webhook failure never fails the change: the
# events are only stored here, in the change's transaction, and sent after it.


def _emit(emit, **kwargs) -> None:
    try:
        emit(**kwargs)
    except Exception:  # noqa: BLE001 (upkeep must never make the change fail)
        logger.exception("Could not store a webhook event (%s)", emit.__name__)


def _article_published(sender, instance, **kwargs):
    from content.models import ArticlePage, WebhookEvent
    from content.webhooks.services import article_event_emit

    if isinstance(instance, ArticlePage):
        _emit(
            article_event_emit,
            article=instance,
            event_type=WebhookEvent.ARTICLE_PUBLISHED,
        )


def _article_unpublished(sender, instance, **kwargs):
    from wagtail.models import Page

    from content.models import ArticlePage, WebhookEvent
    from content.webhooks.services import article_event_emit

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
    from content.models import ArticlePage, WebhookEvent
    from content.webhooks.services import article_event_emit

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
    from content.models import WebhookEvent
    from content.webhooks.services import article_event_emit

    _emit(article_event_emit, article=instance, event_type=WebhookEvent.ARTICLE_DELETED)


def _product_changed(sender, instance, raw=False, **kwargs):
    from content.webhooks.services import product_changed_emit

    if not raw:
        _emit(product_changed_emit, product_id=instance.pk, slug=instance.slug)


def _offer_changed(sender, instance, raw=False, **kwargs):
    from content.webhooks.services import product_changed_emit

    if not raw:
        _emit(product_changed_emit, product_id=instance.product_id)


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_slug_changed, page_unpublished

        from content.models import ArticlePage
        from products.models import Offer, Product

        post_migrate.connect(_site_structure_ensure, sender=self)
        # Sent with the specific class (ReviewPage, GuidePage): no sender filter.
        page_published.connect(_article_published, dispatch_uid="content_webhooks")
        page_unpublished.connect(_article_unpublished, dispatch_uid="content_webhooks")
        page_slug_changed.connect(
            _article_slug_changed, dispatch_uid="content_webhooks"
        )
        # Deleting any article deletes its ArticlePage row too, alone or in bulk.
        pre_delete.connect(
            _article_deleted, sender=ArticlePage, dispatch_uid="content_webhooks"
        )
        for model, receiver in [(Product, _product_changed), (Offer, _offer_changed)]:
            post_save.connect(receiver, sender=model, dispatch_uid="content_webhooks")
            # Before the delete: the articles featuring it are still known.
            pre_delete.connect(receiver, sender=model, dispatch_uid="content_webhooks")
