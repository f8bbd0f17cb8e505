"""Wagtail's own v2 API (/api/v2/pages/…) shows articles' bodies, reviewed products
and guide picks exactly as /api/articles/{id} does: product embeds expanded with
their offers and absolute tracked links, and the disclosure to show before them; and
of the home page's featured articles only the published ones.

The page models only name those fields (``api_fields``); how they are shown is said
here, by the API, in ``PAGE_FIELD_SERIALIZERS``, and ``PageFieldSerializersMixin``
hands them to Wagtail's page endpoints (zhongcao.wagtail_api) as the serializers that
``APIField(serializer=…)`` would have named. The models never import the API layer.
"""

from rest_framework import serializers

from content.models import ArticlePage, GuidePage, HomePage, ReviewPage
from content.selectors import article_choices_published
from content.services import article_representation


class ArticlePartField(serializers.Field):
    """One part of the whole article (services.article_representation), computed
    once per article and request however many parts are asked for."""

    def __init__(self, part: str, **kwargs):
        self.part = part
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, page):
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


# Which of the page models' API fields have a serializer of their own, by the model
# that names them (its subclasses inherit them, as they inherit its api_fields).
PAGE_FIELD_SERIALIZERS: dict[type, dict[str, serializers.Field]] = {
    HomePage: {"featured_articles": PublishedArticleChoicesField()},
    ArticlePage: {
        "body": ArticlePartField("body"),
        "disclosure": ArticlePartField("disclosure"),
    },
    ReviewPage: {"product": ArticlePartField("product")},
    GuidePage: {"picks": ArticlePartField("picks")},
}


class PageFieldSerializersMixin:
    """For a Wagtail page endpoint (``PagesAPIViewSet`` and its admin subclass): the
    serializers of ``PAGE_FIELD_SERIALIZERS``, where Wagtail looks for those of
    ``APIField(serializer=…)``."""

    @classmethod
    def get_field_serializer_overrides(cls, model):
        overrides = dict(super().get_field_serializer_overrides(model))
        for page_model, fields in PAGE_FIELD_SERIALIZERS.items():
            if issubclass(model, page_model):
                overrides.update(fields)
        return overrides
