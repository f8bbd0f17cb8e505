"""Red team of issue 17's reader index pages and feeds, and of New article: drafts,
private articles and unpublished changes never leak; hostile slugs and page numbers
are a 404 or the first page, never a 500; New article only for those who may add."""

import pytest
from wagtail.models import PageViewRestriction

from tests.conftest import review_create
from tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SECRETS = ["Draft secret title", "Private secret title", "Unpublished new title"]


@pytest.fixture
def hidden(articles, creator, other_creator):
    """Other creator's draft and private article (both tagged), and creator's live
    review with an unpublished change of title and tag."""
    draft = review_create(
        parent=articles,
        author=other_creator,
        product=ProductFactory(title="Draft product secret"),
        title="Draft secret title",
        slug="draft-secret",
        publish=False,
    )
    draft.tags.add("drafttag")
    draft.save_revision(user=other_creator.user)
    private = review_create(
        parent=articles,
        author=other_creator,
        product=ProductFactory(title="Private product secret"),
        title="Private secret title",
        slug="private-secret",
    )
    private.tags.add("privatetag")
    private.save_revision(user=other_creator.user).publish()
    PageViewRestriction.objects.create(
        page=private, restriction_type="password", password="x"
    )
    live = review_create(
        parent=articles,
        author=creator,
        product=ProductFactory(title="Live product"),
        title="Live title",
        slug="live-one",
    )
    live.title = "Unpublished new title"
    live.tags.add("unpublishedtag")
    live.save_revision(user=creator.user)
    return draft, private, live


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/products/",
        "/creators/",
        "/tags/",
        "/feed/",
        "/feed/atom/",
        "/creators/kol2/feed/",
        "/creators/kol2/feed/atom/",
        "/creators/kol2/",
        "/sitemap.xml",
    ],
)
def test_indexes_and_feeds_never_name_hidden_articles(client, hidden, url):
    response = client.get(url)
    assert response.status_code in (200, 404), url
    page = text(response)
    for secret in [*SECRETS, "Draft product secret", "Private product secret"]:
        assert secret not in page, (url, secret)
    for tag in ("drafttag", "privatetag", "unpublishedtag"):
        assert tag not in page, (url, tag)


@pytest.mark.parametrize("tag", ["drafttag", "privatetag", "unpublishedtag"])
def test_a_tag_only_hidden_articles_carry_has_no_page_nor_feed(client, hidden, tag):
    for url in (f"/tags/{tag}/", f"/tags/{tag}/feed/", f"/tags/{tag}/feed/atom/"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "slug",
    ["-", "_", "--", "a" * 300, "耳机" * 200, "０１２", "x_y-", "ǅ", "İ", "ß"],
)
def test_hostile_slugs_are_404(client, hidden, slug):
    for pattern in (
        "/tags/{}/",
        "/tags/{}/feed/",
        "/tags/{}/feed/atom/",
        "/creators/{}/",
        "/creators/{}/feed/",
        "/creators/{}/feed/atom/",
        "/products/{}/",
    ):
        url = pattern.format(slug)
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "page", ["-1", "0", "abc", "99999999999999999999999", "1e9", "\x00", "1.5"]
)
def test_hostile_page_numbers_are_never_a_500(client, hidden, page):
    for url in ("/products/", "/creators/", "/tags/"):
        assert client.get(url, {"page": page}).status_code in (200, 400, 404), url


@pytest.mark.parametrize("kind", ["garbage", "review", "guide", "page", "homepage"])
def test_new_article_needs_the_right_to_add(client, db, kind):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("nobody", password="x" * 12)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    for url in ("/admin/articles/new/", f"/admin/articles/new/{kind}/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        response = client.post(url)
        assert response.status_code in (302, 403, 404, 405), url


@pytest.mark.parametrize("kind", ["garbage", "page", "homepage", "articleindexpage"])
def test_new_article_of_an_unknown_kind_is_404(client, creator, articles, kind):
    client.force_login(creator.user)
    response = client.get(f"/admin/articles/new/{kind}/")
    assert response.status_code == 404
