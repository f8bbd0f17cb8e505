"""The content part of the API: published articles and tags, for any frontend.

Public (no sign-in); mounted under /api/ by zhongcao.api. The whole article, with
its product embeds expanded, comes with the headless API issue; this is the list.
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .selectors import article_kind, articles_filter, tags_with_counts

router = Router(tags=["articles"])

RENDITIONS = {"thumbnail": "fill-400x225", "large": "width-1200"}


class Rendition(Schema):
    url: str
    width: int
    height: int
    alt: str


class AuthorOut(Schema):
    name: str
    slug: str
    avatar: Rendition | None


class ArticleItem(Schema):
    id: int
    type: Literal["review", "guide"]
    title: str
    slug: str
    url_path: str = Field(description="The article's path on the reader site.")
    summary: str
    locale: str
    hero_image: dict[str, Rendition] | None = Field(
        description="Renditions by name: thumbnail (400×225), large (1200 wide)."
    )
    author: AuthorOut | None
    tags: list[str]
    published_at: datetime.datetime | None


class ArticleList(Schema):
    count: int
    items: list[ArticleItem]


class ArticleFilters(Schema):
    type: Literal["review", "guide"] | None = None
    tag: str = Field("", description="Tag slug.")
    author: str = Field("", description="Creator slug.")
    product: str = Field("", description="Product slug: articles that embed it.")
    q: str = Field(
        "", max_length=200, description="Full-text search, Chinese or English."
    )
    locale: Literal["zh-hans", "en"] | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


def _rendition(image, spec: str) -> dict:
    rendition = image.get_rendition(spec)
    return {
        "url": rendition.url,
        "width": rendition.width,
        "height": rendition.height,
        "alt": image.default_alt_text or image.title,
    }


def _article_item(article) -> dict:
    author = article.author
    return {
        "id": article.pk,
        "type": article_kind(article),
        "title": article.title,
        "slug": article.slug,
        "url_path": article.url,
        "summary": article.summary,
        "locale": article.language,
        "hero_image": (
            {
                name: _rendition(article.hero_image, spec)
                for name, spec in RENDITIONS.items()
            }
            if article.hero_image
            else None
        ),
        "author": (
            {
                "name": author.public_name,
                "slug": author.slug,
                "avatar": _rendition(author.avatar, "fill-96x96")
                if author.avatar
                else None,
            }
            if author
            else None
        ),
        "tags": [tag.name for tag in article.tags.all()],
        "published_at": article.first_published_at,
    }


@router.get(
    "/articles",
    auth=None,
    response=ArticleList,
    summary="Published reviews and guides, newest first",
)
def articles_list(request: HttpRequest, filters: Query[ArticleFilters]):
    queryset = articles_filter(
        **{
            key: value or ""
            for key, value in filters.dict(exclude={"limit", "offset"}).items()
        }
    )
    page = queryset.select_related("author__avatar").prefetch_related("tags")[
        filters.offset : filters.offset + filters.limit
    ]
    return {"count": queryset.count(), "items": [_article_item(a) for a in page]}


class TagOut(Schema):
    name: str
    slug: str
    articles: int = Field(description="How many published articles carry it.")


@router.get(
    "/tags", auth=None, response=list[TagOut], summary="Tags with article counts"
)
def tags_list(request: HttpRequest):
    return [
        {"name": tag.name, "slug": tag.slug, "articles": tag.articles}
        for tag in tags_with_counts()
    ]
