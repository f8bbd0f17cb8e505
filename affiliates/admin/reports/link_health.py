"""Link health: offers in published articles that readers cannot buy from as linked."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn

from affiliates.admin.reports.base import EditorsReportView
from affiliates.models import (
    TrackedLink,
)
from affiliates.roles import EditorsPermissionPolicy
from affiliates.tracking.selectors import (
    LinkProblem,
    link_health_rows,
    link_problem_condition,
    offers_with_link_problems,
)
from products.models import Merchant, Offer


class ExternalURLColumn(Column):
    cell_template_name = "affiliates/admin/url_cell.html"


class ArticlesColumn(Column):
    """Each article of the row, linking to its edit page."""

    cell_template_name = "affiliates/admin/articles_cell.html"


class LinkHealthFilterSet(WagtailFilterSet):
    problem = django_filters.ChoiceFilter(
        label=_("Problem"),
        choices=LinkProblem.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
        method="filter_problem",
    )
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"), queryset=Merchant.objects.order_by("name")
    )

    class Meta:
        model = Offer
        fields = []

    def filter_problem(self, queryset, name, value):
        return queryset.filter(link_problem_condition(problem=value))


class LinkHealthReportView(EditorsReportView):
    """Offers in published articles that readers cannot buy from as linked: out of
    stock, discontinued, or a broken URL (products.services.offers_check), with the
    articles to fix. Editors only; exports as CSV and XLSX."""

    page_title = _("Link health")
    header_icon = "warning"
    index_url_name = "affiliates_link_health"
    index_results_url_name = "affiliates_link_health_results"
    permission_policy = EditorsPermissionPolicy(TrackedLink, actions={"view"})
    verbose_name_plural = _("offers with a problem")
    export_filename = "link-health"
    filterset_class = LinkHealthFilterSet
    columns = [
        Column("product", label=_("Product")),
        Column("merchant", label=_("Merchant")),
        ExternalURLColumn("url", label=_("Offer URL")),
        Column("problem", label=_("Problem")),
        DateColumn("checked_at", label=_("Last checked")),
        Column("http_status", label=_("HTTP code")),
        ArticlesColumn("articles", label=_("Articles")),
    ]
    list_export = [
        "product",
        "merchant",
        "url",
        "problem",
        "checked_at",
        "http_status",
        "article_titles",
    ]
    export_headings = {
        "product": _("Product"),
        "merchant": _("Merchant"),
        "url": _("Offer URL"),
        "problem": _("Problem"),
        "checked_at": _("Last checked"),
        "http_status": _("HTTP code"),
        "article_titles": _("Articles"),
    }

    def get_queryset(self):
        return offers_with_link_problems()

    def get_table(self, object_list):
        # The page's offers become the report's rows (with their articles) here,
        # after pagination, so that only one page's articles are read.
        return super().get_table(link_health_rows(offers=object_list))

    def decorate_paginated_queryset(self, object_list):
        # An export is not paginated and never builds the table: make its rows here.
        return link_health_rows(offers=object_list) if self.is_export else object_list
