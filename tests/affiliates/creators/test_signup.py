"""Members' sign-up through HTTP: /join/ (with invite codes), the confirmation email
and link, and what protects them (neutral answers, honeypot, rate limit)."""

import datetime
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from affiliates.models import CreatorKind, CreatorProfile
from affiliates.roles import CREATORS_GROUP
from tests.conftest import FOREIGN_HOST, schedule_run_once
from tests.factories import CreatorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "green tea at 7 o'clock"
CONFIRM_LINK = re.compile(r"http://testserver(/join/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limit counts in the (local-memory) cache: each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def join(client, django_capture_on_commit_callbacks):
    """POST the sign-up form; the confirmation email goes out when the request's
    transaction commits, as it does outside tests."""

    def post(*, http=client, **fields):
        data = {
            "email": "mei@example.com",
            "password": PASSWORD,
            "public_name": "Mei 小美",
            "accept_terms": "on",
            "ref": "",
            "website": "",
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not None}
        with django_capture_on_commit_callbacks(execute=True):
            return http.post("/join/", data)

    return post


def confirm_path(message) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_confirm_and_log_in_with_an_invite(client, join, creator, articles):
    page = client.get("/join/?ref=lulu")
    assert page.status_code == 200
    assert "You were invited by Lulu." in page.content.decode()
    assert 'name="ref" value="lulu"' in page.content.decode()

    response = join(ref="lulu")
    assert response.status_code == 302
    assert response["Location"] == "/join/sent/"
    assert "Check your email" in client.get("/join/sent/").content.decode()

    user = User.objects.get(email="mei@example.com")
    assert not user.is_active
    assert user.username == "mei@example.com"
    assert not CreatorProfile.objects.filter(user=user).exists()
    assert not Client().login(username="mei@example.com", password=PASSWORD)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mei@example.com"]
    assert message.subject == "Confirm your Zhongcao sign-up"
    path = confirm_path(message)

    # Opening the link (as a mail scanner would) confirms nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm and log in" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_active

    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    user.refresh_from_db()
    assert user.is_active
    profile = user.creator_profile
    assert profile.kind == CreatorKind.MEMBER
    assert profile.public_name == "Mei 小美"
    assert profile.slug == "mei-小美"
    assert profile.referred_by == creator
    assert user.groups.filter(name=CREATORS_GROUP).exists()

    # Logged in by the confirmation, and able to log in again later.
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "Your invite link" in home.content.decode()
    # The welcome says where to start, with a link to it.
    assert re.search(
        r"Start with a new article\..*?<a [^>]*href=\"/admin/articles/new/\"",
        home.content.decode(),
        re.S,
    )
    again = Client()
    assert again.login(username="mei@example.com", password=PASSWORD)
    assert again.get("/admin/").status_code == 200
    # As a creator, they may add articles.
    assert again.get(f"/admin/pages/{articles.pk}/add_subpage/").status_code == 200


def test_the_emails_link_the_public_base_url_not_the_host_header(
    join, public_base_url, creator
):
    # A new address, a pending one and a taken one: three e-mails, three templates.
    foreign = Client(HTTP_HOST=FOREIGN_HOST)
    join(http=foreign)
    join(http=foreign)
    join(http=foreign, email=creator.user.email)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        links = re.findall(r"https?://\S+", message.body)
        assert links, message.body
        assert all(link.startswith(public_base_url + "/") for link in links), links
        assert "evil.example" not in message.body
    assert f"{public_base_url}/admin/login/" in mail.outbox[2].body
    path = mail.outbox[1].body.split(public_base_url + "/join/confirm/")[1].split()[0]
    assert Client().post(f"/join/confirm/{path}").status_code == 302


def test_a_used_link_cannot_be_used_again(client, join):
    join()
    path = confirm_path(mail.outbox[0])
    assert client.post(path).status_code == 302

    response = Client().post(path)
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert CreatorProfile.objects.filter(user__email="mei@example.com").count() == 1


def test_a_tampered_link_is_refused(client, join):
    join()
    path = confirm_path(mail.outbox[0])
    signed = path.split("/")[3]
    flipped = signed[:-3] + ("A" if signed[-3] != "A" else "B") + signed[-2:]
    response = client.post(f"/join/confirm/{flipped}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not User.objects.get(email="mei@example.com").is_active
    assert not CreatorProfile.objects.exists()


def test_an_expired_link_is_refused(client, join, monkeypatch, settings):
    join()
    path = confirm_path(mail.outbox[0])
    later = time.time() + settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.post(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not User.objects.get(email="mei@example.com").is_active
    assert not CreatorProfile.objects.exists()


def test_a_link_is_refused_for_an_account_that_is_no_longer_pending(client, join):
    join()
    path = confirm_path(mail.outbox[0])
    # An editor gave the account a role in the meantime: it is not a sign-up's.
    user = User.objects.get(email="mei@example.com")
    user.groups.add(Group.objects.get(name=CREATORS_GROUP))
    assert client.post(path).status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_an_unknown_invite_code_is_ignored_with_a_note(client, join):
    page = client.get("/join/?ref=nobody-we-know")
    assert page.status_code == 200
    content = page.content.decode()
    assert "We do not know this invite code" in content
    assert 'name="ref" value="nobody-we-know"' not in content

    join(ref="nobody-we-know")
    client.post(confirm_path(mail.outbox[0]))
    profile = CreatorProfile.objects.get(user__email="mei@example.com")
    assert profile.referred_by is None


def test_a_deactivated_creator_cannot_invite(client, join, creator):
    creator.user.is_active = False
    creator.user.save()
    assert (
        "We do not know this invite code"
        in client.get("/join/?ref=lulu").content.decode()
    )
    join(ref="lulu")
    client.post(confirm_path(mail.outbox[0]))
    assert CreatorProfile.objects.get(user__email="mei@example.com").referred_by is None


def test_a_taken_public_name_gets_a_free_slug(client, join):
    CreatorProfileFactory(public_name="Mei", slug="mei")
    join(public_name="Mei")
    client.post(confirm_path(mail.outbox[0]))
    profile = CreatorProfile.objects.get(user__email="mei@example.com")
    assert profile.public_name == "Mei"
    assert re.fullmatch(r"mei-[0-9a-f]{6}", profile.slug)


def test_a_registered_address_gets_the_same_answer_and_no_second_account(
    client, join, creator
):
    new = join(email="new@example.com")
    taken = join(email="KOL1@Example.com", password="another pass phrase 99")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])

    assert User.objects.filter(email__iexact="kol1@example.com").count() == 1
    creator.user.refresh_from_db()
    assert creator.user.check_password("password")
    # The address's owner is told, by email only, that the account exists.
    message = mail.outbox[-1]
    assert message.to == ["kol1@example.com"]
    assert "already has an account" in message.body
    assert not CONFIRM_LINK.search(message.body)


def test_signing_up_twice_sends_a_new_link_but_keeps_the_first_password(client, join):
    join()
    join(password="a different pass phrase 12", public_name="Mei again")
    assert User.objects.filter(email="mei@example.com").count() == 1
    assert len(mail.outbox) == 2
    client.post(confirm_path(mail.outbox[1]))
    user = User.objects.get(email="mei@example.com")
    assert user.is_active
    assert user.creator_profile.public_name == "Mei again"
    assert user.check_password(PASSWORD)
    # The first link is spent too: the account is no longer pending.
    assert Client().post(confirm_path(mail.outbox[0])).status_code == 400


def test_a_deactivated_account_is_never_reactivated_by_signing_up(client, join):
    UserFactory(username="mei", email="mei@example.com", is_active=False)
    join()
    message = mail.outbox[-1]
    assert "already has an account" in message.body
    assert not User.objects.get(username="mei").is_active
    assert User.objects.filter(email="mei@example.com").count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"password": "short"}, "password", "This password is too short."),
        ({"password": "password123"}, "password", "This password is too common."),
        ({"password": "mei@example.com"}, "password", "too similar"),
        ({"public_name": ""}, "public_name", "This field is required."),
        ({"public_name": "x" * 101}, "public_name", "at most 100 characters"),
        ({"accept_terms": None}, "accept_terms", "Please accept the member terms"),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(
    client, join, fields, field, error
):
    response = join(**fields)
    assert response.status_code == 400
    messages = response.context["form"].errors[field]
    assert any(error in message for message in messages), messages
    assert "has-errors" in response.content.decode()
    assert not User.objects.exclude(username__in=["kol1", "kol2"]).exists()
    assert mail.outbox == []


