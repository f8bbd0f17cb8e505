"""Products performance: each product's clicks, sales and commission over the days asked."""

import django_filters
from django.utils.translation import gettext_lazy as _

from affiliates.admin.reports.base import PlainColumn
from affiliates.admin.reports.performance import (
    DaysFilterSet,
    PerformanceReportView,
    performance_columns,
)
from affiliates.analytics.report_figures import products_report
from affiliates.models import DailyLinkSales
from products.models import Merchant


class ProductsReportFilterSet(DaysFilterSet):
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"),
        empty_label=_("Any merchant"),
        queryset=Merchant.objects.order_by("name"),
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day"]


class ProductsReportView(PerformanceReportView):
    """Clicks, conversions and money of every product, per currency."""

    page_title = _("Products performance")
    header_icon = "tag"
    index_url_name = "affiliates_products_report"
    index_results_url_name = "affiliates_products_report_results"
    filterset_class = ProductsReportFilterSet
    file_prefix = "products"
    columns = performance_columns(PlainColumn("name", label=_("Product")))

    def rows_between(self, *, since, until, data):
        merchant = data.get("merchant")
        return products_report(
            since=since, until=until, merchant_id=merchant.pk if merchant else None
        )
