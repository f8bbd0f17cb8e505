"""A new creator's first article in headless Chromium (issue 17, items 10, 13, 14):
sign in with the e-mail address, click New article, type a Chinese title, save a
draft, start again with the same title: no slug error. And the sign-up pages'
header lines up with their form (item 15)."""

import pytest

from affiliates.creators.services import creator_create
from content.models import GuidePage
from content.services import site_structure_ensure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a long pass phrase 2026"  # noqa: S105
TITLE = "手冲咖啡入门装备"


@pytest.fixture
def first_timer(live_server):
    site_structure_ensure()
    return creator_create(
        username="lulu",
        password=PASSWORD,
        public_name="Lulu 小鹿",
        email="Lulu@Example.com",
        slug="lulu",
    )


def start_a_guide(page, *, title: str) -> None:
    """New article (the menu's first item) → Buying guide → the title → Save draft."""
    page.locator('nav a[href="/admin/articles/new/"]', has_text="New article").click()
    # Wagtail's choice of page types: each kind with its description.
    page.locator('a[href*="/add/content/guidepage/"]', has_text="Buying guide").click()
    page.wait_for_url("**/admin/pages/add/content/guidepage/**")
    page.locator("#id_title").fill(title)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/admin/pages/*/edit/")


def test_a_new_creators_first_article(
    new_context, expect, live_server, first_timer, artifacts
):
    url = live_server.url
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/admin/login/")
    page.get_by_label("Email or username").fill("lulu@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    # The home page starts with the way to a first article.
    expect(page.locator("#content-new-article-section")).to_be_visible()
    page.screenshot(path=artifacts / "first-article-home.png")

    start_a_guide(page, title=TITLE)
    expect(page.get_by_text("already in use")).to_have_count(0)
    first = GuidePage.objects.get(title=TITLE)

    # Leaves, and starts again with the same title.
    page.goto(f"{url}/admin/")
    start_a_guide(page, title=TITLE)
    expect(page.get_by_text("already in use")).to_have_count(0)
    page.screenshot(path=artifacts / "first-article-again.png")

    guides = list(GuidePage.objects.filter(title=TITLE).order_by("pk"))
    assert len(guides) == 2
    assert guides[0].pk == first.pk
    slug = first.slug
    # The empty draft left behind gave its slug to the new one.
    assert guides[1].slug == slug
    assert guides[0].slug == f"{slug}-2"
    assert all(guide.owner == first_timer.user for guide in guides)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (360, 740)])
def test_the_join_header_lines_up_with_the_form(
    new_context, live_server, artifacts, width, height
):
    site_structure_ensure()
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server.url}/join/")
    brand = page.locator(".site-header .brand").bounding_box()
    heading = page.locator("main h1").bounding_box()
    page.screenshot(path=artifacts / f"join-{width}.png")
    assert abs(brand["x"] - heading["x"]) <= 1, (brand, heading)