def test_the_honeypot_answers_as_usual_and_creates_nothing(client, join):
    response = join(website="https://spam.example/")
    assert response.status_code == 302
    assert response["Location"] == "/join/sent/"
    assert not User.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client):
    content = client.get("/join/").content.decode()
    assert re.search(r'<p class="hp" aria-hidden="true">.*name="website"', content)
    assert 'tabindex="-1"' in content


@override_settings(ZHONGCAO_SIGNUP_RATE="3/h")
def test_the_rate_limit_counts_every_attempt_per_client(join):
    first = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(3):
        assert join(http=first, email=f"a{number}@example.com").status_code == 302
    response = join(http=first, email="a3@example.com")
    assert response.status_code == 429
    assert "Too many sign-up attempts" in response.content.decode()
    assert not User.objects.filter(email="a3@example.com").exists()
    # Bad attempts count too.
    assert join(http=first, email="bad").status_code == 429

    # Another client is not limited.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert join(http=other, email="b@example.com").status_code == 302

    # The cache holds hashes, never the address.
    stored = repr(list(cache._cache.items()))  # LocMemCache's own storage
    assert "203.0.113.7" not in stored
    assert "198.51.100.20" not in stored

    # When the window's count is gone (here: the cache is emptied), it opens again.
    cache.clear()
    assert join(http=first, email="a4@example.com").status_code == 302


