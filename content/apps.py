from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


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


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from content.models import PageDelegates
        from content.reader import pages as reader_pages
        from content.services import article_links_publish, article_preview_share
        from content.webhooks.receivers import webhook_receivers_connect
        from content.webhooks.services import WebhookBatches

        # What the page models call, served or published, in the layers above them
        # (they cannot import those layers; content.models, "Layering").
        self.page_delegates = PageDelegates(
            home_page_context=reader_pages.home_page_context,
            article_index_page_context=reader_pages.article_index_page_context,
            article_page_context=reader_pages.article_page_context,
            article_links_publish=article_links_publish,
            article_preview_share=article_preview_share,
        )
        # Which webhook events each thread's transaction coalesces (per process).
        self.webhook_batches = WebhookBatches()
        post_migrate.connect(_site_structure_ensure, sender=self)
        webhook_receivers_connect()
