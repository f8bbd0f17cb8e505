"""Fixtures shared by the whole suite.

Every test database has the site structure that `migrate` creates (home page,
articles section, Editors and Creators groups, the editorial workflow).
"""

import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from django.utils import timezone
from wagtail.models import Page

from affiliates.commissions.networks.base import connector_registry
from affiliates.tracking.runtime import tracking_runtime
from content.models import ArticleIndexPage, GuidePage, HomePage, ReviewPage
from tests.factories import (
    CreatorProfileFactory,
    EditorFactory,
    OfferFactory,
    ProductFactory,
)
from zhongcao.scheduling import periodic_task_enqueue, schedule_load

# The browser harness (Chromium driven by Playwright) of every browser test.
pytest_plugins = ["tests.browser"]


def pytest_collection_modifyitems(items):
    """Every browser test is slow (a live server, Chromium, most load the demo data):
    one rule here instead of a mark on each. Other slow tests carry
    ``pytest.mark.slow`` themselves (docs/testing.md lists them)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, running one request at a time through Django.

    On SQLite the test database lives in memory, and Django hands the live server the
    test's one connection. Django's threaded live server answers each browser
    connection in a thread of its own, all on that one connection, so two requests at
    once (a page and its preview, two assets) interleave their statements and
    savepoints: "cannot open savepoint", "no such savepoint", an editor's submit lost
    (tests/e2e failed 2 runs in 5 on a busy machine). Connections are still accepted
    and read in threads of their own (a browser's idle pre-connection holds up no
    one); only the application itself takes turns.
    """

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATimeServer


@pytest.fixture(autouse=True)
def _fresh_tracking_state():
    """Every test starts with the tracking state of a new process: an empty click
    buffer, no cached link targets or salts (TrackingRuntime.reset)."""
    tracking_runtime().reset()
    yield
    tracking_runtime().reset()


@pytest.fixture
def connector_replace(monkeypatch):
    """``connector_replace(kind, connector)`` makes ``connector`` the one this
    process pulls ``kind`` with (None: ``kind`` is not pulled), on the registry the
    app config built; the registry is as it was again after the test."""
    registry = connector_registry()

    def replace(kind, connector):
        if connector is None:
            monkeypatch.delitem(registry.by_kind, kind, raising=False)
        else:
            monkeypatch.setitem(registry.by_kind, kind, connector)

    return replace


@pytest.fixture
def home():
    return HomePage.objects.get()


@pytest.fixture
def articles():
    return ArticleIndexPage.objects.get()


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor")


@pytest.fixture
def creator(db):
    return CreatorProfileFactory(user__username="kol1", public_name="Lulu", slug="lulu")


@pytest.fixture
def other_creator(db):
    return CreatorProfileFactory(user__username="kol2", public_name="Ann", slug="ann")


@pytest.fixture
def product(db):
    return OfferFactory().product


def _article_add(*, parent: Page, page, publish: bool):
    """Add an article under ``parent`` as its author would: a revision, published
    unless told not to."""
    parent.add_child(instance=page)
    revision = page.save_revision(user=page.owner)
    if publish:
        revision.publish()
    return page


def review_create(
    *,
    parent: Page,
    author,
    product,
    title="A review",
    slug=None,
    publish=True,
    body=None,
) -> ReviewPage:
    """A review page saved as a revision (and published unless told not to)."""
    page = ReviewPage(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        author=author,
        owner=author.user,
        summary="A short summary.",
        product=product,
        rating="8.5",
        verdict="Worth it.",
        body=body or [],
        live=publish,
    )
    return _article_add(parent=parent, page=page, publish=publish)


def guide_create(
    *, parent: Page, author, products, title="A guide", publish=True, body=None
) -> GuidePage:
    """A guide with one pick per product, saved as a revision (and published)."""
    page = GuidePage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        author=author,
        owner=author.user,
        summary="A short summary.",
        intro="<p>Intro</p>",
        picks=[
            {
                "type": "pick",
                "value": {"product": product.pk, "label": "Best", "reason": "Good."},
            }
            for product in products
        ],
        body=body or [],
        live=publish,
    )
    return _article_add(parent=parent, page=page, publish=publish)


@pytest.fixture
def review(articles, creator, product):
    return review_create(parent=articles, author=creator, product=product)


@pytest.fixture
def other_review(articles, other_creator):
    return review_create(
        parent=articles,
        author=other_creator,
        product=ProductFactory(),
        title="Other review",
    )


@pytest.fixture
def local_servers_allowed(settings):
    """Name 127.0.0.1 in ZHONGCAO_OUTBOUND_ALLOW_HOSTS for this test: the test's own
    HTTP servers listen there, an internal address that the product otherwise never
    reaches (products.outbound). Only that literal host is named: localhost, [::1]
    or 0x7f.0.0.1 stay refused."""
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["127.0.0.1"]


@pytest.fixture
def trap():
    """Listeners on 127.0.0.1 and [::1] (one port) that count every connection: a
    request that must never be made shows up in ``trap.connections``."""
    from tests.trap import Trap

    with Trap() as running:
        yield running


@pytest.fixture
def link_server(local_servers_allowed):
    """A local HTTP server (127.0.0.1, a free port) answering the link checker's test
    paths (tests/linkserver.py), with 127.0.0.1 allowed for the test
    (``local_servers_allowed``); stopped after the test."""
    from tests.linkserver import link_server_start

    state, server = link_server_start()
    yield state
    server.shutdown()
    server.server_close()


# A Host header a client may send (ALLOWED_HOSTS lets it through in the tests that
# use public_base_url): no absolute URL may take anything from it.
FOREIGN_HOST = "evil.example:666"


def public_base_url_set(settings, url: str) -> None:
    settings.ZHONGCAO_PUBLIC_BASE_URL = url
    # Wagtail's two settings follow it in settings/base.py; here they must be set too.
    settings.WAGTAILADMIN_BASE_URL = url
    settings.WAGTAILAPI_BASE_URL = url


@pytest.fixture
def public_base_url(settings):
    """The site's configured public origin, unlike the test client's host; requests
    naming FOREIGN_HOST are let through, as a wildcard ALLOWED_HOSTS would."""
    url = "https://zhongcao.example:8443"
    public_base_url_set(settings, url)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, FOREIGN_HOST.split(":")[0]]
    return url


@pytest.fixture
def live_public_base_url(live_server, settings):
    """The live server's address is the public base URL: browser tests follow the
    absolute URLs the site makes (the API's links, e-mails)."""
    public_base_url_set(settings, live_server.url)
    return live_server.url


def schedule_run_once() -> dict:
    """Enqueue every task of ZHONGCAO_SCHEDULE once, as the scheduler does when each
    comes due (the tests' immediate backend runs it there and then): each task's
    result by its path."""
    due_at = timezone.now()
    return {
        periodic.path: periodic_task_enqueue(periodic=periodic, due_at=due_at)
        for periodic in schedule_load()
    }


@pytest.fixture
def chinese_says(monkeypatch):
    """Activate Simplified Chinese and give its catalogue a translation for one
    message: ``chinese_says("Hello %(name)s.", "你好，%(name)s。")``. A message
    that does not go through gettext stays as written."""
    from django.utils import translation
    from django.utils.translation import trans_real

    translation.activate("zh-hans")
    catalog = trans_real.translation("zh-hans")._catalog

    def say(message: str, chinese: str) -> None:
        # The catalogue's own layers: the newest first (TranslationCatalog).
        monkeypatch.setitem(catalog._catalogs[0], message, chinese)

    yield say
    translation.deactivate()
