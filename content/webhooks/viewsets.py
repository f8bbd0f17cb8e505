"""The webhook pages of the Wagtail admin (registered in wagtail_hooks), under
Settings, for editors only: endpoints, and the delivery log (read, inspect,
redeliver; deliveries are never edited or deleted by hand). The views are in
admin_views."""

from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet

from affiliates.admin.viewsets import InspectURLFinder
from content.models import WebhookDelivery, WebhookEndpoint
from content.webhooks import admin_views


class EditorsOnlyViewSet(ModelViewSet):
    copy_view_enabled = False
    add_to_settings_menu = True
    # Endpoints and deliveries refer to nothing editors look up by reference.
    add_to_reference_index = False

    def get_permissions_to_register(self):
        # Access is the EditorsPermissionPolicy's (wagtail_hooks), not a group's
        # model permissions: nothing to tick in the group editor.
        return Permission.objects.none()


class WebhookEndpointViewSet(EditorsOnlyViewSet):
    model = WebhookEndpoint
    name = "webhooks"
    url_prefix = "webhooks"
    icon = "link-external"
    menu_label = _("Webhooks")
    menu_order = 800
    add_view_class = admin_views.WebhookEndpointCreateView
    edit_view_class = admin_views.WebhookEndpointEditView
    list_display = [
        "name",
        "url",
        Column("events", label=_("Events"), accessor=admin_views.events_display),
        "is_active",
        DateColumn("secret_created_at", label=_("Secret created")),
    ]
    list_filter = ["is_active"]

    def get_form_class(self, for_update=False):
        return admin_views.WebhookEndpointForm

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            rotate_url_name=self.get_url_name("rotate"), **kwargs
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "rotate/<int:pk>/",
                self.construct_view(
                    admin_views.WebhookEndpointRotateView,
                    edit_url_name=self.get_url_name("edit"),
                ),
                name="rotate",
            ),
        ]


class WebhookDeliveryViewSet(EditorsOnlyViewSet):
    model = WebhookDelivery
    name = "webhook_deliveries"
    url_prefix = "webhooks/deliveries"
    icon = "list-ul"
    menu_label = _("Webhook deliveries")
    menu_order = 801
    inspect_view_enabled = True
    index_view_class = admin_views.WebhookDeliveryIndexView
    inspect_view_class = admin_views.WebhookDeliveryInspectView
    list_display = [
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        DateColumn("next_attempt_at", label=_("Next attempt")),
    ]
    list_filter = ["endpoint", "status", "event_type"]
    list_per_page = 50
    inspect_view_fields = [
        "delivery_id",
        "event_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "created_at",
        "payload",
    ]

    @property
    def url_finder_class(self):
        # Where the admin links to a delivery, it links to its inspect page.
        return type(
            "WebhookDeliveryURLFinder",
            (InspectURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            redeliver_url_name=self.get_url_name("redeliver"), **kwargs
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path(
                "redeliver/<int:pk>/",
                self.construct_view(
                    admin_views.WebhookDeliveryRedeliverView,
                    inspect_url_name=self.get_url_name("inspect"),
                ),
                name="redeliver",
            ),
        ]
