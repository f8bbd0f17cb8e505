"""People as the product shows and speaks to them (affiliates.creators.people): public names
wherever Wagtail or we name a user, their language and time zone, and Wagtail's
e-mails (approval) in the recipient's language, greeting them by public name."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from wagtail.admin.forms.account import LocalePreferencesForm
from wagtail.admin.utils import get_user_display_name
from wagtail.users.models import UserProfile

from affiliates.creators.people import public_name
from affiliates.creators.services import (
    creator_create,
    creator_profile_update,
    person_locale_set,
)
from tests.conftest import review_create
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lulu(db):
    return creator_create(
        username="kol1",
        password="password",  # noqa: S106
        email="kol1@example.com",
        public_name="林小鹿",
        language="zh-hans",
    )


def test_a_chinese_creator_gets_chinese_and_shanghai_time(lulu):
    profile = UserProfile.get_for_user(lulu.user)
    assert profile.get_preferred_language() == "zh-hans"
    assert profile.get_current_time_zone() == "Asia/Shanghai"


def test_an_english_creator_keeps_the_sites_time_zone(db):
    theo = creator_create(
        username="kol2", password=None, public_name="Theo", language="en"
    )
    profile = UserProfile.get_for_user(theo.user)
    assert profile.preferred_language == "en" and profile.current_time_zone == ""


def test_an_editor_who_switches_to_chinese_gets_shanghai_time():
    editor = EditorFactory()
    # Account → Preferences: 简体中文, the time zone left at its default.
    form = LocalePreferencesForm(
        {"preferred_language": "zh-hans", "current_time_zone": ""},
        instance=UserProfile.get_for_user(editor),
    )
    assert form.is_valid(), form.errors
    form.save()
    profile = UserProfile.get_for_user(editor)
    assert profile.preferred_language == "zh-hans"
    assert profile.get_current_time_zone() == "Asia/Shanghai"
    # A zone chosen is kept, Chinese or not.
    profile.current_time_zone = "Europe/London"
    profile.save()
    profile.refresh_from_db()
    assert profile.current_time_zone == "Europe/London"


def test_a_persons_own_choice_is_kept(lulu):
    profile = UserProfile.get_for_user(lulu.user)
    profile.current_time_zone = "Europe/London"
    profile.save()
    person_locale_set(user=lulu.user, language="zh-hans")
    profile.refresh_from_db()
    assert profile.current_time_zone == "Europe/London"
    person_locale_set(user=EditorFactory(), language="klingon")  # ignored, no error


def test_wagtail_names_creators_by_their_public_name(lulu):
    # The moderation queue, page owners, history and workflow listings all name a
    # user through this function.
    assert get_user_display_name(lulu.user) == "林小鹿"
    assert public_name(lulu.user) == "林小鹿"
    creator_profile_update(profile=lulu, public_name="鹿鹿", bio="", avatar=None)
    lulu.user.refresh_from_db()
    assert get_user_display_name(lulu.user) == "鹿鹿"
    editor = EditorFactory(username="mei", first_name="", last_name="")
    assert public_name(editor) == "mei" and public_name(None) == ""


def test_the_approval_email_speaks_the_creators_language_and_name(
    lulu, articles, product
):
    page = review_create(
        parent=articles, author=lulu, product=product, title="WH-7", publish=False
    )
    workflow = page.get_workflow()
    assert workflow is not None
    workflow.start(page, lulu.user)
    editor = EditorFactory(username="mei")
    mail.outbox.clear()
    page.current_workflow_task_state.task.specific.on_action(
        page.current_workflow_task_state, editor, "approve"
    )
    to_lulu = [message for message in mail.outbox if message.to == ["kol1@example.com"]]
    assert to_lulu, [message.subject for message in mail.outbox]
    body = to_lulu[-1].body
    assert "林小鹿 你好" in body
    assert "kol1" not in body and "Hello" not in body


def test_the_moderation_queue_names_the_creator(lulu, articles, product):
    page = review_create(
        parent=articles, author=lulu, product=product, title="WH-7", publish=False
    )
    page.get_workflow().start(page, lulu.user)
    client = Client()
    client.force_login(EditorFactory(username="mei"))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "WH-7" in home  # awaiting the editor's review
    assert "林小鹿" in home and "kol1" not in home
