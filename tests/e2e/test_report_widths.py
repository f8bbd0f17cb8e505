"""Every admin report at 1280 px (issue 17, item 9): the page never scrolls sideways;
a report wider than the screen scrolls inside its own table, and its first column
(the article, product, merchant… the row is about) stays readable."""

import json

import pytest
from wagtail import hooks

from content.demo.demo import demo_data_load
from tests.e2e.test_loop import PASSWORD, admin_login
from tests.factories import EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 1280
# The narrowest the text of a first column may be: about ten Chinese characters a
# line. The Articles report's was ~40 px at 1440 px, ~65 px at 1280.
READABLE = 160
# Days wide enough for every demo figure, whatever today is.
ALL_DAYS = "?day_from=2000-01-01&day_to=2099-12-31"

MEASURE = """() => {
    const table = document.querySelector("table.listing");
    const first = table && table.querySelector("tbody td");
    // The room the first column's text has: its box less its padding.
    const room = (cell) => {
        const style = getComputedStyle(cell);
        return cell.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
    };
    let scroller = null;
    for (let node = table && table.parentElement; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (["auto", "scroll"].includes(style.overflowX)) { scroller = node; break; }
    }
    return {
        page: document.documentElement.scrollWidth,
        rows: table ? table.querySelectorAll("tbody tr").length : 0,
        table: table ? Math.round(table.getBoundingClientRect().width) : 0,
        first: first ? Math.round(room(first)) : 0,
        // Lines its text takes: a short name on one line needs no more room.
        firstLines: first ? (() => {
            const range = document.createRange();
            range.selectNodeContents(first);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        })() : 0,
        firstLabel: first ? first.textContent.trim().slice(0, 40) : "",
        scroller: scroller ? {
            tag: scroller.tagName.toLowerCase() + "." + scroller.className,
            width: Math.round(scroller.getBoundingClientRect().width),
            right: Math.round(scroller.getBoundingClientRect().right),
        } : null,
    };
}"""


def report_urls(request) -> dict[str, str]:
    """Every report in the admin's Reports menu, as an editor sees it."""
    urls = {}
    for hook in hooks.get_hooks("register_reports_menu_item"):
        item = hook()
        if item.is_shown(request):
            urls[str(item.label)] = item.url
    return urls


@pytest.fixture
def editor_world(live_server, media_on_disk_for_browser):
    assert demo_data_load()
    return {"url": live_server.url, "editor": EditorFactory(username="report-reader")}


@pytest.fixture
def media_on_disk_for_browser(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def test_every_report_fits_1280_px_and_scrolls_inside_its_table(
    new_context, editor_world, artifacts, rf
):
    request = rf.get("/admin/reports/")
    request.user = editor_world["editor"]
    reports = report_urls(request)
    assert len(reports) >= 10, reports  # Wagtail's and ours
    assert PASSWORD
    context = new_context(viewport={"width": WIDTH, "height": 900})
    page = admin_login(context, editor_world["url"], "report-reader")
    found = {}
    for label, path in reports.items():
        page.goto(editor_world["url"] + path + ALL_DAYS, wait_until="load")
        found[label] = {"path": path, **page.evaluate(MEASURE)}
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(artifacts / f"report-{name}-{WIDTH}.png"))
    problems = {}
    for label, seen in found.items():
        wrong = []
        if seen["page"] > WIDTH:
            wrong.append(f"the page is {seen['page']} px wide")
        if seen["rows"]:
            if seen["first"] < READABLE and seen["firstLines"] > 1:
                wrong.append(f"its first column is squeezed to {seen['first']} px")
            if seen["table"] > WIDTH and not (
                seen["scroller"] and seen["scroller"]["right"] <= WIDTH
            ):
                wrong.append("a wide table that does not scroll inside itself")
        if wrong:
            problems[label] = {"wrong": wrong, **seen}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=2)
    # The reports with figures have rows to measure: the check is not vacuous.
    with_rows = {label for label, seen in found.items() if seen["rows"]}
    assert {"Articles performance", "Products performance"} <= with_rows, found
