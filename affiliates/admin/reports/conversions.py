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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn

from affiliates.admin.reports.base import EditorsReportView
from affiliates.commissions.selectors import (
    conversions_currency_totals,
)
from affiliates.models import Conversion
from affiliates.templatetags.affiliates_money import money
from products.currencies import money_round
from products.dates import datetime_display
from products.models import Merchant

CONVERSION_INSPECT = "affiliates_conversions:inspect"
CONVERSION_REVIEW = "affiliates_conversions:review"


# -- What a row shows, on screen and in the export --------------------------------------


def cell_sale(conversion: Conversion) -> str:
    return money(conversion.amount, conversion.currency)


def cell_commission(conversion: Conversion) -> str:
    return money(conversion.commission, conversion.currency)


def cell_purchased(conversion: Conversion) -> str:
    # On screen in the reader's one format (products.dates); the export keeps the
    # moment itself, which a spreadsheet can sort.
    return datetime_display(conversion.occurred_at)


def cell_article(conversion: Conversion):
    """The article of the conversion's tracked link (a page deleted since: none)."""
    link = conversion.link
    return link.article if link is not None and link.article_id else None


def cell_article_title(conversion: Conversion) -> str:
    article = cell_article(conversion)
    return article.title if article is not None else ""


def cell_article_edit_url(conversion: Conversion) -> str | None:
    article = cell_article(conversion)
    if article is None:
        return None
    return reverse("wagtailadmin_pages:edit", args=[article.pk])


def cell_author(conversion: Conversion) -> str:
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


# -- Reports ----------------------------------------------------------------------------


class ConversionReportView(EditorsReportView):
    """A report of conversions, with totals per currency above the rows.

    ``exports`` maps each exported column to its heading and value; amounts are
    exported as numbers rounded to their currency, beside a currency column.
    """

    model = Conversion  # its EditorsPermissionPolicy: editors only
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

    def get_context_data(self, *args, **kwargs):
        return {
            **super().get_context_data(*args, **kwargs),
            "currency_totals": conversions_currency_totals(
                conversions=self.object_list
            ),
        }


def cell_amount(conversion: Conversion):
    return money_round(conversion.amount, conversion.currency)


def cell_commission_amount(conversion: Conversion):
    return money_round(conversion.commission, conversion.currency)


def cell_purchased_at(conversion: Conversion):
    return timezone.localtime(conversion.occurred_at).replace(microsecond=0)
