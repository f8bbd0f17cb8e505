"""Registers the catalog in the Wagtail admin; no logic lives here."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Merchant, Product


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
    list_display = ["title", "brand", "gtin"]
    list_filter = ["brand"]
    list_per_page = 50


class CatalogViewSetGroup(SnippetViewSetGroup):
    items = (ProductViewSet, MerchantViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Catalog")
    menu_name = "catalog"
    menu_order = 200


register_snippet(CatalogViewSetGroup)
