"""RSS and Atom feeds of published articles (Django's syndication framework): the
whole site's, a tag's and a creator's.

Each entry speaks its article's language (``xml:lang`` on the entry, and
``dc:language`` in RSS, whose items have no language of their own) and carries the
article's disclosure, in that language, after its summary: the article it leads to
has affiliate links. Every URL is absolute from the public base URL
(ZHONGCAO_PUBLIC_BASE_URL), never from the request's Host header.
"""

from dataclasses import dataclass, field

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from affiliates.models import CreatorProfile
from content.models import AffiliateDisclosureSettings, ArticlePage
from content.reader import seo
from content.reader.selectors import articles_feed, creator_for_reader, tag_for_reader

FEED_LENGTH = 30


class LanguageRssFeed(Rss201rev2Feed):
    """RSS 2.0 whose items say their language (Dublin Core ``dc:language``)."""

    def root_attributes(self):
        return {
            **super().root_attributes(),
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("dc:language", item["language"])


class LanguageAtomFeed(Atom1Feed):
    """Atom whose entries say their language (``xml:lang``)."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}


@dataclass
class FeedSource:
    """What one request's feed is about; the feed objects themselves are shared
    between requests, so that nothing of a request is kept on them."""

    request: HttpRequest
    title: str
    description: str
    path: str  # the page the feed follows
    feed_path: str
    articles: list[ArticlePage] = field(default_factory=list)


class ArticlesFeed(Feed):
    """The newest published articles of the whole site (RSS)."""

    feed_type = LanguageRssFeed

    def source(self, request: HttpRequest, **kwargs) -> FeedSource:
        return FeedSource(
            request=request,
            title=seo.SITE_NAME,
            description=_("The newest reviews and buying guides."),
            path="/",
            feed_path=request.path,
        )

    def filters(self, source: FeedSource, **kwargs) -> dict:
        return {}

    def get_object(self, request, *args, **kwargs) -> FeedSource:
        source = self.source(request, **kwargs)
        disclosures = AffiliateDisclosureSettings.for_request(request)
        articles = articles_feed(limit=FEED_LENGTH, **self.filters(source, **kwargs))
        for article in articles:
            article.feed_link = seo.absolute_url(request, article.get_url(request))
            article.feed_disclosure = disclosures.text_for(language=article.language)
        source.articles = articles
        return source

    def title(self, source: FeedSource) -> str:
        return source.title

    def description(self, source: FeedSource) -> str:
        return source.description

    subtitle = description

    def link(self, source: FeedSource) -> str:
        return seo.absolute_url(source.request, source.path)

    def feed_url(self, source: FeedSource) -> str:
        return seo.absolute_url(source.request, source.feed_path)

    def items(self, source: FeedSource) -> list[ArticlePage]:
        return source.articles

    def item_title(self, article: ArticlePage) -> str:
        return article.title

    def item_description(self, article: ArticlePage) -> str:
        return format_html(
            '<p>{}</p><p class="disclosure"><em>{}</em></p>',
            article.summary,
            article.feed_disclosure,
        )

    def item_link(self, article: ArticlePage) -> str:
        return article.feed_link

    def item_guid(self, article: ArticlePage) -> str:
        return article.feed_link

    def item_pubdate(self, article: ArticlePage):
        return article.first_published_at

    def item_updateddate(self, article: ArticlePage):
        return article.last_published_at or article.first_published_at

    def item_author_name(self, article: ArticlePage) -> str | None:
        return article.author.public_name if article.author else None

    def item_author_link(self, article: ArticlePage) -> str | None:
        if article.author is None:
            return None
        return seo.absolute_url(
            None, reverse("reader:creator", args=[article.author.slug])
        )

    def item_categories(self, article: ArticlePage) -> list[str]:
        return [tag.name for tag in article.tags.all()]

    def item_extra_kwargs(self, article: ArticlePage) -> dict:
        return {"language": article.language}


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = LanguageAtomFeed


class TagFeed(ArticlesFeed):
    """A tag's newest published articles (RSS); 404 for a tag only drafts carry."""

    def source(self, request: HttpRequest, **kwargs) -> FeedSource:
        tag = tag_for_reader(slug=kwargs["slug"])
        if tag is None:
            raise Http404(_("No published article has this tag."))
        return FeedSource(
            request=request,
            title=_("Articles tagged “%(tag)s”") % {"tag": tag.name},
            description=_("Reviews and buying guides about %(tag)s.")
            % {"tag": tag.name},
            path=reverse("reader:tag", args=[tag.slug]),
            feed_path=request.path,
        )

    def filters(self, source: FeedSource, **kwargs) -> dict:
        return {"tag": kwargs["slug"]}


class TagAtomFeed(TagFeed):
    feed_type = LanguageAtomFeed


class CreatorFeed(ArticlesFeed):
    """A creator's newest published articles (RSS); 404 for an unknown or inactive
    creator."""

    def source(self, request: HttpRequest, **kwargs) -> FeedSource:
        creator: CreatorProfile | None = creator_for_reader(slug=kwargs["slug"])
        if creator is None:
            raise Http404(_("No creator has this address."))
        return FeedSource(
            request=request,
            title=creator.public_name,
            description=creator.bio
            or _("Reviews and buying guides by %(name)s.")
            % {"name": creator.public_name},
            path=reverse("reader:creator", args=[creator.slug]),
            feed_path=request.path,
        )

    def filters(self, source: FeedSource, **kwargs) -> dict:
        return {"author": kwargs["slug"]}


class CreatorAtomFeed(CreatorFeed):
    feed_type = LanguageAtomFeed
