"""Network connections in the admin: the list with each one's health, a new
connection (its kind first, then its form), editing one (its credentials
write-only), its health page with the recent pulls, Pull now, and the running
pull's progress as JSON for that page to poll.

Who may open any of them is NetworkConnection's ``EditorsPermissionPolicy``
(``wagtail_hooks``): editors only, checked before any object is looked up.
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log

from affiliates.admin.forms import NetworkConnectionForm
from affiliates.admin.views.base import CheckedInspectView, ServiceFormView
from affiliates.commissions.networks.base import connector_registry
from affiliates.commissions.networks.connections import (
    ConnectionChanges,
    connection_inbound_url,
    connection_kinds,
    connection_run_running,
    connection_runs_recent,
    credentials_masked,
    network_connection_save,
    network_connections,
    run_progress,
    tracking_ids_pool,
)
from affiliates.commissions.networks.feeds import FEED_KIND
from affiliates.models import ConnectionRun, NetworkConnection, RunState
from affiliates.tasks import pull_conversions, sync_offer_feed
from affiliates.tracking.trackingids import TrackingIdInvalid, tracking_ids_import

# The running pull's counters, for the list (one query for the page).
_RUNNING = ConnectionRun.objects.filter(
    connection=OuterRef("pk"), state=RunState.RUNNING
)


def network_connections_listed():
    # The list shows no credential, so it reads none (nor fails on a key gone).
    return (
        network_connections()
        .defer("credentials")
        .annotate(
            running_seen=Subquery(_RUNNING.values("lines_seen")[:1]),
            running_applied=Subquery(_RUNNING.values("lines_applied")[:1]),
            running_rejected=Subquery(_RUNNING.values("lines_rejected")[:1]),
        )
    )


def health_display(connection) -> str:
    """The list's health cell: the last success, or the last error with its reason
    when it is the newer, in the editor's time zone (Wagtail's, while it renders)."""
    success, error = connection.last_success_at, connection.last_error_at
    if error and (not success or error > success):
        return _("Failed %(when)s: %(reason)s") % {
            "when": f"{timezone.localtime(error):%Y-%m-%d %H:%M}",
            "reason": connection.last_error,
        }
    if success:
        return _("OK %(when)s") % {
            "when": f"{timezone.localtime(success):%Y-%m-%d %H:%M}"
        }
    if connection.kind == FEED_KIND:
        return _("Never synced")
    return _("Never pulled") if connector_registry().get(connection.kind) else ""


def running_display(connection) -> str:
    if connection.running_seen is None:
        return ""
    return _("Pulling: %(seen)s read, %(applied)s applied, %(rejected)s refused") % {
        "seen": connection.running_seen,
        "applied": connection.running_applied,
        "rejected": connection.running_rejected,
    }


class NetworkConnectionIndexView(IndexView):
    add_item_label = _("Connect a network")
    template_name = "affiliates/admin/described_index.html"
    # Beside Merchant connections in the Money menu: which one is the networks'.
    page_description = _(
        "Affiliate networks: their APIs we pull orders from (JD, Taobao, Awin, "
        "Impact…), or a postback URL a network calls in its own parameters "
        "(templated postback). For a merchant posting our signed postback, use "
        "Merchant connections."
    )

    def get_base_queryset(self):
        return network_connections_listed()

    def get_edit_url(self, instance):
        # A row leads to the connection's health; its page links to the form.
        return self.get_inspect_url(instance)


class NetworkConnectionKindView(
    PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """A new connection starts with its kind: the credentials it asks for follow."""

    model = NetworkConnection
    permission_required = "add"
    template_name = "affiliates/admin/network_connection_kinds.html"
    page_title = _("Connect a network")
    header_icon = "key"
    index_url_name = None
    add_kind_url_name = None

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "kinds": [
                (label, reverse(self.add_kind_url_name, args=[value]))
                for value, label in connection_kinds()
            ],
        }


# A server error's report (Django's error e-mails, a debugging page) leaves out the
# posted credentials.
@method_decorator(sensitive_post_parameters(), name="dispatch")
class NetworkConnectionFormView(ServiceFormView):
    """The form of a new connection and of an existing one; the service checks it,
    and what it refuses is shown on the field it names, with nothing written."""

    model = NetworkConnection
    form_class = NetworkConnectionForm
    template_name = "affiliates/admin/network_connection_form.html"
    inspect_url_name = None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "kind": self.kind,
            "connection": self.object,
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "kind_label": dict(connection_kinds()).get(self.kind, self.kind),
            "object": self.object,
            "inbound_url": (
                connection_inbound_url(connection=self.object) if self.object else ""
            ),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        changes = ConnectionChanges(
            name=data["name"],
            enabled=data["enabled"],
            base_url=data.get("base_url"),
            pull_every_minutes=data.get("pull_every_minutes"),
            settings=data["settings"],
            credentials=form.credentials(),
        )
        try:
            with transaction.atomic():
                connection = network_connection_save(
                    merchant=self.object.merchant if self.object else data["merchant"],
                    kind=self.kind,
                    changes=changes,
                    connection=self.object,
                )
                tracking_ids_import(
                    connection=connection,
                    values=data["tracking_ids"].splitlines(),
                )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
            return self.form_invalid(form)
        except TrackingIdInvalid as error:
            form.add_error("tracking_ids", str(error))
            return self.form_invalid(form)
        log(
            connection,
            "wagtail.edit" if self.object else "wagtail.create",
            user=self.request.user,
        )
        messages.success(self.request, self.get_success_message(connection))
        return redirect(reverse(self.inspect_url_name, args=[quote(connection.pk)]))


class NetworkConnectionCreateView(NetworkConnectionFormView):
    permission_required = "add"
    submit_button_label = _("Connect")
    object = None

    def dispatch(self, request, *args, kind, **kwargs):
        self.kind = kind
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self._kind_check()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._kind_check()
        return super().post(request, *args, **kwargs)

    def _kind_check(self):
        if self.kind not in dict(connection_kinds()):
            raise Http404

    def get_page_title(self):
        return _("Connect: %(kind)s") % {
            "kind": dict(connection_kinds()).get(self.kind, self.kind)
        }

    def get_success_message(self, result):
        return _("%(connection)s connected.") % {"connection": result}


class NetworkConnectionEditView(NetworkConnectionFormView):
    permission_required = "change"
    submit_button_label = _("Save")

    def dispatch(self, request, *args, pk, **kwargs):
        # Permission first (PermissionCheckedMixin), then the object: a creator
        # learns nothing of which connections exist.
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.object = get_object_or_404(
            NetworkConnection.objects.select_related("merchant"), pk=pk
        )
        self.kind = self.object.kind
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        connection = self.object
        return {
            "name": connection.name,
            "enabled": connection.enabled,
            "base_url": connection.base_url,
            "pull_every_minutes": connection.pull_every_minutes,
            "settings": connection.settings,
        }

    def get_page_title(self):
        return _("Edit %(connection)s") % {"connection": self.object}

    def get_success_message(self, result):
        return _("%(connection)s saved.") % {"connection": result}


class NetworkConnectionInspectView(CheckedInspectView):
    """A connection's health: its last success and error, orders today, the cursor,
    its credentials masked, a templated postback's inbound URL, Pull now and the
    recent pulls (their windows, counts, refusals and errors)."""

    template_name = "affiliates/admin/network_connection_inspect.html"
    pull_url_name = None
    progress_url_name = None

    # Shown only for a kind that is pulled: a network that calls us, or sends files,
    # has no API address nor interval.
    pull_only_fields = ("base_url", "pull_every_minutes")

    def get_queryset(self):
        return network_connections()

    def get_fields_context(self):
        fields = self.fields
        if connector_registry().get(self.object.kind) is None:
            fields = [name for name in fields if name not in self.pull_only_fields]
        return [self.get_context_for_field(name) for name in fields]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        connection = self.object
        running = connection_run_running(connection=connection)
        is_feed = connection.kind == FEED_KIND
        pulled = is_feed or connector_registry().get(connection.kind) is not None
        return {
            "is_feed": is_feed,
            **context,
            "credentials_masked": credentials_masked(connection=connection),
            "inbound_url": connection_inbound_url(connection=connection),
            "pulled": pulled,
            "can_pull": pulled and self.user_has_permission("pull"),
            "edit_url": reverse(self.edit_url_name, args=[quote(connection.pk)]),
            "pull_url": reverse(self.pull_url_name, args=[quote(connection.pk)]),
            "progress_url": reverse(
                self.progress_url_name, args=[quote(connection.pk)]
            ),
            "running": running,
            "runs": connection_runs_recent(connection=connection),
            "tracking_ids": tracking_ids_pool(connection=connection),
        }


class NetworkConnectionPullView(PermissionCheckedMixin, View):
    """Pull now: enqueue the connection's pull for a worker (POST, CSRF-checked by
    Django). A pull already running is reported, not doubled; a second one that
    slips in anyway is refused by the database (``PullBusy`` in the task)."""

    http_method_names = ["post"]
    model = NetworkConnection
    permission_required = "pull"
    inspect_url_name = None

    def post(self, request, pk):
        connection = get_object_or_404(NetworkConnection, pk=pk)
        back = redirect(reverse(self.inspect_url_name, args=[quote(connection.pk)]))
        is_feed = connection.kind == FEED_KIND
        if not is_feed and connector_registry().get(connection.kind) is None:
            messages.error(
                request,
                _("A %(kind)s connection is not pulled: its network calls us.")
                % {"kind": connection.get_kind_display()},
            )
            return back
        running = connection_run_running(connection=connection)
        if running is not None:
            messages.warning(
                request,
                _(
                    "A pull of %(connection)s is already running (%(seen)s order "
                    "lines read so far); it was not started again."
                )
                % {"connection": connection, "seen": running.lines_seen},
            )
            return back
        if is_feed:
            sync_offer_feed.enqueue(connection.pk)
        else:
            pull_conversions.enqueue(connection.pk)
        log(connection, "affiliates.pull_now", user=request.user)
        messages.success(
            request,
            _("A pull of %(connection)s was started; its progress shows below.")
            % {"connection": connection},
        )
        return back


class NetworkConnectionProgressView(PermissionCheckedMixin, View):
    """The connection's running (or last) pull as JSON, for its page to poll."""

    http_method_names = ["get"]
    model = NetworkConnection
    permission_required = "view"

    def get(self, request, pk):
        connection = get_object_or_404(NetworkConnection, pk=pk)
        run = connection_run_running(connection=connection) or next(
            iter(connection_runs_recent(connection=connection, limit=1)), None
        )
        return JsonResponse(run_progress(run))
