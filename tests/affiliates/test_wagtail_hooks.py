"""The admin's creator profiles (a snippet viewset): editors' business only."""

import pytest
from django.urls import reverse

from tests.factories import CreatorProfileFactory

pytestmark = pytest.mark.django_db


def test_a_creator_reaches_no_creator_profile_page_of_anyone(
    client, creator, other_creator
):
    """A creator edits their own profile on "My creator profile"; the snippet pages,
    with another's id or their own, answer 403 and change nothing."""
    client.force_login(creator.user)
    name = "wagtailsnippets_affiliates_creatorprofile"
    for profile in (other_creator, creator):
        for view in ("edit", "delete", "history", "usage"):
            url = reverse(f"{name}:{view}", args=[profile.pk])
            assert client.get(url).status_code == 403, url
        url = reverse(f"{name}:edit", args=[profile.pk])
        assert client.post(url, {"public_name": "Taken"}).status_code == 403
        profile.refresh_from_db()
        assert profile.public_name != "Taken"
    for view in ("list", "add"):
        assert client.get(reverse(f"{name}:{view}")).status_code == 403, view


def test_editors_open_the_creator_profile_pages(client, editor, creator):
    client.force_login(editor)
    name = "wagtailsnippets_affiliates_creatorprofile"
    for view in ("edit", "history", "usage"):
        url = reverse(f"{name}:{view}", args=[creator.pk])
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("query", ["小鹿", "林小", "lulu"])
def test_editors_find_creators_by_part_of_a_chinese_name(client, editor, query):
    """The listing and the author chooser find 林小鹿 by any part of her name
    (products.searchbackend)."""
    lu = CreatorProfileFactory(public_name="林小鹿 Lulu", slug="lin-xiaolu")
    CreatorProfileFactory(public_name="王大山", slug="wang")
    client.force_login(editor)
    name = "creatorprofile"
    for url_name in (
        f"wagtailsnippets_affiliates_{name}:list_results",
        f"wagtailsnippetchoosers_affiliates_{name}:choose_results",
    ):
        text = client.get(reverse(url_name), {"q": query}).content.decode()
        assert lu.public_name in text, url_name
        assert "王大山" not in text, url_name
