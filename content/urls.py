"""The reader site's own URLs (the page tree serves the rest)."""

from django.urls import re_path

from . import views

app_name = "reader"

# Slugs of tags, creators and products may be Chinese (allow_unicode), so \w.
SLUG = r"(?P<slug>[-\w]+)"

urlpatterns = [
    re_path(r"^tags/$", views.tag_index, name="tags"),
    re_path(r"^creators/$", views.creator_index, name="creators"),
    re_path(r"^products/$", views.product_index, name="products"),
    re_path(rf"^tags/{SLUG}/$", views.tag_detail, name="tag"),
    re_path(rf"^creators/{SLUG}/$", views.creator_detail, name="creator"),
    re_path(rf"^products/{SLUG}/$", views.product_detail, name="product"),
    re_path(r"^search/$", views.search, name="search"),
    re_path(r"^favicon\.ico$", views.favicon, name="favicon"),
]
