"""The product edit page's price history: a read-only panel under the offers with
each offer's recorded states (products.models.OfferPrice), newest first, and who
recorded them. Editors see there what readers' charts and "lowest in 30 days" are
read from (docs/price-history.md)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .selectors import product_price_histories

PRICE_HISTORY_ROWS_SHOWN = 50


class OfferPriceHistoryPanel(Panel):
    """Each offer's price history (two queries whatever the number of offers)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Price history"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "products/admin/offer_price_history_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["histories"] = (
                product_price_histories(
                    product=self.instance, limit=PRICE_HISTORY_ROWS_SHOWN
                )
                if self.instance.pk
                else []
            )
            context["rows_shown"] = PRICE_HISTORY_ROWS_SHOWN
            return context