@override_settings(ZHONGCAO_SIGNUP_RATE="2/h", ZHONGCAO_PROXY_COUNT=0)
def test_a_new_forwarded_for_header_does_not_make_a_new_client(join):
    statuses = [
        join(
            http=Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}"),
            email=f"a{n}@example.com",
        ).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 429, 429, 429]


@override_settings(ZHONGCAO_SIGNUP_RATE="1/h", ZHONGCAO_PROXY_COUNT=1)
def test_behind_a_proxy_the_limit_is_per_forwarded_client(join):
    proxy = "10.0.0.1"
    one = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    two = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert join(http=one, email="a@example.com").status_code == 302
    assert join(http=one, email="b@example.com").status_code == 429
    assert join(http=two, email="c@example.com").status_code == 302


def test_the_pages_work_in_chinese(client):
    response = client.get("/join/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_unconfirmed_sign_ups_are_purged_once_their_link_expired(join, settings):
    join(email="old@example.com")
    join(email="new@example.com")
    made_by_editor = UserFactory(username="old2@example.com", is_active=False)
    made_by_editor.email = "old2@example.com"
    made_by_editor.save()
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE + 60
    )
    User.objects.filter(email__startswith="old").update(date_joined=long_ago)
    Group.objects.get(name=CREATORS_GROUP).user_set.add(made_by_editor)

    result = schedule_run_once()["affiliates.tasks.purge_signups"]
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert not User.objects.filter(email="old@example.com").exists()
    assert User.objects.filter(email="new@example.com").exists()
    assert User.objects.filter(email="old2@example.com").exists()


def test_the_emails_carry_nothing_the_person_typed_but_the_address(join, creator):
    spam = "Win a prize at https://spam.example/"
    join(public_name=spam)
    join(public_name=spam)
    join(email="kol1@example.com", public_name=spam)
    assert [message.to for message in mail.outbox] == [
        ["mei@example.com"],
        ["mei@example.com"],
        ["kol1@example.com"],
    ]
    for message in mail.outbox:
        assert "spam.example" not in message.subject + message.body


# -- Signing in before and after confirming (issue 17, item 13) -----------------------

LOGIN = "/admin/login/"


def sign_in(http, login, password=PASSWORD):
    return http.post(LOGIN, {"username": login, "password": password})


def test_the_sign_in_field_asks_for_an_email_or_username(client):
    page = client.get(LOGIN).content.decode()
    assert "Email or username" in page


