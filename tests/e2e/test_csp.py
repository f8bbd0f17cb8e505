"""Content-Security-Policy in headless Chromium: the reader site (signed out and
signed in, with Wagtail's userbar), the admin (sign-in, dashboard, page editor, a
chooser, the preview, a listing, a report) and the API docs load with a policy
and without a single violation."""

from urllib.parse import urlsplit

import pytest
from wagtail.models import Site

from affiliates.creators.services import creator_create
from content.models import ArticleIndexPage
from content.services import site_structure_ensure
from tests.conftest import guide_create
from tests.csp_watch import CSP_WATCH, csp_header_problems
from tests.factories import EditorFactory, OfferFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "password"  # noqa: S105 (EditorFactory's; the creator gets the same)

# Violations of the page and of its same-origin frames (the admin's preview).
VIOLATIONS = """() => [
    ...(window.cspViolations || []),
    ...[...document.querySelectorAll("iframe")].flatMap((frame) => {
        try {
            return frame.contentWindow.cspViolations || [];
        } catch (error) {
            return [];
        }
    }),
]"""


@pytest.fixture
def guide(live_server):
    site_structure_ensure()
    site = Site.objects.get(is_default_site=True)
    server = urlsplit(live_server.url)
    site.hostname, site.port = server.hostname, server.port
    site.save()
    creator = creator_create(
        username="lulu", password=PASSWORD, public_name="Lulu", slug="lulu"
    )
    EditorFactory(username="mei")
    return guide_create(
        parent=ArticleIndexPage.objects.get(),
        author=creator,
        products=[OfferFactory().product, OfferFactory().product],
        title="Policy check",
    )


class Watch:
    """What went wrong with the policy, step by step."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def visit(self, url: str, *, ready: str | None = None) -> None:
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        if ready:
            self.page.locator(ready).first.wait_for()
        self.problems += [f"{url}: {p}" for p in csp_header_problems(response)]
        self.check(url)

    def check(self, step: str) -> None:
        for violation in self.page.evaluate(VIOLATIONS):
            if f"{step}: {violation}" not in self.problems:
                self.problems.append(f"{step}: {violation}")


def test_no_policy_violation_anywhere(new_context, live_server, guide, artifacts):
    url = live_server.url
    context = new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = Watch(page)

    # Readers: no script at all.
    watch.visit(f"{url}/")
    watch.visit(url + guide.url)
    response = page.goto(f"{url}/no-such-page/")
    assert response.status == 404
    watch.problems += csp_header_problems(response)
    watch.check("404")

    # The API docs (Swagger UI, from our own static files) and the browsable API.
    watch.visit(f"{url}/api/docs", ready=".swagger-ui .info")
    page.screenshot(path=artifacts / "csp-api-docs.png")
    watch.visit(f"{url}/api/v2/pages/")

    # The admin: sign in, the dashboard, the page editor with a chooser and the
    # preview, a listing and a report.
    watch.visit(f"{url}/admin/login/")
    page.get_by_label("Username").fill("mei")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    watch.visit(f"{url}/admin/")
    watch.visit(f"{url}/admin/pages/{guide.pk}/edit/")
    page.get_by_role("button", name="Choose an image").first.click()
    page.get_by_role("dialog").wait_for()
    page.wait_for_load_state("networkidle")
    watch.check("image chooser")
    page.get_by_role("dialog").locator("[data-dismiss='modal']").first.click()
    page.get_by_role("dialog").wait_for(state="hidden")
    page.locator("[data-side-panel-toggle='preview']").first.click()
    # The preview panel's frame is replaced by one showing the page, once loaded.
    preview = "iframe[src*='/preview/']"
    page.frame_locator(preview).first.locator("h1").first.wait_for()
    page.wait_for_function(
        "(preview) => document.querySelector(preview)"
        ".contentDocument.readyState === 'complete'",
        arg=preview,
    )
    watch.check("preview")
    page.screenshot(path=artifacts / "csp-editor-preview.png")
    watch.visit(f"{url}/admin/snippets/products/product/")
    watch.visit(f"{url}/admin/reports/articles-performance/")

    # Signed in, the reader site shows Wagtail's userbar (its script is ours).
    watch.visit(url + guide.url, ready="[data-wagtail-userbar-trigger]")
    watch.visit(f"{url}/api/docs", ready=".swagger-ui .info")

    assert watch.problems == []
