"""Editors' reports on conversions, in the admin's Reports menu: sales credited to
nobody, and commissions held for review (with Approve / Reject).

Both are Wagtail ``ReportView``s, so each exports what it lists as CSV and XLSX.
The screen and the export read every value through the same functions below, so
they cannot disagree. Who may open them is the Conversion model's
``EditorsPermissionPolicy`` (registered in ``wagtail_hooks``), checked on every
request; the queries are ``affiliates.commissions.selectors``'; the review itself is the
Money → Conversions review view (``ConversionReviewView``), which the held report
posts to.
"""

from collections import OrderedDict
from collections.abc import Callable

import django_filters
from django import forms
from django.http import HttpResponseBadRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BaseColumn, Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from affiliates.commissions.selectors import (
    conversions_currency_totals,
    conversions_held,
    conversions_unattributed,
)
from affiliates.models import Conversion, CreatorProfile, HoldReason, UnattributedReason
from affiliates.roles import user_is_editor
from affiliates.templatetags.affiliates_money import money
from products.currencies import money_round
from products.dates import datetime_display
from products.models import Merchant

UNATTRIBUTED = "affiliates_report_unattributed"
HELD = "affiliates_report_held"
CONVERSION_INSPECT = "affiliates_conversions:inspect"
CONVERSION_REVIEW = "affiliates_conversions:review"


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


class EditorsMenuItem(MenuItem):
    """A Reports menu item shown to editors only (the view checks again)."""

    def is_shown(self, request):
        return user_is_editor(user=request.user)


# -- What a row shows, on screen and in the export --------------------------------------


def _sale(conversion: Conversion) -> str:
    return money(conversion.amount, conversion.currency)


def _commission(conversion: Conversion) -> str:
    return money(conversion.commission, conversion.currency)


def _purchased(conversion: Conversion) -> str:
    # On screen in the reader's one format (products.dates); the export keeps the
    # moment itself, which a spreadsheet can sort.
    return datetime_display(conversion.occurred_at)


def _article(conversion: Conversion):
    """The article of the conversion's tracked link (a page deleted since: none)."""
    link = conversion.link
    return link.article if link is not None and link.article_id else None


def _article_title(conversion: Conversion) -> str:
    article = _article(conversion)
    return article.title if article is not None else ""


def _article_edit_url(conversion: Conversion) -> str | None:
    article = _article(conversion)
    if article is None:
        return None
    return reverse("wagtailadmin_pages:edit", args=[article.pk])


def _author(conversion: Conversion) -> str:
    return conversion.author.public_name if conversion.author_id else ""


class ReviewActionsColumn(BaseColumn):
    """Approve and Reject, each a link to the conversion's confirmation page, whose
    POST comes back to this report with its filters."""

    cell_template_name = "affiliates/admin/review_actions_cell.html"

    def __init__(self, name, *, return_url_name, **kwargs):
        super().__init__(name, **kwargs)
        self.return_url_name = return_url_name

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        query = request.GET.copy()
        query.pop("_w_filter_fragment", None)  # the results-only view's own marker
        return_url = reverse(self.return_url_name)
        if query:
            return_url += "?" + query.urlencode()
        return {
            **context,
            "review_url": reverse(CONVERSION_REVIEW, args=[instance.pk]),
            "return_url": return_url,
        }


# -- Filters ----------------------------------------------------------------------------


class ConversionReportFilterSet(WagtailFilterSet):
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"), queryset=Merchant.objects.order_by("name")
    )
    # ?purchased_from=2026-11-01&purchased_to=2026-11-30, both days included.
    purchased = django_filters.DateFromToRangeFilter(
        label=_("Purchased"), field_name="occurred_at", widget=DateRangePickerWidget
    )

    class Meta:
        model = Conversion
        fields = []


class UnattributedFilterSet(ConversionReportFilterSet):
    reason = django_filters.ChoiceFilter(
        label=_("Why unattributed"),
        field_name="unattributed_reason",
        choices=UnattributedReason.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )


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


# -- Reports ----------------------------------------------------------------------------


