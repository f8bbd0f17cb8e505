"""The demo's drawn product pictures (content.demo.images)."""

import pytest
from PIL import ImageChops, ImageStat

from content.demo import dataset as demo_data
from content.demo.images import SHAPE_KEYWORDS, product_scene, shape_for

SHAPES = [shape for shape, _keywords in SHAPE_KEYWORDS] + ["phone"]


def test_every_demo_product_is_drawn_as_a_product_of_its_kind():
    shapes = {
        product["slug"]: shape_for(slug=product["slug"], tags=product["tags"])
        for product in demo_data.PRODUCTS
    }
    assert shapes["sonari-wh7"] == "headphones"
    assert shapes["sonari-eb3"] == "earbuds"
    assert shapes["pourwell-gooseneck-kettle"] == "kettle"
    assert shapes["velox-tempo-3"] == "shoe"
    assert shapes["jietu-r9"] == "vacuum"
    # Each kind of thing in the catalog is recognised (the slab is only a fallback).
    assert "phone" not in shapes.values()
    assert len(set(shapes.values())) >= 15


@pytest.mark.parametrize("shape", SHAPES)
def test_a_picture_is_a_lit_object_on_a_pale_backdrop(shape):
    picture = product_scene([(shape, "#2f4858")], size=(480, 300))
    assert picture.size == (480, 300)
    corner = picture.crop((0, 0, 40, 40))
    assert min(ImageStat.Stat(corner).mean) > 200  # a pale studio backdrop
    centre = picture.crop((160, 60, 320, 260)).convert("L")
    low, high = centre.getextrema()
    assert high - low > 60  # an object with light and shade, not a flat field
    assert len(centre.getcolors(maxcolors=256)) > 40  # shaded, not a few flat colours


def test_different_products_look_different():
    pictures = {
        shape: product_scene([(shape, "#a23b2a")], size=(240, 150)).convert("L")
        for shape in SHAPES
    }
    for shape, picture in pictures.items():
        for other, other_picture in pictures.items():
            if shape < other:
                difference = ImageStat.Stat(
                    ImageChops.difference(picture, other_picture)
                )
                assert difference.mean[0] > 2, (shape, other)


def test_a_guide_shows_its_picks_side_by_side():
    picture = product_scene(
        [("kettle", "#1f2a30"), ("grinder", "#3d3b3c"), ("scale", "#6b4f3a")]
    ).convert("L")
    thirds = [
        picture.crop((320 * index, 150, 320 * (index + 1), 560)) for index in range(3)
    ]
    for third in thirds:
        low, high = third.getextrema()
        assert high - low > 60  # each third holds an object
