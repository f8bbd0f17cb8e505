"""Registers creators, money and reports in the Wagtail admin; no logic lives here."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from affiliates.admin.panels import (
    creator_dashboard_panels,
    creator_home_panels,
    editor_home_panels,
)
from affiliates.admin.reports.conversions import HELD as HELD_REPORT
from affiliates.admin.reports.conversions import UNATTRIBUTED as UNATTRIBUTED_REPORT
from affiliates.admin.reports.conversions import (
    EditorsMenuItem,
    HeldConversionsReportView,
    UnattributedConversionsReportView,
    report_paths,
)
from affiliates.admin.reports.performance import (
    ArticlesReportView,
    MerchantsReportView,
    PlacementsReportView,
    ProductsReportView,
    QuietOffersReportView,
)
from affiliates.admin.views import LinkHealthReportView
from affiliates.admin.viewsets import MoneyViewSetGroup
from affiliates.commissions.views import OwnEarningsExportView, OwnEarningsView
from affiliates.creators.avatars import user_avatar_url
from affiliates.creators.selectors import creator_profile_for_user
from affiliates.creators.services import creator_enroll
from affiliates.creators.views import OwnPayoutMethodView, OwnProfileView
from affiliates.models import (
    Conversion,
    CreatorProfile,
    LedgerEntry,
    MerchantConnection,
    PayoutRun,
)
from affiliates.roles import EditorsPermissionPolicy

# Money policies first: Wagtail refuses a policy registered after it has made a
# default one for the model. "review", "decide": the only changes there are, each
# through its service. Ledger entries and conversions have no "change" or "delete".
register_permission_policy(
    Conversion, EditorsPermissionPolicy(Conversion, actions={"view", "review"})
)
register_permission_policy(
    LedgerEntry, EditorsPermissionPolicy(LedgerEntry, actions={"view", "add"})
)
register_permission_policy(
    PayoutRun, EditorsPermissionPolicy(PayoutRun, actions={"view", "add", "decide"})
)
register_permission_policy(
    MerchantConnection,
    EditorsPermissionPolicy(MerchantConnection, actions={"view", "add", "change"}),
)


# -- Creators -------------------------------------------------------------------------


class CreatorProfileCreateView(CreateView):
    def save_instance(self):
        return creator_enroll(profile=super().save_instance())


class CreatorProfileEditView(EditView):
    def save_instance(self):
        return creator_enroll(profile=super().save_instance())


class CreatorProfileViewSet(SnippetViewSet):
    model = CreatorProfile
    icon = "user"
    menu_label = _("Creators")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["public_name", "kind", "referred_by", "user"]
    list_filter = ["kind"]
    add_view_class = CreatorProfileCreateView
    edit_view_class = CreatorProfileEditView


register_snippet(CreatorProfileViewSet)


@hooks.register("get_avatar_url")
def _avatar_url(user, size):
    return user_avatar_url(user=user, size=size)


@hooks.register("register_admin_urls")
def _own_pages_urls():
    return [
        path("my-profile/", OwnProfileView.as_view(), name="affiliates_own_profile"),
        path("my-earnings/", OwnEarningsView.as_view(), name="affiliates_own_earnings"),
        path(
            "my-earnings/export/",
            OwnEarningsExportView.as_view(),
            name="affiliates_own_earnings_export",
        ),
        path(
            "my-payout-method/",
            OwnPayoutMethodView.as_view(),
            name="affiliates_own_payout_method",
        ),
    ]


class CreatorMenuItem(MenuItem):
    """Shown only to users with a creator profile."""

    def is_shown(self, request):
        return creator_profile_for_user(user=request.user) is not None


@hooks.register("register_admin_menu_item")
def _own_profile_menu_item():
    return CreatorMenuItem(
        _("My profile"), reverse("affiliates_own_profile"), icon_name="user", order=900
    )


@hooks.register("register_admin_menu_item")
def _own_earnings_menu_item():
    return CreatorMenuItem(
        _("My earnings"),
        reverse("affiliates_own_earnings"),
        icon_name="decimal",
        order=901,
    )


@hooks.register("register_admin_menu_item")
def _own_payout_method_menu_item():
    return CreatorMenuItem(
        _("Payout method"),
        reverse("affiliates_own_payout_method"),
        icon_name="key",
        order=902,
    )


# -- Reports --------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def _report_urls():
    return [
        *report_paths("link-health", LinkHealthReportView, "affiliates_link_health"),
        *report_paths(
            "articles-performance", ArticlesReportView, "affiliates_articles_report"
        ),
    ]


@hooks.register("register_reports_menu_item")
def _link_health_menu_item():
    return EditorsMenuItem(
        _("Link health"),
        reverse("affiliates_link_health"),
        icon_name=LinkHealthReportView.header_icon,
        order=800,
    )


@hooks.register("register_reports_menu_item")
def _articles_report_menu_item():
    return EditorsMenuItem(
        _("Articles performance"),
        reverse("affiliates_articles_report"),
        name="articles-performance",
        icon_name="doc-full",
        order=100,
    )


@hooks.register("insert_global_admin_css")
def _report_css():
    # Reports scroll sideways inside their tables (affiliates/admin/report_results.html).
    return format_html(
        '<link rel="stylesheet" href="{}">', static("css/admin_reports.css")
    )


@hooks.register("construct_homepage_panels")
def _creator_home_panels(request, panels):
    panels.extend(editor_home_panels(request=request))
    panels.extend(creator_dashboard_panels(request=request))
    panels.extend(creator_home_panels(request=request))


@hooks.register("register_admin_viewset")
def _money_viewsets():
    return MoneyViewSetGroup()


@hooks.register("register_log_actions")
def _money_log_actions(actions):
    actions.register_action(
        "affiliates.rotate_secret",
        _("Rotate postback secret"),
        _("Postback secret rotated"),
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


# -- Reports for editors: unattributed and held conversions ----------------------------


@hooks.register("register_admin_urls")
def _conversion_report_urls():
    return [
        *report_paths(
            "unattributed-conversions",
            UnattributedConversionsReportView,
            UNATTRIBUTED_REPORT,
        ),
        *report_paths("held-conversions", HeldConversionsReportView, HELD_REPORT),
    ]


@hooks.register("register_reports_menu_item")
def _unattributed_report_menu_item():
    return EditorsMenuItem(
        _("Unattributed conversions"),
        reverse(UNATTRIBUTED_REPORT),
        name="unattributed-conversions",
        icon_name="clipboard-list",
        order=1300,
    )


@hooks.register("register_reports_menu_item")
def _held_report_menu_item():
    return EditorsMenuItem(
        _("Held for review"),
        reverse(HELD_REPORT),
        name="held-conversions",
        icon_name="warning",
        order=1310,
    )


# -- Reports for editors: products, merchants, placements, quiet merchants ------------


@hooks.register("register_admin_urls")
def _more_report_urls():
    reports = (
        ("products-performance", "affiliates_products_report", ProductsReportView),
        ("merchants-performance", "affiliates_merchants_report", MerchantsReportView),
        (
            "placements-performance",
            "affiliates_placements_report",
            PlacementsReportView,
        ),
        ("quiet-merchants", "affiliates_quiet_report", QuietOffersReportView),
    )
    urls = []
    for slug, name, view in reports:
        urls += [
            path(f"reports/{slug}/", view.as_view(), name=name),
            path(
                f"reports/{slug}/results/",
                view.as_view(results_only=True),
                name=f"{name}_results",
            ),
        ]
    return urls


@hooks.register("register_reports_menu_item")
def _products_report_menu_item():
    return EditorsMenuItem(
        _("Products performance"),
        reverse("affiliates_products_report"),
        name="products-performance",
        icon_name="tag",
        order=110,
    )


@hooks.register("register_reports_menu_item")
def _merchants_report_menu_item():
    return EditorsMenuItem(
        _("Merchants performance"),
        reverse("affiliates_merchants_report"),
        name="merchants-performance",
        icon_name="site",
        order=120,
    )


@hooks.register("register_reports_menu_item")
def _quiet_report_menu_item():
    return EditorsMenuItem(
        _("Quiet merchants"),
        reverse("affiliates_quiet_report"),
        name="quiet-merchants",
        icon_name="warning",
        order=130,
    )


@hooks.register("register_reports_menu_item")
def _placements_report_menu_item():
    return EditorsMenuItem(
        _("Placements performance"),
        reverse("affiliates_placements_report"),
        name="placements-performance",
        icon_name="placeholder",
        order=140,
    )
