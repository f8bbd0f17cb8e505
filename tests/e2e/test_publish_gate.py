"""The publish gate in headless Chromium (issue 20): an editor opens an article whose
offer is out of stock, sees the issue on the edit page, is refused "Publish" while
editors require a clean gate, and publishes with "Publish anyway"."""

import pytest

from content.models import (
    ArticleIndexPage,
    PublishGateOverride,
    PublishGateSettings,
    ReviewPage,
)
from content.services import site_structure_ensure
from products.models import Availability
from tests.conftest import review_create
from tests.e2e.test_loop import admin_login, footer_action
from tests.factories import CreatorProfileFactory, EditorFactory, OfferFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_editor_sees_the_gate_and_publishes_anyway(
    live_server, new_context, expect, artifacts
):
    site_structure_ensure()
    EditorFactory(username="editor")
    offer = OfferFactory(
        product__title="Sonari WH-7", availability=Availability.OUT_OF_STOCK
    )
    draft = review_create(
        parent=ArticleIndexPage.objects.get(),
        author=CreatorProfileFactory(user__username="kol1", slug="lu"),
        product=offer.product,
        title="Sonari WH-7 review",
        publish=False,
    )
    settings = PublishGateSettings.load()
    settings.require_clean_gate = True
    settings.save()

    page = admin_login(
        new_context(viewport={"width": 1280, "height": 900}), live_server.url, "editor"
    )
    page.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    issues = page.locator(".zc-gate-issues")
    expect(issues).to_contain_text("Not in stock")
    expect(issues).to_contain_text("Sonari WH-7")
    page.screenshot(path=str(artifacts / "publish-gate-edit-page.png"))

    footer_action(page, "Publish")
    page.wait_for_url(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    expect(page.get_by_text("editors require a clean publish gate")).to_be_visible()
    assert not ReviewPage.objects.get(pk=draft.pk).live

    footer_action(page, "Publish anyway")
    expect(page.get_by_text("has been published")).to_be_visible()
    page.screenshot(path=str(artifacts / "publish-gate-published-anyway.png"))
    assert ReviewPage.objects.get(pk=draft.pk).live
    assert PublishGateOverride.objects.get().page_id == draft.pk
