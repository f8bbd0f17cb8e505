"""Held for review: commissions waiting for an editor's Approve or Reject."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column, TitleColumn

from affiliates.admin.reports.conversions import (
    CONVERSION_INSPECT,
    ConversionReportFilterSet,
    ConversionReportView,
    ReviewActionsColumn,
    cell_amount,
    cell_article_edit_url,
    cell_article_title,
    cell_author,
    cell_commission,
    cell_commission_amount,
    cell_purchased,
    cell_purchased_at,
    cell_sale,
)
from affiliates.commissions.selectors import (
    conversions_held,
)
from affiliates.models import CreatorProfile, HoldReason

HELD = "affiliates_report_held"


class HeldFilterSet(ConversionReportFilterSet):
    reason = django_filters.ChoiceFilter(
        label=_("Held because"),
        field_name="hold_reason",
        choices=HoldReason.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"), queryset=CreatorProfile.objects.order_by("public_name")
    )


class HeldConversionsReportView(ConversionReportView):
    page_title = _("Held for review")
    header_icon = "warning"
    index_url_name = HELD
    index_results_url_name = f"{HELD}_results"
    filterset_class = HeldFilterSet
    export_filename = "conversions-held-for-review"
    no_results_message = _("No conversions are held for review.")

    columns = [
        TitleColumn("order_id", label=_("Order"), url_name=CONVERSION_INSPECT),
        Column("author", label=_("Author"), accessor=cell_author),
        TitleColumn(
            "article",
            label=_("Article"),
            accessor=cell_article_title,
            get_url=cell_article_edit_url,
        ),
        Column("merchant", label=_("Merchant")),
        Column("sale", label=_("Sale"), accessor=cell_sale),
        Column("commission", label=_("Commission"), accessor=cell_commission),
        Column("reason", label=_("Held because"), accessor="get_hold_reason_display"),
        Column("purchased", label=_("Purchased"), accessor=cell_purchased),
        ReviewActionsColumn(
            "actions",
            label=pgettext_lazy("held conversion", "Review"),
            return_url_name=HELD,
        ),
    ]
    exports = {
        "order_id": (_("Order"), lambda conversion: conversion.order_id),
        "author": (_("Author"), cell_author),
        "article": (_("Article"), cell_article_title),
        "merchant": (_("Merchant"), lambda conversion: conversion.merchant.name),
        "amount": (_("Sale"), cell_amount),
        "commission": (_("Commission"), cell_commission_amount),
        "currency": (_("Currency"), lambda conversion: conversion.currency),
        "reason": (
            _("Held because"),
            lambda conversion: str(conversion.get_hold_reason_display()),
        ),
        "purchased_at": (_("Purchased"), cell_purchased_at),
    }

    def get_base_queryset(self):
        return conversions_held()
