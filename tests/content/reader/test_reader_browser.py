"""The reader site in a real browser: Debian's Chromium driven by Playwright, against
a live server holding the demo data, checked by axe-core.

Every page must load with no console error, no failed request, no
Content-Security-Policy violation (and with a policy) and no serious or critical axe
violation. Screenshots (desktop and phone) go to var/artifacts/reader/.
Select these tests with `-m browser`; they need /usr/bin/chromium (`apt-get install
-y chromium`, which .ci/run does when it is missing). The browser is the suite's one
harness (tests/browser.py: the ``chromium`` fixture).
"""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from content.demo.demo import demo_data_load
from content.models import ArticleIndexPage, GuidePage, ReviewPage
from content.reader.selectors import sitemap_creators, sitemap_products, sitemap_tags
from products.models import Availability
from tests.csp_watch import CSP_WATCH, csp_header_problems, csp_violations

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread (on PostgreSQL, another connection):
    # the demo data must be committed. serialized_rollback gives the test the site
    # structure that migrate made, whatever transactional test flushed before.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# axe-core 4.14.1 from the npm registry (`npm pack axe-core@4.14.1`), MPL-2.0: see
# tests/content/reader/axe/README.md.
AXE = Path(__file__).parent / "axe" / "axe.min.js"
ARTIFACTS = Path(django_settings.BASE_DIR) / "var" / "artifacts" / "reader"
BLOCKING_IMPACTS = {"serious", "critical"}
# Rules that block whatever their impact: what Wagtail's checker flags to editors.
FLAGGED = {"p-as-heading"}
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def media_on_disk(settings, tmp_path):
    """Demo pictures and their renditions as files the live server can serve (the
    test settings keep media in memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def reader_pages(media_on_disk):
    """The demo data, and one page of each kind the reader site has."""
    assert demo_data_load()
    review = ReviewPage.objects.live().order_by("pk").first()
    guide = GuidePage.objects.live().order_by("pk").first()
    return {
        "home": "/",
        "review": review.url,
        "guide": guide.url,
        "product": reverse("reader:product", args=[sitemap_products().first().slug]),
        "tag": reverse("reader:tag", args=[sitemap_tags().first().slug]),
        "creator": reverse("reader:creator", args=[sitemap_creators().first().slug]),
        "search": reverse("reader:search") + "?q=耳机",
        "products": reverse("reader:products"),
        "creators": reverse("reader:creators"),
        "tags": reverse("reader:tags"),
        "reviews": ArticleIndexPage.objects.live().get().url + "?type=review",
    }


def _visit(page, url: str, *, policy: bool = True) -> list[str]:
    """Load ``url``; return what went wrong in the console or the network, and
    (``policy``) with its Content-Security-Policy."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"request failed: {request.url}"),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        problems.append(f"HTTP {response.status if response else '?'}: {url}")
    if policy:
        problems += csp_header_problems(response)
    return problems


def _axe_violations(page) -> list[dict]:
    # axe comes in as the context's init script: the reader site's policy lets no
    # script tag of ours run.
    result = page.evaluate(
        """async () => {
            // p-as-heading too, as Wagtail's accessibility checker runs it.
            const result = await axe.run(document, {
                resultTypes: ["violations"],
                rules: {"p-as-heading": {enabled: true}},
            });
            return result.violations.map(violation => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                nodes: violation.nodes.slice(0, 3).map(node => node.target.join(" ")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING_IMPACTS or v["id"] in FLAGGED]


def _check_pages(browser, base_url: str, pages: dict[str, str]) -> dict[str, list]:
    """Each page at each viewport: load it, screenshot it, run axe (on the desktop
    pass); what went wrong, by page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failures: dict[str, list] = {}
    for viewport_name, (width, height) in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_init_script(CSP_WATCH)
        context.add_init_script(path=str(AXE))
        for name, path in pages.items():
            page = context.new_page()
            problems = _visit(page, base_url + path)
            page.screenshot(
                path=str(ARTIFACTS / f"{name}-{viewport_name}.png"), full_page=True
            )
            if viewport_name == "desktop":  # axe judges the markup, once is enough
                problems += [
                    f"axe {v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
                    for v in _axe_violations(page)
                ]
            # After the full-page screenshot, which loads the lazy images too.
            problems += [f"CSP: {violation}" for violation in csp_violations(page)]
            if problems:
                failures[f"{name} {path} ({viewport_name})"] = problems
            page.close()
        context.close()
    return failures


def test_reader_pages_are_accessible_and_load_cleanly(
    chromium, live_server, reader_pages
):
    failures = chromium.run(_check_pages, live_server.url, reader_pages)
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=2)
    focused = chromium.run(_skip_link, live_server.url + reader_pages["review"])
    assert focused["href"] == "#main", focused
    assert focused["visible"], focused
    assert focused["outline"] != "none", focused
    assert focused["after_enter"] == "main", focused
    assert focused["article_lang"] == "zh-hans", focused


def _skip_link(browser, url: str) -> dict:
    """Where the first Tab stop is, how it looks, and where Enter on it leads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const element = document.activeElement;
            const box = element.getBoundingClientRect();
            return {
                href: element.getAttribute("href"),
                visible: box.top >= 0 && box.height > 0 && box.width > 0,
                outline: getComputedStyle(element).outlineStyle,
            };
        }"""
    )
    page.screenshot(path=str(ARTIFACTS / "skip-link-focused.png"))
    page.keyboard.press("Enter")
    focused["after_enter"] = page.evaluate("() => document.activeElement.id")
    focused["article_lang"] = page.evaluate(
        "() => document.querySelector('article').lang"
    )
    context.close()
    return focused


