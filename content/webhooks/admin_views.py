"""Editors' webhook pages in the Wagtail admin: endpoints (with their signing
secret) and the delivery log. Each view parses its input, calls one function of
``content.webhooks.services`` and renders. Who may open a page is the model's
``EditorsPermissionPolicy`` (registered in ``wagtail_hooks``), checked on every
request, GET or POST."""

import json

from django import forms
from django.contrib.admin.utils import quote
from django.core.validators import URLValidator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log

from affiliates.admin.views.base import (
    ActionView,
    CheckedInspectView,
    Confirmation,
    SecretKeepingEditView,
    secret_reveal_once,
)
from content.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from content.webhooks.selectors import webhook_deliveries
from content.webhooks.services import (
    WebhookError,
    webhook_delivery_redeliver,
    webhook_endpoint_secret_rotate,
)

# -- Endpoints ------------------------------------------------------------------------


class WebhookEndpointForm(WagtailAdminModelForm):
    """An endpoint's address, events and switch; its secret is generated, never
    typed in (shown on the edit page)."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        # An address without a scheme is taken as https://, never as plain http.
        assume_scheme="https",
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=_("Enter an http:// or https:// address."),
            )
        ],
        help_text=_("An http:// or https:// address that accepts POST requests."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]


def events_display(endpoint: WebhookEndpoint) -> str:
    return ", ".join(endpoint.events)


class WebhookEndpointCreateView(CreateView):
    """After saving, the edit page: it shows the new signing secret."""

    def get_success_url(self):
        secret_reveal_once(self.request, self.object)
        return self.get_edit_url()

    def get_success_message(self, instance):
        return _("Webhook “%(name)s” added; give its receiver the secret below.") % {
            "name": instance.name
        }


class WebhookEndpointEditView(SecretKeepingEditView):
    template_name = "content/admin/webhook_endpoint_edit.html"
    shown_once_field = "secret"


class WebhookEndpointRotateView(ActionView):
    """GET asks; POST: a new signing secret for the endpoint."""

    model = WebhookEndpoint
    permission_required = "change"
    edit_url_name = None

    def get_confirmation(self, target, choice):
        return Confirmation(
            title=_("Rotate the signing secret of “%(name)s”?") % {"name": target.name},
            message=_(
                "The old secret stops signing at once, retries included: the "
                "receiver refuses deliveries until it checks with the new one."
            ),
            button_label=_("Yes, rotate"),
            serious=True,
        )

    def perform(self, target, choice):
        webhook_endpoint_secret_rotate(endpoint=target)
        log(target, "content.rotate_webhook_secret", user=self.request.user)
        secret_reveal_once(self.request, target)
        return _(
            "A new signing secret for “%(name)s” is in force; the old one signs "
            "nothing any more."
        ) % {"name": target.name}

    def get_return_url(self, target):
        return reverse(self.edit_url_name, args=[quote(target.pk)])


# -- Deliveries -----------------------------------------------------------------------


class WebhookDeliveryIndexView(IndexView):
    def get_base_queryset(self):
        return webhook_deliveries()


class WebhookDeliveryInspectView(CheckedInspectView):
    """One delivery: its payload, attempts and last answer; Redeliver when done."""

    template_name = "content/admin/webhook_delivery_inspect.html"
    page_title = _("Webhook delivery")
    redeliver_url_name = None

    def get_queryset(self):
        return webhook_deliveries()

    def get_page_subtitle(self):
        return f"{self.object.event_type} → {self.object.endpoint}"

    def get_payload_display_value(self):
        try:
            text = json.dumps(
                json.loads(self.object.payload), indent=2, ensure_ascii=False
            )
        except ValueError:
            text = self.object.payload
        return format_html("<pre>{}</pre>", text)

    def get_last_status_code_display_value(self):
        code = self.object.last_status_code
        return "" if code is None else str(code)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_redeliver = self.object.status != DeliveryStatus.PENDING and (
            self.user_has_permission("redeliver")
        )
        return {
            **context,
            "can_redeliver": can_redeliver,
            "redeliver_url": reverse(
                self.redeliver_url_name, args=[quote(self.object.pk)]
            ),
        }


class WebhookDeliveryRedeliverView(PermissionCheckedMixin, View):
    """POST: send a finished delivery's event again, as a new delivery."""

    http_method_names = ["post"]
    model = WebhookDelivery
    permission_required = "redeliver"
    inspect_url_name = None

    def post(self, request, pk):
        delivery = get_object_or_404(webhook_deliveries(), pk=pk)
        try:
            copy = webhook_delivery_redeliver(delivery=delivery)
        except WebhookError as error:
            messages.error(request, str(error))
            return redirect(self.inspect_url_name, quote(delivery.pk))
        messages.success(request, _("The event is being delivered again."))
        return redirect(self.inspect_url_name, quote(copy.pk))
