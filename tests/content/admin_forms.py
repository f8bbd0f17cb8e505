"""Form data for the admin's page forms, as a browser would post it."""

from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)


def review_form_data(*, product, author=None, **overrides) -> dict:
    data = {
        "title": "Sonari WH-7 评测",
        "slug": "sonari-wh7-review",
        "summary": "Quiet, comfortable, expensive.",
        "language": "zh-hans",
        "product": product.pk,
        "rating": "8.5",
        "verdict": "The quietest headphones under ¥1500.",
        "tags": "耳机, headphones",
        "pros": streamfield([("point", "Quiet")]),
        "cons": streamfield([("point", "Pricey")]),
        "body": streamfield(
            [
                ("rich_text", rich_text("<p>We wore them for a month.</p>")),
                (
                    "product_card",
                    {"product": product.pk, "call_to_action": "", "note": ""},
                ),
            ]
        ),
        "comments": inline_formset([]),
    }
    if author is not None:
        data["author"] = author.pk
    data.update(overrides)
    return nested_form_data(data)
