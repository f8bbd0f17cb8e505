"""The base of every affiliates report in the admin's Reports menu, and its URLs.

One report per module beside this one; each is a ``ReportView`` over ``EditorsReportView``,
which owns what they share: editors only, filters that are checked (a wrong filter
lists nothing and its export is a 400, never the unfiltered answer), paging, and the
CSV/XLSX export of the screen's columns (cells made formula-safe by
zhongcao.spreadsheets)."""

import datetime

from django import forms
from django.forms.utils import flatatt
from django.http import HttpResponseBadRequest
from django.templatetags.l10n import unlocalize
from django.templatetags.static import static
from django.urls import path
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView


class PlainSelect(forms.Select):
    """A select rendered without a template per option: Django's template per
    option made the 200 authors' select a third of the Articles report's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", label)
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
                for label in [option["label"]]
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            options,
        )


class PlainColumn(Column):
    """Wagtail's cell markup without a template per cell: a page of the Articles
    report has 1,200 cells, and a template each took a third of its time."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if isinstance(value, int) and not isinstance(value, bool):
            value = unlocalize(value)  # as Wagtail's Column
        else:
            value = localize(template_localtime(value))  # as {{ value }} does
        if value is None or not str(value).strip():
            value = self.empty_value_display
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class NumberColumn(PlainColumn):
    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else value


class EditorsReportView(ReportView):
    """The base of the affiliates' reports: what every one of them does alike.

    - Who: ``permission_required = "view"`` on the report's model, whose
      ``EditorsPermissionPolicy`` lets editors only.
    - Filters: a filter form that does not validate lists nothing (the form shows
      what is wrong; listing everything would pass for the filtered answer), and its
      export is a 400 that says why.
    - Rows: ``rows_filtered`` gives the report's rows for valid filters (by default
      Wagtail's filtered queryset; reports over rollups return a list of rows).
    - Export: CSV and XLSX of the screen's columns with the same headings, unless a
      report says otherwise; cells are made formula-safe by zhongcao.spreadsheets.
    - Paging: Wagtail's, ``paginate_by`` rows a page.
    """

    permission_required = "view"
    # Scrolls sideways inside its table at 1280 px, never the page.
    results_template_name = "affiliates/admin/report_results.html"

    @property
    def list_export(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def export_headings(self) -> dict:
        return {column.name: column.label for column in self.columns}

    def filters_invalid(self) -> bool:
        return self.filters is not None and not self.filters.is_valid()

    def get(self, request, *args, **kwargs):
        if self.is_export and self.filters_invalid():
            return HttpResponseBadRequest(
                "\n".join(
                    f"{field}: {' '.join(errors)}"
                    for field, errors in self.filters.errors.items()
                ),
                content_type="text/plain; charset=utf-8",
            )
        return super().get(request, *args, **kwargs)

    def get_filtered_queryset(self):
        if self.filters_invalid():
            return self.rows_none()
        return self.rows_filtered()

    def rows_filtered(self):
        return super().get_filtered_queryset()

    def rows_none(self):
        return super().get_filtered_queryset().none()


class RollupReportView(EditorsReportView):
    """A report whose rows a selector computes from the rollups for the filters'
    cleaned data (a list, not a queryset)."""

    def rows_filtered(self):
        return self.rows(data=self.filters.form.cleaned_data if self.filters else {})

    def rows(self, *, data) -> list:
        raise NotImplementedError

    def rows_none(self):
        return []


def day_of(value: datetime.datetime | None) -> datetime.date | None:
    """The range filter gives the first and last moments of its days."""
    return value.date() if value is not None else None


def report_paths(route: str, view, name: str) -> list:
    """The URLs of one admin report: its page at ``reports/<route>/`` and the
    results its filters reload, named ``name`` and ``<name>_results``."""
    return [
        path(f"reports/{route}/", view.as_view(), name=name),
        path(
            f"reports/{route}/results/",
            view.as_view(results_only=True),
            name=f"{name}_results",
        ),
    ]


def report_css() -> str:
    # Reports scroll sideways inside their tables (affiliates/admin/report_results.html).
    return format_html(
        '<link rel="stylesheet" href="{}">', static("css/admin_reports.css")
    )
