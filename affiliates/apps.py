import atexit

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffiliatesConfig(AppConfig):
    name = "affiliates"
    verbose_name = _("Affiliates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from wagtail.users.models import UserProfile

        from affiliates.commissions.networks.base import ConnectorRegistry
        from affiliates.commissions.networks.connectors import CONNECTORS
        from affiliates.commissions.services.conversions import clicks_store_settling
        from affiliates.creators.people import time_zone_default_for_language
        from affiliates.tracking.linktargets import signals_connect
        from affiliates.tracking.runtime import TrackingRuntime

        # What tracking keeps per process (affiliates.tracking.runtime): its clicks
        # are stored, then the sales that waited for them settled.
        self.runtime = TrackingRuntime(store=clicks_store_settling)
        # The networks' connectors this process pulls with, by kind of connection
        # (affiliates.commissions.networks.base.connector_registry).
        self.connectors = ConnectorRegistry(CONNECTORS)
        # A graceful exit writes the clicks still in the buffer.
        atexit.register(self.runtime.drain)
        # Cache upkeep: a changed offer, product or merchant changes link targets.
        signals_connect(link_targets=self.runtime.link_targets)
        # Chinese speakers see their days in Asia/Shanghai unless they choose.
        pre_save.connect(
            time_zone_default_for_language,
            sender=UserProfile,
            dispatch_uid="affiliates_time_zone_default",
        )
