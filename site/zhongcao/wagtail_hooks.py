from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from affiliates.admin.menu import EditorsMenuItem
from affiliates.admin.reports.base import report_paths

from .admin_views import REPORT, BackgroundTasksReportView
from .two_factor import views as two_factor
from .wagtail_api import PagesAdminAPI


@hooks.register("construct_admin_api")
def admin_page_api(router):
    """The admin's page API with the project's input rules (zhongcao.wagtail_api)."""
    router.register_endpoint("pages", PagesAdminAPI)


@hooks.register("register_admin_urls")
def _background_tasks_report_urls():
    return report_paths("background-tasks", BackgroundTasksReportView, REPORT)


@hooks.register("register_admin_urls")
def two_factor_urls():
    """The account's two-factor pages (the sign-in's second step is in the root
    URLs: it is for someone not signed in yet)."""
    return [
        path(
            "two-factor/",
            two_factor.TwoFactorView.as_view(),
            name="zhongcao_two_factor",
        ),
        path(
            "two-factor/set-up/",
            two_factor.SetUpView.as_view(),
            name="zhongcao_two_factor_set_up",
        ),
        path(
            "two-factor/recovery-codes/",
            two_factor.RenewRecoveryCodesView.as_view(),
            name="zhongcao_two_factor_recovery_codes",
        ),
        path(
            "two-factor/turn-off/",
            two_factor.DisableView.as_view(),
            name="zhongcao_two_factor_disable",
        ),
    ]


@hooks.register("register_reports_menu_item")
def _background_tasks_report_menu_item():
    return EditorsMenuItem(
        _("Background tasks"),
        reverse(REPORT),
        name="background-tasks",
        icon_name="cogs",
        order=1400,
    )


@hooks.register("register_account_menu_item")
def two_factor_account_menu_item(request):
    return {
        "url": reverse("zhongcao_two_factor"),
        "label": _("Two-factor authentication"),
        "help_text": _(
            "Ask for a code from your phone at sign-in, as well as your password."
        ),
    }
