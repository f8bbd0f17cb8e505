"""The money pages of the Wagtail admin (registered in wagtail_hooks): conversions,
the ledger, payout runs and merchant connections, for editors only. Each viewset
declares only the pages the ledger's rules allow; the views are in views.py."""

from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, UserColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from affiliates.admin.forms import CreatorProfileForm
from affiliates.admin.views import connections as connection_views
from affiliates.admin.views import conversions as conversion_views
from affiliates.admin.views import ledger as ledger_views
from affiliates.admin.views import network_connections as network_views
from affiliates.admin.views import payouts as payout_views
from affiliates.creators.services import creator_enroll
from affiliates.models import (
    Conversion,
    CreatorProfile,
    LedgerEntry,
    MerchantConnection,
    NetworkConnection,
    PayoutRun,
)
from affiliates.templatetags.affiliates_money import money


class InspectURLFinder(ModelAdminURLFinder):
    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and not policy.user_has_permission(self.user, "view"):
            return None
        return self.construct_edit_url(instance)


class MoneyViewSet(ModelViewSet):
    """A money model's pages: only those listed in ``get_urlpatterns``, so an edit or
    delete page that the ledger's rules forbid does not exist at all."""

    inspect_view_enabled = True
    copy_view_enabled = False
    # The reference index would add writes to every postback and ledger entry.
    add_to_reference_index = False

    @property
    def url_finder_class(self):
        # Where the admin links to an object ("edit URL"), these link to the
        # inspect page: there is no edit page.
        return type(
            f"{self.model.__name__}URLFinder",
            (InspectURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_permissions_to_register(self):
        # Access is the EditorsPermissionPolicy's, not a group's model permissions:
        # nothing to tick in the group editor.
        return Permission.objects.none()

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class ConversionViewSet(MoneyViewSet):
    model = Conversion
    name = "affiliates_conversions"
    url_prefix = "money/conversions"
    icon = "clipboard-list"
    menu_label = _("Conversions")
    index_view_class = conversion_views.ConversionIndexView
    inspect_view_class = conversion_views.ConversionInspectView
    list_display = [
        "order_id",
        "merchant",
        "author",
        "article",
        Column(
            "sale",
            label=_("Sale"),
            accessor=lambda conversion: money(conversion.amount, conversion.currency),
            sort_key="amount",
        ),
        Column(
            "platform_commission",
            label=_("Commission"),
            accessor=lambda conversion: money(
                conversion.commission, conversion.currency
            ),
            sort_key="commission",
        ),
        "status",
        Column(
            "review",
            label=pgettext_lazy("held conversion", "Review"),
            accessor=conversion_views.review_display,
        ),
        DateColumn("occurred_at", label=_("Purchased"), sort_key="occurred_at"),
    ]
    filterset_class = conversion_views.ConversionFilterSet
    search_fields = ["order_id", "click_id"]
    search_backend_name = None  # a plain icontains on the fields above
    list_per_page = 50
    inspect_view_fields = [
        "order_id",
        "merchant",
        "status",
        "source",
        "amount",
        "commission",
        "stated_commission",
        "commission_rate",
        "occurred_at",
        "received_at",
        "click_id",
        "clicked_at",
        "link",
        "article",
        "author",
        "offer",
        "placement",
        "unattributed_reason",
        "author_share",
        "override_1_share",
        "override_2_share",
        "hold_until",
        "hold_reason",
        "review",
        "reviewed_by",
    ]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            review_url_name=self.get_url_name("review"), **kwargs
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "review/<int:pk>/",
                self.construct_view(
                    conversion_views.ConversionReviewView,
                    inspect_url_name=self.get_url_name("inspect"),
                ),
                name="review",
            ),
        ]


