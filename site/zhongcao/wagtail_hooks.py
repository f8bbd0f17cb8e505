from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from affiliates.reports_views import EditorsMenuItem

from .admin_views import REPORT, BackgroundTasksReportView
from .wagtail_api import PagesAdminAPI


@hooks.register("construct_admin_api")
def admin_page_api(router):
    """The admin's page API with the project's input rules (zhongcao.wagtail_api)."""
    router.register_endpoint("pages", PagesAdminAPI)


@hooks.register("register_admin_urls")
def _background_tasks_report_urls():
    return [
        path(
            "reports/background-tasks/",
            BackgroundTasksReportView.as_view(),
            name=REPORT,
        ),
        path(
            "reports/background-tasks/results/",
            BackgroundTasksReportView.as_view(results_only=True),
            name=f"{REPORT}_results",
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
