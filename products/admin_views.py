"""The catalog's admin listing and chooser: what an editor scanning the catalog,
or a creator choosing a product to embed, needs to see of each product without
opening it (its picture, prices, where it is in stock).

Every figure comes from products_for_admin and product_offer_summary: a fixed
number of queries per page, whatever the number of products or offers.
"""

from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.views.snippets import IndexView

from .models import Product
from .money import market_currency, money_plain
from .selectors import (
    OfferSummary,
    offer_currency,
    product_offer_summary,
    products_for_admin,
)

THUMBNAIL = "fill-48x48"


def _summary(product: Product) -> OfferSummary:
    """The product's OfferSummary, worked out once per product and request."""
    summary = getattr(product, "_admin_offer_summary", None)
    if summary is None:
        summary = product_offer_summary(
            product=product,
            currency_first=market_currency(language=get_language() or "en"),
        )
        product._admin_offer_summary = summary
    return summary


def thumbnail(product: Product) -> str:
    """A small square of the product's image (its renditions are prefetched), or a
    grey square with its initial: never a broken image or a third-party request."""
    if product.image is None:
        return format_html(
            '<span class="product-thumbnail product-thumbnail--empty" '
            'aria-hidden="true">{}</span>',
            product.title[:1],
        )
    rendition = product.image.get_rendition(THUMBNAIL)
    return format_html(
        '<img class="product-thumbnail" src="{}" width="{}" height="{}" alt="" '
        'loading="lazy">',
        rendition.url,
        rendition.width,
        rendition.height,
    )


def price_range(product: Product) -> str:
    """ "199.00–299.00 CNY · 30.00 USD"; the market currency first."""
    parts = []
    for prices in _summary(product).price_ranges:
        if prices.low == prices.high:
            parts.append(money_plain(prices.low, prices.currency))
        else:
            low = money_plain(prices.low, prices.currency).split(" ")[0]
            parts.append(f"{low}–{money_plain(prices.high, prices.currency)}")
    return " · ".join(parts) or _("No offers")


def stock(product: Product) -> str:
    """ "2 of 3 in stock"."""
    summary = _summary(product)
    if not summary.offers:
        return _("No offers")
    return ngettext(
        "%(in_stock)s of %(offers)s in stock",
        "%(in_stock)s of %(offers)s in stock",
        summary.offers,
    ) % {"in_stock": summary.in_stock, "offers": summary.offers}


def offer_count(product: Product) -> int:
    return _summary(product).offers


def best_price(product: Product) -> str:
    best = _summary(product).best
    if best is None:
        return _("Not in stock anywhere")
    return money_plain(best.price, offer_currency(best))


def best_merchant(product: Product) -> str:
    best = _summary(product).best
    return best.merchant.name if best is not None else ""


def thumbnail_column() -> Column:
    return Column("thumbnail", label=_("Image"), accessor=thumbnail, width="1%")


class ProductIndexView(IndexView):
    """The product listing, with its offers' prices and stock."""

    def get_base_queryset(self):
        return products_for_admin(super().get_base_queryset())

    @cached_property
    def columns(self):
        columns = list(super().columns)
        # After the bulk actions' checkbox, before the title.
        columns.insert(1, thumbnail_column())
        return columns


class _ProductChooseMixin:
    """The chooser's results: image, title, best in-stock price and its merchant,
    and stock, so that a creator picks a product that can be bought."""

    def get_object_list(self):
        return products_for_admin(super().get_object_list())

    @property
    def columns(self):
        return [
            thumbnail_column(),
            *super().columns,
            Column("best_price", label=_("Best price"), accessor=best_price),
            Column("merchant", label=_("Merchant"), accessor=best_merchant),
            Column("stock", label=_("Stock"), accessor=stock),
        ]


class ProductChooseView(_ProductChooseMixin, ChooseView):
    pass


class ProductChooseResultsView(_ProductChooseMixin, ChooseResultsView):
    pass


class ProductChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
