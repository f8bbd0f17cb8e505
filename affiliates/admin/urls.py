"""The affiliates' admin URLs (under /admin/, included once by ``wagtail_hooks``):
a creator's own pages and the editors' reports. The money viewsets register their
own URLs as viewsets."""

from django.urls import path

from affiliates.admin.own_pages import (
    OwnEarningsExportView,
    OwnEarningsView,
    OwnPayoutMethodView,
    OwnProfileView,
)
from affiliates.admin.reports.articles import ArticlesReportView
from affiliates.admin.reports.base import report_paths
from affiliates.admin.reports.held import HELD, HeldConversionsReportView
from affiliates.admin.reports.link_health import LinkHealthReportView
from affiliates.admin.reports.merchants import MerchantsReportView
from affiliates.admin.reports.placements import PlacementsReportView
from affiliates.admin.reports.products import ProductsReportView
from affiliates.admin.reports.quiet import QuietOffersReportView
from affiliates.admin.reports.unattributed import (
    UNATTRIBUTED,
    UnattributedConversionsReportView,
)

urlpatterns = [
    # A creator's own pages
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
    # Reports, for editors
    *report_paths("link-health", LinkHealthReportView, "affiliates_link_health"),
    *report_paths(
        "articles-performance", ArticlesReportView, "affiliates_articles_report"
    ),
    *report_paths(
        "unattributed-conversions", UnattributedConversionsReportView, UNATTRIBUTED
    ),
    *report_paths("held-conversions", HeldConversionsReportView, HELD),
    *report_paths(
        "products-performance", ProductsReportView, "affiliates_products_report"
    ),
    *report_paths(
        "merchants-performance", MerchantsReportView, "affiliates_merchants_report"
    ),
    *report_paths(
        "placements-performance", PlacementsReportView, "affiliates_placements_report"
    ),
    *report_paths("quiet-merchants", QuietOffersReportView, "affiliates_quiet_report"),
]
