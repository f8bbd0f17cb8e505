"""Articles performance: clicks, conversions and money of every article, per currency."""

import datetime

import django_filters
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from affiliates.admin.reports.base import (
    NumberColumn,
    PlainColumn,
    PlainSelect,
    RollupReportView,
    day_of,
)
from affiliates.analytics.report_figures import (
    ArticlesReport,
    article_ids_tagged,
    article_tags,
    article_types,
    articles_report,
)
from affiliates.models import CreatorProfile, DailyLinkSales
from affiliates.roles import EditorsPermissionPolicy


class PageTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return capfirst(model._meta.verbose_name) if model else obj.model


class PageTypeFilter(django_filters.ModelChoiceFilter):
    field_class = PageTypeChoiceField


class ArticlesReportFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(
        label=_("Days (UTC)"),
        widget=DateRangePickerWidget,
        help_text=_("Without days: this month so far."),
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"),
        empty_label=_("Anyone"),
        queryset=CreatorProfile.objects.order_by("public_name"),
        widget=PlainSelect,
    )
    type = PageTypeFilter(
        label=_("Type"),
        empty_label=_("Any type"),
        queryset=lambda request: article_types(),
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"),
        empty_label=_("Any tag"),
        queryset=lambda request: article_tags(),
        widget=PlainSelect,
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day", "author"]


class ArticlesReportView(RollupReportView):
    """Clicks, conversions and money of every article, per currency."""

    page_title = _("Articles performance")
    header_icon = "doc-full"
    index_url_name = "affiliates_articles_report"
    index_results_url_name = "affiliates_articles_report_results"
    filterset_class = ArticlesReportFilterSet
    permission_policy = EditorsPermissionPolicy(DailyLinkSales, actions={"view"})
    paginate_by = 100
    columns = [
        PlainColumn("title", label=_("Article")),
        PlainColumn("author", label=_("Author")),
        PlainColumn("currency", label=_("Currency")),
        PlainColumn("billable_clicks", label=_("Billable clicks")),
        PlainColumn("bot_clicks", label=_("Bot clicks")),
        PlainColumn("conversions", label=_("Conversions")),
        NumberColumn("conversion_rate", label=_("Conversion rate (%)")),
        NumberColumn("sales", label=_("Sales")),
        NumberColumn("commission", label=_("Platform commission")),
        NumberColumn("creator_commission", label=_("Creator commission")),
        NumberColumn("platform_remainder", label=_("Platform keeps")),
        NumberColumn("epc", label=_("EPC")),
    ]

    def get_filename(self) -> str:
        return f"articles-{datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d}"

    def get_filterset_kwargs(self):
        """No days chosen means this month so far (UTC): put its first day in the
        form, so that the screen says which days it shows and the export links
        carry them."""
        kwargs = super().get_filterset_kwargs()
        data = kwargs["data"]
        if not (data.get("day_from") or data.get("day_to")):
            data = data.copy()
            today = datetime.datetime.now(tz=datetime.UTC).date()
            data["day_from"] = today.replace(day=1).isoformat()
            kwargs["data"] = data
        return kwargs

    def paginate_queryset(self, queryset, page_size):
        if isinstance(queryset, ArticlesReport):
            # The page asked for, read with the count in one statement; a page
            # number past the end makes the paginator ask again, for the last.
            try:
                number = max(int(self.request.GET.get(self.page_kwarg, 1)), 1)
            except ValueError:
                number = 1
            queryset.prefetch(offset=(number - 1) * page_size, limit=page_size)
        return super().paginate_queryset(queryset, page_size)

    def rows(self, *, data):
        days = data.get("day")
        tag = data.get("tag")
        return articles_report(
            since=day_of(days.start) if days else None,
            until=day_of(days.stop) if days else None,
            author=data.get("author"),
            page_type=data.get("type"),
            article_ids=article_ids_tagged(tag=tag) if tag else None,
        )