def test_an_unconfirmed_member_is_told_to_confirm_not_that_the_password_is_wrong(
    client, join
):
    join()
    response = sign_in(client, "Mei@Example.com")
    assert response.status_code == 200
    page = response.content.decode()
    assert "not confirmed yet" in page
    assert "didn&#x27;t match" not in page
    assert 'href="/join/resend/"' in page
    # A wrong password learns nothing about the account.
    page = sign_in(client, "mei@example.com", "not the password 99").content.decode()
    assert "didn&#x27;t match" in page
    assert "not confirmed" not in page
    assert "/join/resend/" not in page


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client, join):
    join()
    wrong = sign_in(client, "mei@example.com", "not the password 99")
    unknown = sign_in(client, "nobody@example.com")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert (
            "Your email address or username and password didn&#x27;t match"
            in response.content.decode()
        )


def test_a_confirmed_member_signs_in_with_their_address_in_any_case(client, join):
    join()
    client.post(confirm_path(mail.outbox[0]))
    for login in ("mei@example.com", "MEI@example.COM", "  mei@example.com "):
        other = Client()
        response = sign_in(other, login)
        assert response.status_code == 302, login
        assert other.get("/admin/").status_code == 200


def test_an_account_an_editor_made_signs_in_by_username_or_email(creator):
    creator.user.email = "Lulu@Example.com"
    creator.user.set_password(PASSWORD)
    creator.user.save()
    for login in ("kol1", "lulu@example.com", "LULU@EXAMPLE.COM"):
        http = Client()
        assert sign_in(http, login).status_code == 302, login
        assert http.get("/admin/").status_code == 200
    assert sign_in(Client(), "kol1", "wrong password 12").status_code == 200


def test_an_address_two_accounts_share_signs_in_neither(creator, other_creator):
    for profile in (creator, other_creator):
        profile.user.email = "shared@example.com"
        profile.user.set_password(PASSWORD)
        profile.user.save()
    assert sign_in(Client(), "shared@example.com").status_code == 200
    assert sign_in(Client(), "kol2").status_code == 302


def resend(http, **fields):
    data = {"email": "mei@example.com", "public_name": "Mei 小美"}
    data.update(fields)
    return http.post("/join/resend/", data)


def test_an_unconfirmed_member_gets_a_new_link(
    client, join, django_capture_on_commit_callbacks
):
    join()
    assert client.get("/join/resend/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = resend(client, email="MEI@example.com", public_name="Mei 新")
    assert response.status_code == 302
    assert response["Location"] == "/join/sent/"
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["mei@example.com"]
    assert client.post(confirm_path(mail.outbox[1])).status_code == 302
    user = User.objects.get(email="mei@example.com")
    assert user.is_active
    assert user.creator_profile.public_name == "Mei 新"
    assert user.check_password(PASSWORD)


def test_a_new_link_is_sent_only_to_a_sign_up_waiting_for_one(
    client, creator, django_capture_on_commit_callbacks
):
    """Unknown and confirmed addresses get the same answer and no mail: nobody
    learns from the page who has an account."""
    with django_capture_on_commit_callbacks(execute=True):
        unknown = resend(client, email="nobody@example.com")
        known = resend(client, email=creator.user.email)
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == "/join/sent/"
    assert mail.outbox == []


@override_settings(ZHONGCAO_SIGNUP_RATE="100/h", ZHONGCAO_SIGNUP_RESEND_RATE="2/h")
def test_new_links_are_limited_per_address_whatever_the_connection(join):
    join()
    statuses = [
        resend(
            Client(REMOTE_ADDR=f"203.0.113.{number}"),
            email="Mei@example.com" if number % 2 else "mei@example.com",
        ).status_code
        for number in range(4)
    ]
    assert statuses == [302, 302, 429, 429]
    assert resend(Client(), email="other@example.com").status_code == 302


@override_settings(ZHONGCAO_SIGNUP_RATE="2/h", ZHONGCAO_SIGNUP_RESEND_RATE="100/h")
def test_new_links_are_limited_per_connection(join):
    http = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        resend(http, email=f"a{number}@example.com").status_code for number in range(3)
    ]
    assert statuses == [302, 302, 429]
