"""A creator edits their own profile, and only what they may change."""

import pytest
from django.urls import reverse

from affiliates.models import CreatorKind

pytestmark = pytest.mark.django_db

URL = "affiliates_own_profile"


def test_creator_edits_their_own_profile(client, creator, other_creator):
    client.force_login(creator.user)
    assert client.get(reverse(URL)).status_code == 200
    response = client.post(
        reverse(URL),
        {
            "public_name": "林小鹿",
            "bio": "Tries every rice cooker.",
            "avatar": "",
            "kind": CreatorKind.KOL,
            "referred_by": other_creator.pk,
            "slug": "hijack",
        },
    )
    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.public_name == "林小鹿"
    assert creator.bio == "Tries every rice cooker."
    assert creator.kind == CreatorKind.MEMBER  # not theirs to change
    assert creator.referred_by is None
    assert creator.slug == "lulu"
    other_creator.refresh_from_db()
    assert other_creator.public_name == "Ann"


def test_bad_input_is_a_form_error(client, creator):
    client.force_login(creator.user)
    response = client.post(reverse(URL), {"public_name": "", "bio": "x" * 501})
    assert response.status_code == 200
    assert {"public_name", "bio"} <= set(response.context["form"].errors)
    creator.refresh_from_db()
    assert creator.public_name == "Lulu"


def test_users_without_a_profile_get_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse(URL)).status_code == 404


def test_menu_shows_my_profile_only_to_creators(client, creator, editor):
    client.force_login(creator.user)
    assert reverse(URL) in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(editor)
    assert reverse(URL) not in client.get(reverse("wagtailadmin_home")).content.decode()
