"""Wagtail's own v2 API (/api/v2/pages/…) shows articles' bodies, reviewed products
and guide picks exactly as /api/articles/{id} does: product embeds expanded with
their offers and absolute tracked links, and the disclosure to show before them; and
of the home page's featured articles only the published ones."""

from rest_framework import serializers


class ArticlePartField(serializers.Field):
    """One part of the whole article (services.article_representation), computed
    once per article and request however many parts are asked for."""

    def __init__(self, part: str, **kwargs):
        self.part = part
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, page):
        # Imported here: the page models name this field when their classes are
        # made, and services import the page models (see content.models' Layering).
        from content.services import article_representation

        request = self.context["request"]
        cached = getattr(page, "_api_whole", None)
        if cached is None or cached[0] is not request:
            cached = (request, article_representation(request=request, article=page))
            page._api_whole = cached
        return cached[1].get(self.part)


class PublishedArticleChoicesField(serializers.Field):
    """An editor's article choices (the home page's featured articles) as Wagtail's
    v2 API shows a child relation (its ChildRelationField), but only those whose
    article is published: the API is public, and a draft featured ahead of its
    publication is nobody else's business yet."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        # Imported here, for the same reason as ArticlePartField's.
        from content.selectors import article_choices_published

        choices = article_choices_published(choices=value.all())
        # Wagtail's v2 API builds each choice's serializer for the fields asked for
        # (?fields=featured_articles(article(title))) and hands it to the page's.
        serializer_class = getattr(self.parent, "child_serializer_classes", {}).get(
            self.field_name
        )
        if serializer_class is None:
            return [
                {"id": choice.pk, "article": choice.article_id} for choice in choices
            ]
        serializer = serializer_class(context=self.context)
        return [serializer.to_representation(choice) for choice in choices]
