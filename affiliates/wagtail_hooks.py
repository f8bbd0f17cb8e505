"""Registers creators, money and reports in the Wagtail admin; no logic lives here
(it is in affiliates.admin: urls, menu, viewsets, panels, reports)."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from affiliates.admin import menu
from affiliates.admin.panels import home_panels_construct
from affiliates.admin.reports.base import report_css
from affiliates.admin.viewsets import (
    CreatorProfileViewSet,
    money_log_actions_register,
    money_viewsets,
)
from affiliates.creators.avatars import avatar_url_hook
from affiliates.models import (
    Conversion,
    LedgerEntry,
    MerchantConnection,
    NetworkConnection,
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
# "pull": Pull now. No "delete": disabling a connection keeps its history.
register_permission_policy(
    NetworkConnection,
    EditorsPermissionPolicy(
        NetworkConnection, actions={"view", "add", "change", "pull"}
    ),
)

register_snippet(CreatorProfileViewSet)


@hooks.register("register_admin_urls")
def _urls():
    return [path("", include("affiliates.admin.urls"))]


hooks.register("register_admin_viewset", money_viewsets)
hooks.register("register_log_actions", money_log_actions_register)
hooks.register("get_avatar_url", avatar_url_hook)
hooks.register("construct_homepage_panels", home_panels_construct)
hooks.register("insert_global_admin_css", report_css)

for item in (
    menu.own_profile_item,
    menu.own_earnings_item,
    menu.own_payout_method_item,
):
    hooks.register("register_admin_menu_item", item)

for item in (
    menu.articles_report_item,
    menu.products_report_item,
    menu.merchants_report_item,
    menu.quiet_report_item,
    menu.placements_report_item,
    menu.link_health_item,
    menu.unattributed_report_item,
    menu.held_report_item,
):
    hooks.register("register_reports_menu_item", item)
