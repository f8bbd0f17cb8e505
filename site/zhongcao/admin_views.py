"""Editors' report of background tasks that failed (Reports → Background tasks):
which task, which attempt, its error, and what became of it (a retry at a time,
failed again, succeeded on retry, or given up). The records are
zhongcao.taskqueue's; the report only lists them, and exports them as CSV and XLSX."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from affiliates.roles import EditorsPermissionPolicy

from .models import TaskFailure, TaskOutcome
from .taskqueue import task_failures

REPORT = "zhongcao_background_tasks"


class TaskFailureFilterSet(WagtailFilterSet):
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"),
        choices=TaskOutcome.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    task_path = django_filters.CharFilter(label=_("Task"), lookup_expr="icontains")

    class Meta:
        model = TaskFailure
        fields = []


class BackgroundTasksReportView(ReportView):
    """Failed runs of background tasks, newest first. Editors only."""

    page_title = _("Background tasks")
    header_icon = "cogs"
    index_url_name = REPORT
    index_results_url_name = f"{REPORT}_results"
    permission_policy = EditorsPermissionPolicy(TaskFailure, actions={"view"})
    permission_required = "view"
    verbose_name_plural = _("failed background tasks")
    export_filename = "background-tasks"
    filterset_class = TaskFailureFilterSet
    columns = [
        Column("task_path", label=_("Task")),
        Column("attempt", label=_("Attempt")),
        Column("message", label=_("Error")),
        DateColumn("failed_at", label=_("Failed at")),
        Column("outcome", label=_("Outcome"), accessor="get_outcome_display"),
        DateColumn("retry_at", label=_("Retry at")),
    ]
    list_export = [
        "task_path",
        "attempt",
        "exception_class_path",
        "message",
        "failed_at",
        "get_outcome_display",
        "retry_at",
    ]
    export_headings = {
        "task_path": _("Task"),
        "attempt": _("Attempt"),
        "exception_class_path": _("Exception"),
        "message": _("Error"),
        "failed_at": _("Failed at"),
        "get_outcome_display": _("Outcome"),
        "retry_at": _("Retry at"),
    }

    def get_queryset(self):
        return task_failures()