class ConversionReportView(ReportView):
    """A report of conversions, with totals per currency above the rows.

    ``exports`` maps each exported column to its heading and value; amounts are
    exported as numbers rounded to their currency, beside a currency column.
    """

    model = Conversion  # its EditorsPermissionPolicy: editors only
    permission_required = "view"
    results_template_name = "affiliates/admin/conversion_report_results.html"
    exports: dict[str, tuple[str, Callable[[Conversion], object]]] = {}

    @property
    def list_export(self):
        return list(self.exports)

    @property
    def export_headings(self):
        return {field: heading for field, (heading, _value) in self.exports.items()}

    def to_row_dict(self, item):
        # Order and click ids come from merchants, public names from creators: the
        # export makes every cell safe (zhongcao.spreadsheets).
        return OrderedDict(
            (field, value(item)) for field, (_heading, value) in self.exports.items()
        )

    def get(self, request, *args, **kwargs):
        if self.filters and not self.filters.is_valid():
            if self.is_export:
                return HttpResponseBadRequest(
                    "\n".join(
                        f"{field}: {' '.join(errors)}"
                        for field, errors in self.filters.errors.items()
                    ),
                    content_type="text/plain; charset=utf-8",
                )
        return super().get(request, *args, **kwargs)

    def get_filtered_queryset(self):
        queryset = super().get_filtered_queryset()
        if self.filters and not self.filters.is_valid():
            # The filter form shows what is wrong; listing everything instead
            # would pass for the filtered answer.
            return queryset.none()
        return queryset

    def get_context_data(self, *args, **kwargs):
        return {
            **super().get_context_data(*args, **kwargs),
            "currency_totals": conversions_currency_totals(
                conversions=self.object_list
            ),
        }


def _amount(conversion: Conversion):
    return money_round(conversion.amount, conversion.currency)


def _commission_amount(conversion: Conversion):
    return money_round(conversion.commission, conversion.currency)


def _purchased_at(conversion: Conversion):
    return timezone.localtime(conversion.occurred_at).replace(microsecond=0)


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
        Column("sale", label=_("Sale"), accessor=_sale),
        Column("commission", label=_("Commission"), accessor=_commission),
        Column("purchased", label=_("Purchased"), accessor=_purchased),
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
        "amount": (_("Sale"), _amount),
        "commission": (_("Commission"), _commission_amount),
        "currency": (_("Currency"), lambda conversion: conversion.currency),
        "purchased_at": (_("Purchased"), _purchased_at),
        "click_id": (_("Click id received"), lambda conversion: conversion.click_id),
        "reason": (
            _("Why unattributed"),
            lambda conversion: str(conversion.get_unattributed_reason_display()),
        ),
    }

    def get_base_queryset(self):
        return conversions_unattributed()


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
        Column("author", label=_("Author"), accessor=_author),
        TitleColumn(
            "article",
            label=_("Article"),
            accessor=_article_title,
            get_url=_article_edit_url,
        ),
        Column("merchant", label=_("Merchant")),
        Column("sale", label=_("Sale"), accessor=_sale),
        Column("commission", label=_("Commission"), accessor=_commission),
        Column("reason", label=_("Held because"), accessor="get_hold_reason_display"),
        Column("purchased", label=_("Purchased"), accessor=_purchased),
        ReviewActionsColumn(
            "actions",
            label=pgettext_lazy("held conversion", "Review"),
            return_url_name=HELD,
        ),
    ]
    exports = {
        "order_id": (_("Order"), lambda conversion: conversion.order_id),
        "author": (_("Author"), _author),
        "article": (_("Article"), _article_title),
        "merchant": (_("Merchant"), lambda conversion: conversion.merchant.name),
        "amount": (_("Sale"), _amount),
        "commission": (_("Commission"), _commission_amount),
        "currency": (_("Currency"), lambda conversion: conversion.currency),
        "reason": (
            _("Held because"),
            lambda conversion: str(conversion.get_hold_reason_display()),
        ),
        "purchased_at": (_("Purchased"), _purchased_at),
    }

    def get_base_queryset(self):
        return conversions_held()
