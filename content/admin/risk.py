"""Revenue at risk, the editors' report (docs/publish-gate.md, "Revenue at risk"):
published articles ranked by the expected earnings their offers' gate issues put
at risk (content.gate.risk), on the affiliates' shared report base (editors only,
checked filters, paging, formula-safe CSV/XLSX). Registered in
content.wagtail_hooks."""

import datetime

import django_filters
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from affiliates.admin.menu import EditorsMenuItem
from affiliates.admin.reports.base import (
    PlainColumn,
    RollupReportView,
    report_paths,
)
from affiliates.models import DailyLinkClicks
from affiliates.roles import EditorsPermissionPolicy
from content.gate.risk import ArticleRisk, articles_revenue_at_risk
from products.money import money_format

REVENUE_AT_RISK = "content_revenue_at_risk"
DAYS_CHOICES = [("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days"))]


class ArticleColumn(PlainColumn):
    """The article's title, linking to its edit page (where the gate shows)."""

    def render_cell_html(self, instance, parent_context):
        return format_html(
            '<td><a href="{}">{}</a></td>',
            reverse("wagtailadmin_pages:edit", args=(instance.article_id,)),
            instance.title,
        )


class IssuesColumn(PlainColumn):
    def render_cell_html(self, instance, parent_context):
        return format_html(
            "<td><ul>{}</ul></td>",
            format_html_join("", "<li>{}</li>", ((str(i),) for i in instance.issues)),
        )


class MoneyColumn(PlainColumn):
    def render_cell_html(self, instance, parent_context):
        return format_html(
            '<td class="number">{}</td>',
            money_format(instance.amount, instance.currency),
        )


class RevenueAtRiskFilterSet(WagtailFilterSet):
    days = django_filters.ChoiceFilter(
        label=_("Clicks of the last"),
        choices=DAYS_CHOICES,
        empty_label=None,
        method="days_keep",
    )

    class Meta:
        model = DailyLinkClicks
        fields = []

    def days_keep(self, queryset, name, value):
        return queryset  # the selector reads the days from the cleaned data


class RevenueAtRiskReportView(RollupReportView):
    """Published articles by the money their offers' issues put at risk."""

    page_title = _("Revenue at risk")
    header_icon = "warning"
    index_url_name = REVENUE_AT_RISK
    index_results_url_name = f"{REVENUE_AT_RISK}_results"
    filterset_class = RevenueAtRiskFilterSet
    permission_policy = EditorsPermissionPolicy(DailyLinkClicks, actions={"view"})
    paginate_by = 50
    columns = [
        ArticleColumn("title", label=_("Article")),
        PlainColumn("author", label=_("Author")),
        IssuesColumn("issues_text", label=_("Issues")),
        PlainColumn("substitutes_text", label=_("Best live substitute")),
        PlainColumn("clicks", label=_("Clicks")),
        MoneyColumn("amount", label=_("Revenue at risk")),
    ]
    # Spreadsheets get the amount as a number with its currency beside it.
    list_export = [
        "title",
        "author",
        "issues_text",
        "substitutes_text",
        "clicks",
        "currency",
        "amount",
    ]
    export_headings = {
        "title": _("Article"),
        "author": _("Author"),
        "issues_text": _("Issues"),
        "substitutes_text": _("Best live substitute"),
        "clicks": _("Clicks"),
        "currency": _("Currency"),
        "amount": _("Revenue at risk"),
    }

    def get_filename(self) -> str:
        return f"revenue-at-risk-{datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d}"

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        if not kwargs["data"].get("days"):
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"]["days"] = "30"
        return kwargs

    def rows(self, *, data) -> list[ArticleRisk]:
        return articles_revenue_at_risk(days=int(data.get("days") or 30))


def revenue_at_risk_urls() -> list:
    return report_paths("revenue-at-risk", RevenueAtRiskReportView, REVENUE_AT_RISK)


def revenue_at_risk_item():
    return EditorsMenuItem(
        _("Revenue at risk"),
        reverse(REVENUE_AT_RISK),
        name="revenue-at-risk",
        icon_name="warning",
        order=105,
    )
