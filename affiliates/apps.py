from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffiliatesConfig(AppConfig):
    name = "affiliates"
    verbose_name = _("Affiliates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .linktargets import signals_connect

        # Cache upkeep: a changed offer, product or merchant changes link targets.
        signals_connect()
