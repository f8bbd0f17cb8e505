"""StreamField blocks of articles.

Blocks that embed products (product card, product grid, comparison table, guide
pick) give every embedded product a stable block id: the StreamField block's own id
for a single product, the list item's id for each product of a list. That id is the
placement of the product's tracked links.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from content.catalog import product_items
from products.models import Product


def sample_product_pk() -> int | None:
    """A product to show in block previews: the catalog's first."""
    return Product.objects.order_by("pk").values_list("pk", flat=True).first()


class ProductChooserBlock(SnippetChooserBlock):
    """Chooses one product from the catalog."""

    def __init__(self, **kwargs):
        super().__init__("products.Product", **kwargs)

    def get_api_representation(self, value, context=None):
        """The product with its offers and images, as the API shows it (without
        links: those belong to a placement; articles' API fields add them)."""
        return product_items(products=[value])[0] if value is not None else None

    def get_preview_value(self):
        return self.to_python(sample_product_pk())


def list_with_ids(list_block: blocks.ListBlock, value, context=None) -> list[dict]:
    """A ListBlock's items for the API, each with its stable id (the placement)."""
    return [
        {
            "id": bound.id,
            "value": list_block.child_block.get_api_representation(
                bound.value, context
            ),
        }
        for bound in value.bound_blocks
    ]


class SampleProductPreviewMixin:
    """Previews a single-product block with the catalog's first product."""

    def get_preview_value(self):
        return self.to_python(
            {**self.meta.preview_value, "product": sample_product_pk()}
        )


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("level"), choices=[("h2", "H2"), ("h3", "H3")], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        description = _("A section heading.")
        template = "content/blocks/heading.html"
        preview_value = {"text": "How we tested", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        description = _("A picture with an optional caption.")
        template = "content/blocks/image.html"
        preview_value = {"caption": "Our test bench"}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(
        label=_("attribution"), required=False, max_length=120
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        description = _("A quotation, with who said it.")
        template = "content/blocks/quote.html"
        preview_value = {
            "quote": "The best camera is the one you have with you.",
            "attribution": "Chase Jarvis",
        }


class ProductCardBlock(SampleProductPreviewMixin, blocks.StructBlock):
    product = ProductChooserBlock(label=_("product"))
    call_to_action = blocks.CharBlock(
        label=_("call to action"),
        required=False,
        max_length=60,
        help_text=_("Button text; empty for the default (“Check price”)."),
    )
    note = blocks.TextBlock(label=_("note"), required=False, max_length=300)

    class Meta:
        icon = "tag"
        label = _("Product card")
        description = _("One product from the catalog with its buy links.")
        template = "content/blocks/product_card.html"
        preview_value = {"call_to_action": "Check price", "note": "Our top pick."}


class ProductGridBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    products = blocks.ListBlock(ProductChooserBlock(), label=_("products"), min_num=1)

    class Meta:
        icon = "table"
        label = _("Product grid")
        description = _("Several products side by side, each with its buy links.")
        template = "content/blocks/product_grid.html"
        preview_value = {"title": "More to consider"}

    def get_preview_value(self):
        pk = sample_product_pk()
        return self.to_python(
            {**self.meta.preview_value, "products": [pk] if pk else []}
        )

    def get_api_representation(self, value, context=None):
        return {
            "title": value["title"],
            "products": list_with_ids(
                self.child_blocks["products"], value["products"], context
            ),
        }


class ComparisonRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=80)
    values = blocks.ListBlock(
        blocks.CharBlock(max_length=120),
        label=_("values"),
        help_text=_("One value per product, in the products' order."),
    )

    class Meta:
        icon = "list-ul"
        label = _("Row")
        preview_value = {"label": "Battery life", "values": ["30 h", "24 h"]}


class ComparisonTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=160)
    products = blocks.ListBlock(ProductChooserBlock(), label=_("products"), min_num=2)
    rows = blocks.ListBlock(ComparisonRowBlock(), label=_("rows"))

    class Meta:
        icon = "table"
        label = _("Comparison table")
        description = _("Products in columns, compared row by row.")
        template = "content/blocks/comparison_table.html"
        preview_value = {"caption": "At a glance", "rows": []}

    def get_preview_value(self):
        pk = sample_product_pk()
        return self.to_python(
            {**self.meta.preview_value, "products": [pk, pk] if pk else []}
        )

    def get_api_representation(self, value, context=None):
        return {
            "caption": value["caption"],
            "products": list_with_ids(
                self.child_blocks["products"], value["products"], context
            ),
            "rows": self.child_blocks["rows"].get_api_representation(
                value["rows"], context
            ),
        }


class ProsConsBlock(blocks.StructBlock):
    pros = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("pros"))
    cons = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("cons"))

    class Meta:
        icon = "list-ul"
        label = _("Pros and cons")
        description = _("What is good and what is not, side by side.")
        template = "content/blocks/pros_cons.html"
        preview_value = {
            "pros": ["Quiet", "Long battery life"],
            "cons": ["Expensive"],
        }


class GuidePickBlock(SampleProductPreviewMixin, blocks.StructBlock):
    product = ProductChooserBlock(label=_("product"))
    label = blocks.CharBlock(
        label=_("label"),
        max_length=60,
        help_text=_("Such as “Best overall” or “Best budget”."),
    )
    reason = blocks.TextBlock(label=_("why"), max_length=600)

    class Meta:
        icon = "pick"
        label = _("Pick")
        description = _("One ranked pick of a guide.")
        template = "content/blocks/guide_pick.html"
        preview_value = {"label": "Best overall", "reason": "Does everything well."}


class ArticleBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        label=_("Text"),
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul", "hr", "h2", "h3"],
        description=_("Paragraphs, lists and links."),
        preview_value="<p>We used it every day for a month.</p>",
        template="content/blocks/rich_text.html",
    )
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    embed = EmbedBlock(
        label=_("Embed"),
        icon="media",
        description=_("A video or post by its URL."),
        preview_value="https://www.youtube.com/watch?v=mwrGSfiB1Mg",
    )
    product_card = ProductCardBlock()
    product_grid = ProductGridBlock()
    comparison_table = ComparisonTableBlock()
    pros_cons = ProsConsBlock()

    class Meta:
        block_counts = {}


PRODUCT_BLOCK_TYPES = ("product_card", "product_grid", "comparison_table", "pick")