def _headless_example(browser, url: str) -> dict:
    """Open the plain-JavaScript example, pick the first article, read what it shows."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # A static file: no policy, so that it may call an API on another origin.
    problems = _visit(page, url, policy=False)
    page.locator("#articles button").first.click()
    page.locator("#article .product a.buy").first.wait_for()
    shown = page.evaluate(
        """() => ({
            disclosure: document.querySelector("#article .disclosure").textContent,
            links: [...document.querySelectorAll("#article a.buy")].map(
                a => ({href: a.href, rel: a.rel})),
            firstLinkAfterDisclosure: Boolean(
                document.querySelector("#article .disclosure").compareDocumentPosition(
                    document.querySelector("#article a.buy")
                ) & Node.DOCUMENT_POSITION_FOLLOWING),
        })"""
    )
    page.screenshot(path=str(ARTIFACTS / "headless-example.png"), full_page=True)
    context.close()
    return {**shown, "problems": problems}


def test_the_headless_example_renders_an_article_from_the_api(
    chromium, live_server, live_public_base_url, review
):
    # One review with an offer is all the example needs, not the whole demo.
    shown = chromium.run(
        _headless_example, live_server.url + "/static/example/index.html"
    )
    assert not shown["problems"], shown["problems"]
    assert shown["disclosure"] and shown["firstLinkAfterDisclosure"]
    assert shown["links"]
    for link in shown["links"]:
        assert link["href"].startswith(live_server.url + "/go/"), link
        assert link["rel"] == "sponsored nofollow", link


NARROW = 360


def _every_reader_page(reader_pages) -> dict[str, str]:
    """One page of every kind a reader can land on, in both languages of articles,
    with the product whose offers include one out of stock."""
    english = ReviewPage.objects.live().filter(language="en").order_by("pk").first()
    chinese = ReviewPage.objects.live().filter(language="zh-hans").order_by("pk")
    sold_out = (
        sitemap_products()
        .filter(offers__availability=Availability.OUT_OF_STOCK)
        .order_by("slug")
        .first()
    )
    return {
        **reader_pages,
        "articles": ArticleIndexPage.objects.live().get().url,
        "review-zh": chinese.first().url,
        "review-en": english.url,
        "product-sold-out": reverse("reader:product", args=[sold_out.slug]),
        "search-empty": reverse("reader:search") + "?q=zzzzzz",
        "join": reverse("signup"),
        "join-sent": reverse("signup_sent"),
        "link-not-found": "/go/nosuchcode",
        "not-found": "/no-such-page/",
    }


def _widths(browser, base_url: str, pages: dict[str, str]) -> dict[str, dict]:
    """Each page at NARROW px wide: the document's width, and what sticks out."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": NARROW, "height": 780})
    found = {}
    for name, path in pages.items():
        page = context.new_page()
        page.goto(base_url + path, wait_until="load")
        found[name] = page.evaluate(
            """(limit) => ({
                path: location.pathname + location.search,
                width: document.documentElement.scrollWidth,
                wider: [...document.querySelectorAll("body *")]
                    .filter(element => element.getBoundingClientRect().right > limit + 0.5)
                    .slice(0, 5)
                    .map(element => element.tagName.toLowerCase() + "." + element.className),
            })""",
            NARROW,
        )
        page.screenshot(path=str(ARTIFACTS / f"{name}-{NARROW}.png"))
        page.close()
    context.close()
    return found


def test_no_reader_page_is_wider_than_a_small_phone(
    chromium, live_server, reader_pages
):
    pages = _every_reader_page(reader_pages)
    found = chromium.run(_widths, live_server.url, pages)
    too_wide = {name: seen for name, seen in found.items() if seen["width"] > NARROW}
    assert not too_wide, json.dumps(too_wide, ensure_ascii=False, indent=2)
    assert found.keys() == pages.keys()


def _buy_bar(browser, url: str) -> dict:
    """The buy bar on a phone (pinned to the foot of the screen) and on a desktop."""
    shown = {}
    for name, width in (("phone", NARROW), ("desktop", 1280)):
        context = browser.new_context(viewport={"width": width, "height": 780})
        page = context.new_page()
        page.goto(url, wait_until="load")
        shown[name] = page.evaluate(
            """() => {
                const bar = document.querySelector(".buy-bar");
                if (!bar) return null;
                const box = bar.getBoundingClientRect();
                const link = bar.querySelector("a.buy");
                return {
                    visible: getComputedStyle(bar).display !== "none" && box.height > 0,
                    position: getComputedStyle(bar).position,
                    atFoot: Math.abs(box.bottom - innerHeight) < 1,
                    href: link && link.getAttribute("href"),
                };
            }"""
        )
        page.screenshot(path=str(ARTIFACTS / f"buy-bar-{name}.png"))
        context.close()
    return shown


def test_a_review_has_a_buy_bar_pinned_to_the_foot_of_a_phone(
    chromium, live_server, review
):
    # One review with an offer is all the bar needs, not the whole demo.
    shown = chromium.run(_buy_bar, live_server.url + review.url)
    phone, desktop = shown["phone"], shown["desktop"]
    assert phone and phone["visible"] and phone["position"] == "fixed", shown
    assert phone["atFoot"] and phone["href"].startswith("/go/"), shown
    # The desktop shows the offers beside the verdict: no bar.
    assert desktop is not None and not desktop["visible"], shown
