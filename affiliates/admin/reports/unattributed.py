"""Unattributed conversions: sales that the merchant reported but nobody is credited with."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn

from affiliates.admin.reports.conversions import (
    CONVERSION_INSPECT,
    ConversionReportFilterSet,
    ConversionReportView,
    cell_amount,
    cell_commission,
    cell_commission_amount,
    cell_purchased,
    cell_purchased_at,
    cell_sale,
)
from affiliates.commissions.selectors import (
    conversions_unattributed,
)
from affiliates.models import UnattributedReason

UNATTRIBUTED = "affiliates_report_unattributed"


class UnattributedFilterSet(ConversionReportFilterSet):
    reason = django_filters.ChoiceFilter(
        label=_("Why unattributed"),
        field_name="unattributed_reason",
        choices=UnattributedReason.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )


class UnattributedConversionsReportView(ConversionReportView):
    page_title = _("Unattributed conversions")
    header_icon = "clipboard-list"
    index_url_name = UNATTRIBUTED
    index_results_url_name = f"{UNATTRIBUTED}_results"
    filterset_class = UnattributedFilterSet
    export_filename = "unattributed-conversions"
    no_results_message = _("No unattributed conversions.")

    columns = [
        TitleColumn("order_id", label=_("Order"), url_name=CONVERSION_INSPECT),
        Column("merchant", label=_("Merchant")),
        Column("sale", label=_("Sale"), accessor=cell_sale),
        Column("commission", label=_("Commission"), accessor=cell_commission),
        Column("purchased", label=_("Purchased"), accessor=cell_purchased),
        Column("click_id", label=_("Click id received")),
        Column(
            "reason",
            label=_("Why unattributed"),
            accessor="get_unattributed_reason_display",
        ),
    ]
    exports = {
        "order_id": (_("Order"), lambda conversion: conversion.order_id),
        "merchant": (_("Merchant"), lambda conversion: conversion.merchant.name),
        "amount": (_("Sale"), cell_amount),
        "commission": (_("Commission"), cell_commission_amount),
        "currency": (_("Currency"), lambda conversion: conversion.currency),
        "purchased_at": (_("Purchased"), cell_purchased_at),
        "click_id": (_("Click id received"), lambda conversion: conversion.click_id),
        "reason": (
            _("Why unattributed"),
            lambda conversion: str(conversion.get_unattributed_reason_display()),
        ),
    }

    def get_base_queryset(self):
        return conversions_unattributed()
