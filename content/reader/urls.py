"""The reader site's own URLs (the page tree serves the rest)."""

from django.urls import re_path
from django.views.decorators.http import require_safe

from content.reader import feeds, views

app_name = "reader"

# Slugs of tags, creators and products may be Chinese (allow_unicode), so \w.
SLUG = r"(?P<slug>[-\w]+)"

urlpatterns = [
    re_path(r"^feed/$", require_safe(feeds.ArticlesFeed()), name="feed"),
    re_path(r"^feed/atom/$", require_safe(feeds.ArticlesAtomFeed()), name="feed_atom"),
    re_path(rf"^tags/{SLUG}/feed/$", require_safe(feeds.TagFeed()), name="tag_feed"),
    re_path(
        rf"^tags/{SLUG}/feed/atom/$",
        require_safe(feeds.TagAtomFeed()),
        name="tag_feed_atom",
    ),
    re_path(
        rf"^creators/{SLUG}/feed/$",
        require_safe(feeds.CreatorFeed()),
        name="creator_feed",
    ),
    re_path(
        rf"^creators/{SLUG}/feed/atom/$",
        require_safe(feeds.CreatorAtomFeed()),
        name="creator_feed_atom",
    ),
    re_path(r"^tags/$", views.tag_index, name="tags"),
    re_path(r"^creators/$", views.creator_index, name="creators"),
    re_path(r"^products/$", views.product_index, name="products"),
    re_path(rf"^tags/{SLUG}/$", views.tag_detail, name="tag"),
    re_path(rf"^creators/{SLUG}/$", views.creator_detail, name="creator"),
    re_path(rf"^products/{SLUG}/$", views.product_detail, name="product"),
    re_path(r"^search/$", views.search, name="search"),
    re_path(r"^favicon\.ico$", views.favicon, name="favicon"),
]
