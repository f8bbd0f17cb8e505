"""Blocks that embed products describe them for APIs as the API's selectors do."""

import pytest

from content.blocks import ProductCardBlock, ProductGridBlock
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def test_product_blocks_represent_products_with_offers(product):
    card = ProductCardBlock()
    value = card.to_python({"product": product.pk, "note": "Buy"})
    represented = card.get_api_representation(value)
    assert represented["product"]["slug"] == product.slug
    assert represented["product"]["offers"][0]["price"] == "199.00"
    assert represented["product"]["offers"][0]["link"] is None  # links need a placement
    other = OfferFactory().product
    grid = ProductGridBlock()
    items = grid.get_api_representation(
        grid.to_python({"title": "", "products": [product.pk, other.pk]})
    )["products"]
    assert [item["value"]["slug"] for item in items] == [product.slug, other.slug]
    assert all(item["id"] for item in items)
