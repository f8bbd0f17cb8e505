"""Content-Security-Policy: every page type carries one; the reader site's is strict,
the admin's and the API's are what Wagtail and the API docs need. That each works
in a browser (no violation) is tests/e2e/test_csp.py's and
tests/content/reader/test_reader_browser.py's to show."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from affiliates.models import TrackedLink
from tests.factories import EditorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def policy(response) -> dict[str, set[str]]:
    """The response's Content-Security-Policy, directive by directive."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def assert_reader_policy(directives: dict[str, set[str]]) -> None:
    assert directives["default-src"] == {"'none'"}
    assert directives["script-src"] == {"'none'"}
    assert directives["style-src"] == {"'self'"}
    assert directives["img-src"] == {"'self'"}
    assert directives["frame-ancestors"] == {"'none'"}
    assert directives["base-uri"] == {"'none'"}
    assert directives["form-action"] == {"'self'"}


@pytest.fixture
def reader_urls(review, creator, product):
    review.tags.add("耳机")
    review.save_revision().publish()
    return {
        "home": "/",
        "article": review.url,
        "articles": review.get_parent().url,
        "product": reverse("reader:product", args=[product.slug]),
        "creator": reverse("reader:creator", args=[creator.slug]),
        "tag": reverse("reader:tag", args=[Tag.objects.get().slug]),
        "search": reverse("reader:search") + "?q=review",
        "sign-up": reverse("signup"),
    }


def test_every_reader_page_has_the_strict_policy(client, reader_urls):
    for name, url in reader_urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_reader_policy(policy(response))


def test_error_pages_have_the_strict_policy_too(client, db):
    assert_reader_policy(policy(client.get("/no-such-page/")))
    assert_reader_policy(policy(client.get("/go/no-such-link/")))


def test_a_tracked_link_redirect_carries_no_policy(client, review):
    """A redirect shows no document: the hot path stays lean."""
    link = TrackedLink.objects.filter(article=review, is_preview=False).first()
    response = client.get(f"/go/{link.code}")
    assert response.status_code == 302
    assert "Content-Security-Policy" not in response.headers


def test_signed_in_readers_may_run_the_userbar_from_our_origin(client, review):
    client.force_login(EditorFactory())
    response = client.get(review.url)
    assert "wagtail-userbar" in response.content.decode()
    directives = policy(response)
    assert directives["script-src"] == {"'self'"}
    assert directives["default-src"] == {"'none'"}
    assert directives["frame-ancestors"] == {"'none'"}
    assert "'unsafe-inline'" not in set().union(*directives.values())


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def test_every_admin_page_has_the_admin_policy(editor_client, review):
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=[review.pk]),
        reverse("wagtailadmin_explore", args=[review.get_parent().pk]),
        reverse("wagtailsnippets_products_product:list"),
        reverse("wagtailsnippetchoosers_products_product:choose"),
        reverse("wagtailimages_chooser:choose"),
        reverse("affiliates_articles_report"),
        reverse("wagtailadmin_reports:site_history"),
    ]
    for url in urls:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["default-src"] == {"'self'"}, url
        assert directives["object-src"] == {"'none'"}, url
        assert directives["frame-ancestors"] == {"'self'"}, url
        assert directives["base-uri"] == {"'self'"}, url
        # Wagtail's inline scripts; everything else from our own origin.
        assert directives["script-src"] == {"'self'", "'unsafe-inline'"}, url


def test_the_admin_sign_in_page_has_the_admin_policy(client, db):
    directives = policy(client.get(reverse("wagtailadmin_login")))
    assert directives["frame-ancestors"] == {"'self'"}


def test_a_page_preview_has_the_reader_policy_framed_by_the_admin(
    editor_client, review
):
    """A preview is rendered through a request made up by Wagtail (to the page's own
    URL); it keeps the reader site's policy, but the admin may frame it."""
    response = editor_client.get(
        reverse(
            "wagtailadmin_pages:revisions_view",
            args=[review.pk, review.latest_revision.pk],
        )
    )
    assert response.status_code == 200
    directives = policy(response)
    assert directives["frame-ancestors"] == {"'self'"}
    assert directives["default-src"] == {"'none'"}
    assert "'unsafe-inline'" not in set().union(*directives.values())


def test_the_api_docs_have_the_api_policy(client, db):
    for url in ["/api/docs", "/api/openapi.json"]:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["default-src"] == {"'self'"}, url
        assert "script-src" not in directives, url  # scripts: 'self' only
        assert directives["frame-ancestors"] == {"'none'"}, url
        assert directives["object-src"] == {"'none'"}, url