class LedgerEntryViewSet(MoneyViewSet):
    model = LedgerEntry
    name = "affiliates_ledger"
    url_prefix = "money/ledger"
    icon = "list-ol"
    menu_label = _("Ledger")
    index_view_class = ledger_views.LedgerIndexView
    inspect_view_class = ledger_views.LedgerInspectView
    list_display = [
        "kind",
        Column(
            "creator",
            label=_("Creator"),
            accessor=lambda entry: entry.creator or _("Platform"),
        ),
        Column(
            "conversion",
            label=_("Order"),
            accessor=lambda entry: (
                entry.conversion.order_id if entry.conversion_id else ""
            ),
        ),
        "status",
        Column(
            "amount",
            label=_("Amount"),
            accessor=lambda entry: money(entry.amount, entry.currency),
            sort_key="amount",
        ),
        "currency",
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        "note",
    ]
    list_filter = ["creator", "kind", "status", "currency"]
    list_per_page = 50
    inspect_view_fields = [
        "creator",
        "conversion",
        "payout",
        "kind",
        "status",
        "amount",
        "origin",
        "reverses",
        "note",
        "created_by",
        "created_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "adjust/",
                self.construct_view(ledger_views.LedgerAdjustView),
                # "add": the listing's Add button leads here.
                name="add",
            ),
        ]


class PayoutRunViewSet(MoneyViewSet):
    model = PayoutRun
    name = "affiliates_payouts"
    url_prefix = "money/payouts"
    icon = "calendar-check"
    menu_label = _("Payouts")
    index_view_class = payout_views.PayoutRunIndexView
    inspect_view_class = payout_views.PayoutRunInspectView
    list_display = [
        "run_date",
        Column("payouts_total", label=_("Payouts")),
        Column("payouts_open", label=_("Open")),
        Column("payouts_paid", label=_("Paid")),
        Column("payouts_failed", label=_("Failed")),
        UserColumn("created_by", label=_("Created by")),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
    ]
    inspect_view_fields = ["run_date", "created_by", "created_at"]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            decide_url_name=self.get_url_name("decide"),
            run_decide_url_name=self.get_url_name("decide_run"),
            export_url_name=self.get_url_name("export"),
            **kwargs,
        )

    def get_urlpatterns(self):
        inspect_url_name = self.get_url_name("inspect")
        return [
            *super().get_urlpatterns(),
            path(
                "new/",
                self.construct_view(
                    payout_views.PayoutRunCreateView, inspect_url_name=inspect_url_name
                ),
                name="add",
            ),
            path(
                "decide/<int:pk>/",
                self.construct_view(
                    payout_views.PayoutRunDecideView, inspect_url_name=inspect_url_name
                ),
                name="decide_run",
            ),
            path(
                "payout/<int:pk>/decide/",
                self.construct_view(
                    payout_views.PayoutDecideView, inspect_url_name=inspect_url_name
                ),
                name="decide",
            ),
            path(
                "export/<int:pk>/",
                self.construct_view(payout_views.PayoutRunExportView),
                name="export",
            ),
        ]


class MerchantConnectionViewSet(MoneyViewSet):
    """Report columns and status words (the model's panels) and the secret."""

    model = MerchantConnection
    name = "affiliates_merchant_connections"
    url_prefix = "money/merchant-connections"
    icon = "key"
    menu_label = _("Merchant connections")
    inspect_view_enabled = False
    url_finder_class = ModelViewSet.url_finder_class  # it has an edit page
    index_view_class = connection_views.MerchantConnectionIndexView
    edit_view_class = connection_views.MerchantConnectionEditView
    list_display = [
        "merchant",
        DateColumn("secret_created_at", label=_("Secret created")),
        "order_id_column",
        "click_id_column",
        "amount_column",
        "status_column",
    ]

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            rotate_url_name=self.get_url_name("rotate"), **kwargs
        )

    def get_urlpatterns(self):
        edit_url_name = self.get_url_name("edit")
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(
                "new/",
                self.construct_view(
                    connection_views.MerchantConnectionCreateView,
                    edit_url_name=edit_url_name,
                ),
                name="add",
            ),
            path("edit/<int:pk>/", self.edit_view, name="edit"),
            path(
                "rotate/<int:pk>/",
                self.construct_view(
                    connection_views.MerchantConnectionRotateView,
                    edit_url_name=edit_url_name,
                ),
                name="rotate",
            ),
            path("history/<int:pk>/", self.history_view, name="history"),
            path(
                "history-results/<int:pk>/",
                self.history_results_view,
                name="history_results",
            ),
            path("usage/<int:pk>/", self.usage_view, name="usage"),
        ]


