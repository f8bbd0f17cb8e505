"""The README's *Using it* guide, walked in headless Chromium on the demo data.

Each kind of user takes the first steps the README gives them; the screenshots
(var/artifacts/guide/) are the ones the README shows (docs/screenshots/, copied by
hand after a person has looked at them).
"""

import pytest

from content.demo.demo import demo_data_load
from content.models import ReviewPage
from tests.e2e.test_loop import admin_login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(settings, tmp_path, live_server):
    """The demo data, its pictures as files the live server serves."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    assert demo_data_load()
    return live_server.url


@pytest.fixture
def guide_artifacts(artifacts):
    folder = artifacts / "guide"
    folder.mkdir(exist_ok=True)
    return folder


def test_a_reader_reads_a_review_on_a_phone(
    demo, new_context, expect, reader_user_agent, guide_artifacts
):
    review = ReviewPage.objects.live().filter(language="zh-hans").first()
    page = new_context(
        viewport=PHONE, user_agent=reader_user_agent, locale="zh-CN"
    ).new_page()
    page.goto(demo + "/")
    expect(page.locator("main")).to_be_visible()
    page.goto(demo + review.url)
    # The disclosure first; the buy bar pinned to the foot of the screen.
    expect(page.locator(".disclosure").first).to_be_visible()
    expect(page.locator(".buy-bar")).to_be_visible()
    page.screenshot(path=str(guide_artifacts / "reader.png"))


def test_a_creator_signs_in_to_a_dashboard_of_their_own(
    demo, new_context, expect, guide_artifacts
):
    page = admin_login(new_context(viewport=DESKTOP), demo, "kol1", "kol1-demo")
    page.screenshot(path=str(guide_artifacts / "creator.png"))
    # Her own name, in her language; a way to start; the money on its way.
    expect(page.locator("main")).to_contain_text("林小鹿 Lulu Lin")
    expect(page.locator("main")).to_contain_text("写新文章")
    expect(page.locator("main")).to_contain_text("你的下一次打款")
    page.locator("main a[data-article-kind=review]").click()
    expect(page.locator("input[name=title]")).to_be_visible()


def test_an_editor_signs_in_to_the_site_dashboard(
    demo, new_context, expect, guide_artifacts
):
    page = admin_login(new_context(viewport=DESKTOP), demo, "editor", "editor-demo")
    page.screenshot(path=str(guide_artifacts / "editor.png"))
    expect(page.locator("main")).to_contain_text("The site at a glance")
    expect(page.locator("main")).to_contain_text("Top articles this month")
