"""The admin's avatars come from our own origin: the uploaded one, the creator's
avatar or initials; never Gravatar (issue 17, item 12)."""

import html
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.factories import image_create

pytestmark = pytest.mark.django_db

IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")


def avatar_sources(page: str) -> list[str]:
    """The src of every avatar <img> of an admin page (Wagtail's avatar markup)."""
    sources = []
    for match in re.finditer(
        r"<(?:span|div)[^>]*class=\"[^\"]*avatar[^\"]*\"[^>]*>\s*<img\b[^>]*"
        r"\bsrc=\"([^\"]*)\"",
        page,
    ):
        sources.append(html.unescape(match.group(1)))
    return sources


def is_own_origin(src: str) -> bool:
    return src.startswith("data:") or (src.startswith("/") and not src.startswith("//"))


ADMIN_PAGES = [
    "wagtailadmin_home",
    "wagtailusers_users:index",
    "wagtailadmin_account",
    "wagtailadmin_reports:site_history",
    "wagtailsnippets_affiliates_creatorprofile:list",
]


@pytest.mark.slow
def test_no_admin_page_asks_a_third_party_for_an_avatar(
    client, admin_user, editor, creator, other_creator
):
    creator.avatar = image_create(title="lulu")
    creator.save()
    client.force_login(admin_user)
    for name in ADMIN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "gravatar" not in page.lower(), name
        for src in IMG_SRC.findall(page):
            assert is_own_origin(html.unescape(src)), (name, src)


def test_a_creator_sees_the_avatar_of_their_profile(client, creator):
    creator.avatar = image_create(title="lulu")
    creator.save()
    client.force_login(creator.user)
    sources = avatar_sources(client.get(reverse("wagtailadmin_home")).content.decode())
    assert sources
    assert all(src.startswith("/media/") for src in sources), sources
    assert all("default-user-avatar" not in src for src in sources)


def test_without_an_avatar_a_person_is_shown_by_their_initial(client, creator, editor):
    client.force_login(creator.user)
    sources = avatar_sources(client.get(reverse("wagtailadmin_home")).content.decode())
    assert sources
    for src in sources:
        assert src.startswith("data:image/svg+xml")
        # The creator's public name, Lulu, not the user name kol1.
        assert ">L</text>" in unquote(src)
    client.force_login(editor)
    sources = avatar_sources(client.get(reverse("wagtailadmin_home")).content.decode())
    assert sources and all(">E</text>" in unquote(src) for src in sources)


def test_a_name_with_markup_is_escaped_in_the_initial(client, creator):
    creator.public_name = "<b>x"
    creator.save()
    client.force_login(creator.user)
    sources = avatar_sources(client.get(reverse("wagtailadmin_home")).content.decode())
    assert sources and all(">&lt;</text>" in unquote(src) for src in sources)


def test_an_avatar_uploaded_in_the_account_settings_comes_first(client, creator):
    creator.avatar = image_create(title="lulu")
    creator.save()
    profile = UserProfile.get_for_user(creator.user)
    profile.avatar = image_create(title="uploaded").file.name
    profile.save()
    client.force_login(creator.user)
    sources = avatar_sources(client.get(reverse("wagtailadmin_home")).content.decode())
    assert sources and all(src == profile.avatar.url for src in sources)
