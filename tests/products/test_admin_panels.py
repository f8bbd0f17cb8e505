"""The product edit page's price history panel (products.admin_panels)."""

import re

import pytest
from django.urls import reverse

from products.models import Availability, OfferPrice
from tests.factories import MerchantFactory, OfferFactory
from tests.prices import offer_past

pytestmark = pytest.mark.django_db


def test_the_edit_page_shows_each_offers_history(client, editor):
    offer = OfferFactory(merchant=MerchantFactory(name="Qingcheng"))
    offer_past(
        offer,
        (40, "1299"),
        (20, "1299", Availability.OUT_OF_STOCK),
        (5, "999", Availability.IN_STOCK, "1299"),
    )
    client.force_login(editor)
    url = reverse("wagtailsnippets_products_product:edit", args=[offer.product.pk])
    html = client.get(url).content.decode()
    table = html[html.index('class="listing price-history-table"') :]
    table = table[: table.index("</table>")]
    assert "Qingcheng" in table
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    assert len(rows) == 3
    # Newest first: the sale, its regular price, the stock and who said so.
    assert "999.00 CNY" in rows[0] and "1299.00 CNY" in rows[0]
    assert "In stock" in rows[0] and "Merchant feed" in rows[0]
    assert "Out of stock" in rows[1]


def test_a_new_product_has_no_history_yet(client, editor):
    client.force_login(editor)
    html = client.get(reverse("wagtailsnippets_products_product:add")).content.decode()
    assert "Prices are recorded from the first save of an offer." in html


def test_an_editors_regular_price_joins_the_history(client, editor):
    offer = OfferFactory()
    product = offer.product
    client.force_login(editor)
    url = reverse("wagtailsnippets_products_product:edit", args=[product.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None and name not in ("offers", "tags", "image"):
            data[name] = value
    data.update(
        {
            "tags": "",
            "offers-TOTAL_FORMS": "1",
            "offers-INITIAL_FORMS": "1",
            "offers-MIN_NUM_FORMS": "0",
            "offers-MAX_NUM_FORMS": "1000",
            "offers-0-id": str(offer.pk),
            "offers-0-merchant": str(offer.merchant_id),
            "offers-0-availability": offer.availability,
            "offers-0-url": offer.url,
            "offers-0-price": "149.00",
            "offers-0-list_price": "199.00",
            "offers-0-currency": "CNY",
            "offers-0-commission_rate": "",
            "offers-0-ORDER": "1",
            "offers-0-DELETE": "",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    last = OfferPrice.objects.filter(offer=offer).latest("recorded_at", "pk")
    assert (str(last.price), str(last.list_price)) == ("149.00", "199.00")
