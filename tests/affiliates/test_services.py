import pytest
from django.core.exceptions import ValidationError

from affiliates.models import CREATORS_GROUP, CreatorKind, CreatorProfile
from affiliates.selectors import creator_profile_for_user, user_is_editor
from affiliates.services import creator_create

pytestmark = pytest.mark.django_db


def test_creator_create_makes_a_user_who_can_log_in_as_a_creator(client):
    referrer = creator_create(
        username="kol1",
        password="kol1-demo",
        public_name="Lulu Lin",
        kind=CreatorKind.KOL,
    )
    member = creator_create(
        username="member1",
        password="member1-demo",
        public_name="小米粒",
        referred_by=referrer,
    )
    assert member.slug == "小米粒"
    assert member.referred_by == referrer
    assert member.user.groups.filter(name=CREATORS_GROUP).exists()
    assert creator_profile_for_user(user=member.user) == member
    assert not user_is_editor(user=member.user)
    assert client.login(username="member1", password="member1-demo")
    assert client.get("/admin/").status_code == 200


def test_creator_create_refuses_bad_input_and_saves_nothing():
    creator_create(username="kol1", password=None, public_name="Lulu", slug="lulu")
    with pytest.raises(ValidationError):
        creator_create(username="kol2", password=None, public_name="Other", slug="lulu")
    assert CreatorProfile.objects.count() == 1


def test_editor_creates_a_creator_profile_in_the_admin(client, editor):
    from django.urls import reverse

    from tests.factories import UserFactory

    user = UserFactory(username="newcomer")
    client.force_login(editor)
    response = client.post(
        reverse("wagtailsnippets_affiliates_creatorprofile:add"),
        {
            "user": user.pk,
            "public_name": "新人",
            "slug": "xinren",
            "bio": "",
            "kind": "member",
            "referred_by": "",
        },
    )
    assert response.status_code == 302
    profile = CreatorProfile.objects.get(slug="xinren")
    assert profile.user.groups.filter(name=CREATORS_GROUP).exists()