class NetworkConnectionViewSet(MoneyViewSet):
    """Connections to the affiliate networks: their health, their form (credentials
    write-only), Pull now and its progress."""

    model = NetworkConnection
    name = "affiliates_network_connections"
    url_prefix = "money/network-connections"
    icon = "link-external"
    menu_label = _("Network connections")
    index_view_class = network_views.NetworkConnectionIndexView
    inspect_view_class = network_views.NetworkConnectionInspectView
    list_display = [
        "__str__",
        "merchant",
        "kind",
        BooleanColumn("enabled", label=_("Enabled"), sort_key="enabled"),
        Column("health", label=_("Health"), accessor=network_views.health_display),
        Column("orders_today", label=_("Orders today"), sort_key="orders_today"),
        DateColumn("cursor", label=_("Resumes from"), sort_key="cursor"),
        Column(
            "running", label=_("Pull under way"), accessor=network_views.running_display
        ),
    ]
    list_filter = ["kind", "enabled"]
    # Enabled, the cursor and the last success and error are told in words in the
    # page's Health section (network_connection_inspect.html), not repeated raw here;
    # the base URL and interval only for a kind that is pulled (the view drops them).
    inspect_view_fields = [
        "merchant",
        "kind",
        "name",
        "base_url",
        "pull_every_minutes",
        "settings",
        "created_at",
    ]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            pull_url_name=self.get_url_name("pull"),
            progress_url_name=self.get_url_name("progress"),
            **kwargs,
        )

    def get_urlpatterns(self):
        inspect_url_name = self.get_url_name("inspect")
        return [
            *super().get_urlpatterns(),
            path(
                "new/",
                self.construct_view(
                    network_views.NetworkConnectionKindView,
                    add_kind_url_name=self.get_url_name("add_kind"),
                ),
                name="add",
            ),
            path(
                "new/<str:kind>/",
                self.construct_view(
                    network_views.NetworkConnectionCreateView,
                    inspect_url_name=inspect_url_name,
                ),
                name="add_kind",
            ),
            path(
                "edit/<int:pk>/",
                self.construct_view(
                    network_views.NetworkConnectionEditView,
                    inspect_url_name=inspect_url_name,
                ),
                name="edit",
            ),
            path(
                "pull/<int:pk>/",
                self.construct_view(
                    network_views.NetworkConnectionPullView,
                    inspect_url_name=inspect_url_name,
                ),
                name="pull",
            ),
            path(
                "progress/<int:pk>/",
                self.construct_view(network_views.NetworkConnectionProgressView),
                name="progress",
            ),
        ]


class MoneyViewSetGroup(ViewSetGroup):
    menu_label = _("Money")
    menu_name = "money"
    menu_icon = "decimal"
    menu_order = 220
    items = (
        ConversionViewSet,
        LedgerEntryViewSet,
        PayoutRunViewSet,
        MerchantConnectionViewSet,
        NetworkConnectionViewSet,
    )


class CreatorProfileCreateView(CreateView):
    def save_instance(self):
        return creator_enroll(profile=super().save_instance())


class CreatorProfileEditView(EditView):
    def save_instance(self):
        return creator_enroll(profile=super().save_instance())


class CreatorProfileViewSet(SnippetViewSet):
    model = CreatorProfile
    edit_handler = ObjectList(CreatorProfile.panels, base_form_class=CreatorProfileForm)
    icon = "user"
    menu_label = _("Creators")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["public_name", "kind", "referred_by", "user"]
    list_filter = ["kind"]
    add_view_class = CreatorProfileCreateView
    edit_view_class = CreatorProfileEditView


def money_viewsets():
    return MoneyViewSetGroup()


def money_log_actions_register(actions):
    """The money actions that only a service takes, named in the history."""
    actions.register_action(
        "affiliates.rotate_secret",
        _("Rotate postback secret"),
        _("Postback secret rotated"),
    )
    actions.register_action(
        "affiliates.pull_now",
        _("Pull now"),
        _("Pull of the network's report started"),
    )
    actions.register_action(
        "affiliates.payout_method",
        _("Set payout method"),
        _("Payout method set"),
    )
    actions.register_action(
        "affiliates.payout_export",
        _("Export payouts"),
        _("Payouts exported with their accounts"),
    )
