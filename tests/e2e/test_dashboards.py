"""The dashboards in headless Chromium at desktop and phone widths: a creator's
payout panel and figures, the editors' site at a glance and the product list; no
panel wider than the screen (tables scroll inside themselves); screenshots in
var/artifacts/ for a person to look at."""

import pytest
from wagtail.users.models import UserProfile

from affiliates.analytics.services import rollups_rebuild
from tests.affiliates import conftest as affiliates_fixtures
from tests.factories import OfferFactory, image_create

# The hand-computed history of tests/affiliates/conftest.py and what it stands on.
history = affiliates_fixtures.history
shop = affiliates_fixtures.shop
network = affiliates_fixtures.network
headphones = affiliates_fixtures.headphones

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "password"  # noqa: S105 (UserFactory's)
WIDTHS = {"desktop": 1280, "phone": 360}


@pytest.fixture
def media_on_disk(settings, tmp_path):
    """Pictures and their renditions as files the live server can serve (the test
    settings keep media in memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/admin/")


def wider_than_the_screen(page, selector: str) -> list[str]:
    """The elements matching ``selector`` whose right edge is past the viewport."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((element) => element.getBoundingClientRect().right
                                 > window.innerWidth + 1)
            .map((element) => element.id || element.className)""",
        selector,
    )


def test_a_creator_sees_when_they_are_paid(
    new_context, live_server, history, artifacts
):
    rollups_rebuild()
    profile = UserProfile.get_for_user(history["lulu"].user)
    profile.current_time_zone = "Asia/Shanghai"
    profile.save()
    for name, width in WIDTHS.items():
        context = new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, "kol1")
        panel = page.locator("#creator-payouts-section")
        panel.wait_for()
        text = " ".join(panel.inner_text().split())
        assert "35.00 of the 100.00 CNY payout minimum approved (35 %)" in text
        assert "Asia/Shanghai" in text
        assert "Expected (pending)" in text
        assert wider_than_the_screen(page, "section[id$='-section']") == []
        page.screenshot(
            path=artifacts / f"dashboard-creator-{name}.png", full_page=True
        )


def test_an_editor_sees_the_site_at_a_glance(
    new_context,
    live_server,
    history,
    editor,
    artifacts,
    media_on_disk,
):
    rollups_rebuild()
    OfferFactory(product__title="Sonari WH-7", product__image=image_create(title="wh7"))
    for name, width in WIDTHS.items():
        context = new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, "editor")
        panel = page.locator("#site-overview-section")
        panel.wait_for()
        text = " ".join(panel.inner_text().split())
        assert "Top articles this month" in text
        assert "held for review" in text
        assert wider_than_the_screen(page, "section[id$='-section']") == []
        page.screenshot(path=artifacts / f"dashboard-editor-{name}.png", full_page=True)
        if name == "desktop":
            page.goto(f"{live_server.url}/admin/snippets/products/product/")
            thumbnail = page.locator("img.product-thumbnail").first
            thumbnail.wait_for()
            assert thumbnail.evaluate("(image) => image.complete && image.naturalWidth")
            assert "in stock" in page.locator("table.listing").inner_text()
            page.screenshot(path=artifacts / "catalog-products.png", full_page=True)
