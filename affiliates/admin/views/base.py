"""What the money pages of the admin share: a form that calls one service, an action
that asks first on a confirmation page, an inspect view that checks its object, and
an edit view that keeps a secret it never shows.

Each view parses its input, calls one service or selector and renders; the rules
live in the domains' services. Who may open a page is the model's
``EditorsPermissionPolicy`` (registered in ``wagtail_hooks``), checked by Wagtail's
``PermissionCheckedMixin`` on every request, GET or POST.
"""

from dataclasses import dataclass, field

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import EditView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log

from affiliates.commissions.networks.connections import secret_mask
from affiliates.commissions.services.ledger import LedgerError


def public_name_or_platform(creator) -> str:
    return creator.public_name if creator is not None else str(_("Platform"))


# -- Shared ---------------------------------------------------------------------------


class ServiceFormView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A form whose valid data goes to one service. What the service refuses (a
    ``LedgerError``) is shown as an error of the form, and nothing is written."""

    model = None
    permission_required = "add"
    index_url_name = None
    template_name = "affiliates/admin/service_form.html"
    submit_button_label = _("Save")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(self.model._meta.verbose_name_plural),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "submit_button_label": self.submit_button_label,
        }

    def form_valid(self, form):
        try:
            result = self.perform(**form.cleaned_data)
        except LedgerError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(result))
        return redirect(self.get_result_url(result))

    def perform(self, **data):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        raise NotImplementedError

    def get_result_url(self, result) -> str:
        return reverse(self.index_url_name)


class ActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """An action on one object that asks first, as Wagtail's delete does: GET shows
    what will move (``get_confirmation``) and a form; its POST (with the CSRF
    token) calls one service and returns to a page, with the outcome (or the
    service's refusal) as a message. Posting twice moves nothing twice: the
    service refuses what is already done."""

    http_method_names = ["get", "head", "post"]
    template_name = "affiliates/admin/confirm_action.html"
    header_icon = "warning"
    model = None
    permission_required = None
    choices: dict[str, bool] = {}

    def get(self, request, pk):
        self.target = get_object_or_404(self.get_queryset(), pk=pk)
        self.choice = request.GET.get("outcome", "")
        if self.choices and self.choice not in self.choices:
            return HttpResponseBadRequest(str(_("Unknown action.")))
        self.confirmation = self.get_confirmation(
            self.target, self.choices.get(self.choice)
        )
        return self.render_to_response(self.get_context_data())

    def post(self, request, pk):
        target = get_object_or_404(self.get_queryset(), pk=pk)
        choice = request.POST.get("outcome", "")
        if self.choices and choice not in self.choices:
            return HttpResponseBadRequest(str(_("Unknown action.")))
        try:
            message = self.perform(target, self.choices.get(choice))
        except LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(self.get_return_url(target))

    def get_page_title(self):
        return self.confirmation.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.get_return_url(self.target), "label": str(self.target)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "confirmation": self.confirmation,
            "outcome": self.choice,
            "next": self.get_next_url(),
            "cancel_url": self.get_return_url(self.target),
        }

    def get_next_url(self) -> str:
        """Where the page that linked here asked to return (this site only)."""
        after = self.request.POST.get("next", "") or self.request.GET.get("next", "")
        if after and url_has_allowed_host_and_scheme(
            after,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return after
        return ""

    def get_queryset(self):
        return self.model._default_manager.all()

    def get_confirmation(self, target, choice) -> "Confirmation":
        raise NotImplementedError

    def perform(self, target, choice) -> str:
        raise NotImplementedError

    def get_return_url(self, target) -> str:
        raise NotImplementedError


@dataclass
class Confirmation:
    """What a confirmation page says: the question, what will move (label, value
    rows), the button; or why nothing can be done (``refusal``), with no button."""

    title: str
    message: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    button_label: str = ""
    serious: bool = False
    refusal: str = ""


class CheckedInspectView(InspectView):
    """Wagtail's inspect view looks the object up before it checks permission; this
    one checks first, so that a non-editor gets 403 for any id, existing or not."""

    def get_object(self, queryset=None):
        if not self.user_has_any_permission(self.any_permission_required):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(), pk=self.pk)

    def get_queryset(self):
        return self.model._default_manager.all()


def _reveal_key(instance) -> str:
    return f"secret-reveal:{instance._meta.label_lower}:{instance.pk}"


def secret_reveal_once(request, instance) -> None:
    """The next view of ``instance``'s edit page, by this editor, shows its secret
    in full: once, right after it was made or rotated; masked ever after."""
    request.session[_reveal_key(instance)] = True


class SecretKeepingEditView(EditView):
    """Edits a model whose secret is shown and rotated, never edited in the form
    (merchant connections, webhook endpoints): saves the form's own columns only,
    gives the template the URL of the rotate action, and the secret to show: in
    full only on the first view after it was made or rotated (secret_reveal_once),
    masked otherwise."""

    rotate_url_name = None
    shown_once_field = None

    def save_instance(self):
        # Only the form's own columns: a secret rotated while the form was being
        # saved must not be written back.
        instance = self.form.save(commit=False)
        instance.save(update_fields=list(self.form.fields))
        log(
            instance,
            "wagtail.edit",
            user=self.request.user,
            content_changed=self.form.has_changed(),
        )
        return instance

    def get_context_data(self, **kwargs):
        revealed = self.request.session.pop(_reveal_key(self.object), False)
        secret = getattr(self.object, self.shown_once_field)
        return {
            **super().get_context_data(**kwargs),
            "rotate_url": reverse(self.rotate_url_name, args=[quote(self.object.pk)]),
            "secret_revealed": revealed,
            "secret_shown": secret if revealed else secret_mask(secret),
        }
