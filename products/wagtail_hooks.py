"""Registers the catalog in the Wagtail admin; no logic lives here."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_panels import OfferPriceHistoryPanel
from .admin_views import (
    ProductChooserViewSet,
    ProductIndexView,
    offer_count,
    price_range,
    stock,
)
from .feeds.admin_views import OfferProposalPermissionPolicy, OfferProposalViewSet
from .models import Merchant, OfferProposal, PriceSource, Product
from .services import offer_prices_record

# Before the viewsets: proposals come from feeds, and are only viewed and decided.
register_permission_policy(OfferProposal, OfferProposalPermissionPolicy(OfferProposal))


class MerchantViewSet(SnippetViewSet):
    model = Merchant
    icon = "site"
    menu_label = _("Merchants")
    list_display = ["name", "currency", "default_commission_rate", "hold_period_days"]
    list_filter = ["currency"]
    ordering = ["name"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    list_display = [
        "title",
        "brand",
        Column("price_range", label=_("Price"), accessor=price_range),
        Column("stock", label=_("Stock"), accessor=stock),
        Column("offers", label=_("Offers"), accessor=offer_count),
    ]
    list_filter = ["brand"]
    list_per_page = 50
    index_view_class = ProductIndexView
    chooser_viewset_class = ProductChooserViewSet
    panels = [*Product.panels, OfferPriceHistoryPanel()]


class CatalogViewSetGroup(SnippetViewSetGroup):
    items = (ProductViewSet, MerchantViewSet, OfferProposalViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Catalog")
    menu_name = "catalog"
    menu_order = 200


register_snippet(CatalogViewSetGroup)


@hooks.register("insert_global_admin_css")
def _catalog_admin_css():
    # Global: the product chooser opens in a modal on any edit page.
    return format_html(
        '<link rel="stylesheet" href="{}">', static("css/catalog_admin.css")
    )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def _offer_prices_record(request, instance):
    # An editor's prices join each offer's history (docs/price-history.md).
    if isinstance(instance, Product):
        offer_prices_record(
            offers=instance.offers.select_related("merchant"),
            source=PriceSource.EDITOR,
        )
