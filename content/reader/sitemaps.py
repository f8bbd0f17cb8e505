"""The sitemap: every published page (Wagtail's), plus the tag, creator and product
pages that have published articles, and their index pages."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from content.reader.selectors import sitemap_creators, sitemap_products, sitemap_tags
from products.web import public_base_url


class ReaderSitemap(Sitemap):
    """A list of the reader site's own pages, with the same origin as the pages'
    (the public base URL), not the request's Host header."""

    url_name = ""
    limit = 5000

    def __init__(self, request):
        # content.reader.views.sitemap hands every sitemap the request; these need none.
        pass

    def location(self, item):
        return reverse(self.url_name, args=[item.slug])

    def get_urls(self, page=1, site=None, protocol=None):
        root = urlsplit(public_base_url())
        return super().get_urls(
            page=page, site=SimpleNamespace(domain=root.netloc), protocol=root.scheme
        )


class TagSitemap(ReaderSitemap):
    url_name = "reader:tag"

    def items(self):
        return sitemap_tags()


class CreatorSitemap(ReaderSitemap):
    url_name = "reader:creator"

    def items(self):
        return sitemap_creators()


class ProductSitemap(ReaderSitemap):
    url_name = "reader:product"

    def items(self):
        return sitemap_products()


class IndexSitemap(ReaderSitemap):
    """The index pages of products, creators and tags."""

    def items(self):
        return ["reader:products", "reader:creators", "reader:tags"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "tags": TagSitemap,
    "creators": CreatorSitemap,
    "products": ProductSitemap,
    "indexes": IndexSitemap,
}
