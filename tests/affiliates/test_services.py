import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from affiliates.clickids import click_id_make
from affiliates.models import (
    CREATORS_GROUP,
    Click,
    CreatorKind,
    CreatorProfile,
    TrackedLink,
)
from affiliates.selectors import creator_profile_for_user, user_is_editor
from affiliates.services import DUPLICATE_WINDOW, clicks_store, creator_create
from affiliates.tracking import PendingClick

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


# clicks_store: one billable click per visitor, link and hour.

START = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def pending(link, minutes, visitor="v" * 64, bot=False):
    at = START + datetime.timedelta(minutes=minutes)
    return PendingClick(
        click_id=click_id_make(link_id=link.pk, clicked_at=at),
        link_id=link.pk,
        offer_id=link.offer_id,
        clicked_at=at,
        visitor_hash=visitor,
        user_agent="UA",
        referrer="",
        is_bot=bot,
        is_preview=False,
    )


def test_a_visitor_bills_once_an_hour_per_link(link):
    clicks_store(clicks=[pending(link, minute) for minute in (0, 10, 50)])
    clicks_store(clicks=[pending(link, minute) for minute in (61, 70, 125)])
    billable = list(
        Click.objects.filter(is_billable=True)
        .order_by("clicked_at")
        .values_list("clicked_at", flat=True)
    )
    assert billable == [START + datetime.timedelta(minutes=m) for m in (0, 61, 125)]


def test_storing_the_same_clicks_twice_changes_nothing(link):
    batch = [pending(link, minute) for minute in (0, 5)]
    clicks_store(clicks=batch)
    clicks_store(clicks=batch)
    assert Click.objects.count() == 2
    assert Click.objects.filter(is_billable=True).count() == 1


def test_only_the_same_visitor_on_the_same_link_is_a_duplicate(link):
    other_link = TrackedLink.objects.get(pk=link.pk)
    other_link.pk, other_link.code, other_link.placement = None, "OtherLink1", "other"
    other_link.save()
    reader, another = "a" * 64, "b" * 64
    clicks_store(
        clicks=[
            pending(link, 0, visitor=reader),
            pending(other_link, 1, visitor=another),
        ]
    )
    # Each pair crossed: the reader on the other link, the other reader on this one.
    clicks_store(
        clicks=[
            pending(other_link, 2, visitor=reader),
            pending(link, 3, visitor=another),
            pending(link, 4, visitor=reader),  # the only repeat
        ]
    )
    assert list(
        Click.objects.order_by("clicked_at").values_list("is_duplicate", flat=True)
    ) == [False, False, False, False, True]


def test_clicks_without_a_visitor_hash_never_duplicate(link):
    """A click written without a visitor hash (a bot's) is never a duplicate, nor
    makes another one a duplicate."""
    clicks_store(clicks=[pending(link, 0, visitor="")])
    clicks_store(clicks=[pending(link, 1, visitor=""), pending(link, 2)])
    assert not Click.objects.filter(is_duplicate=True).exists()


def test_bots_never_bill_nor_make_readers_duplicates(link):
    clicks_store(clicks=[pending(link, 0, bot=True), pending(link, 1)])
    assert list(
        Click.objects.order_by("clicked_at").values_list("is_billable", flat=True)
    ) == [False, True]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    minutes=st.lists(st.integers(0, 600), min_size=1, max_size=25),
    cuts=st.lists(st.integers(0, 25), max_size=4),
)
def test_billable_clicks_are_an_hour_apart_whatever_the_batches(link, minutes, cuts):
    Click.objects.all().delete()
    clicks = [pending(link, minute) for minute in sorted(minutes)]
    bounds = sorted({0, len(clicks), *[cut for cut in cuts if cut < len(clicks)]})
    for start, end in zip(bounds, bounds[1:], strict=False):
        clicks_store(clicks=clicks[start:end])
    rows = list(
        Click.objects.order_by("clicked_at").values_list("clicked_at", "is_billable")
    )
    assert len(rows) == len(clicks)
    billed = [at for at, billable in rows if billable]
    assert billed, "the first click always bills"
    assert all(
        later - earlier >= DUPLICATE_WINDOW
        for earlier, later in zip(billed, billed[1:], strict=False)
    )
    for at, billable in rows:
        if not billable:
            assert any(abs(at - other) < DUPLICATE_WINDOW for other in billed)


def test_awkward_text_is_stored_exactly(link):
    awkward = "tab\there\nnew line \\ backslash \\N 中文 ñ \r end"
    click = pending(link, 0)
    click = click.__class__(
        **{**click.__dict__, "user_agent": awkward, "referrer": awkward}
    )
    clicks_store(clicks=[click])
    stored = Click.objects.get()
    assert stored.user_agent == awkward
    assert stored.referrer == awkward
    assert stored.clicked_at == START
