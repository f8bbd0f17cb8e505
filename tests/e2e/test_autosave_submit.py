"""A new page's first autosave and a Save draft clicked while it is on its way: one
page, not two (static/js/autosave_submit.js).

Wagtail's autosave posts the new page's form to the "add" URL and, once answered,
points the form at the page's edit URL. The answer to the autosave is held here
(the server has already created the page) while Save draft is clicked, as happens
when a creator saves right after typing on a slow connection: without the wait,
the click posts to the "add" URL again and makes a second page."""

import pytest

from affiliates.creators.services import creator_create
from content.models import GuidePage
from content.services import site_structure_ensure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a long pass phrase 2026"  # noqa: S105
TITLE = "慢网络里的第一篇"


def save_while_autosaving(browser, url: str) -> str:
    """Sign in, start a guide, type its title; hold the autosave's answer, click
    Save draft, then let the answer through. The URL the browser ends on."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{url}/admin/login/")
        page.get_by_label("Email or username").fill("lulu")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/admin/")
        page.goto(f"{url}/admin/articles/new/")
        page.locator('a[href*="/add/content/guidepage/"]').first.click()
        page.wait_for_url("**/admin/pages/add/content/guidepage/**")

        held = []

        def hold_autosave(route):
            if (
                route.request.resource_type == "fetch"
                and route.request.method == "POST"
            ):
                # The server answers now (the page exists); the browser sees it later.
                held.append((route, route.fetch()))
            else:
                route.continue_()

        page.route("**/admin/pages/add/**", hold_autosave)
        page.route("**/admin/pages/add/**", hold_autosave)
        # Wagtail notes changes only once its form is set up: type until it saves
        # (a trailing space is stripped when the title is saved).
        for attempt in range(60):
            if held:
                break
            page.locator("#id_title").fill(TITLE + " " * (attempt % 2))
            page.wait_for_timeout(250)
        assert held, "no autosave was sent"
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_timeout(500)  # a submit not held would be on its way by now
        route, response = held[0]
        route.fulfill(response=response)
        page.wait_for_url("**/admin/pages/*/edit/")
        return page.url
    finally:
        context.close()


def test_a_save_during_the_first_autosave_makes_one_page(chromium, live_server):
    site_structure_ensure()
    creator_create(username="lulu", password=PASSWORD, public_name="Lulu", slug="lulu")
    final_url = chromium.run(save_while_autosaving, live_server.url)
    guides = list(GuidePage.objects.filter(title=TITLE))
    assert len(guides) == 1
    assert final_url.endswith(f"/admin/pages/{guides[0].pk}/edit/")
