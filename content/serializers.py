"""Wagtail's own v2 API (/api/v2/pages/…) shows articles' bodies, reviewed products
and guide picks exactly as /api/articles/{id} does: product embeds expanded with
their offers and absolute tracked links, and the disclosure to show before them."""

from rest_framework import serializers


class ArticlePartField(serializers.Field):
    """One part of the whole article (services.article_representation), computed
    once per article and request however many parts are asked for."""

    def __init__(self, part: str, **kwargs):
        self.part = part
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, page):
        from .services import article_representation

        request = self.context["request"]
        cached = getattr(page, "_api_whole", None)
        if cached is None or cached[0] is not request:
            cached = (request, article_representation(request=request, article=page))
            page._api_whole = cached
        return cached[1].get(self.part)
