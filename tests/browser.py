"""The browser harness of every browser test (tests/e2e/, the reader site's): headless
Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by
Playwright from a thread of its own, one for the whole session. A plugin of the
suite (tests/conftest.py's ``pytest_plugins``), so its fixtures are everywhere.

Two ways to drive it, one browser:

- ``chromium.run(function, *args)`` runs ``function(browser, *args)`` in the browser's
  thread and returns its result (a whole visit at once: the reader site's checks);
- the ``browser``, ``new_context`` and ``expect`` fixtures are ``Remote``s: every
  attribute read and call runs in the browser's thread (step by step: the
  end-to-end flows).
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "artifacts"


class Remote:
    """A Playwright object that lives in the browser thread: reading an attribute of
    it, or calling it, runs there and waits for the answer. Playwright objects come
    back wrapped; plain values (text, numbers, lists, dicts) as they are."""

    __slots__ = ("_executor", "_target")

    def __init__(self, executor: ThreadPoolExecutor, target):
        object.__setattr__(self, "_executor", executor)
        object.__setattr__(self, "_target", target)

    def _wrap(self, value):
        if callable(value) or type(value).__module__.startswith("playwright."):
            return Remote(self._executor, value)
        return value

    def __getattr__(self, name: str):
        return self._wrap(self._executor.submit(getattr, self._target, name).result())

    def __call__(self, *args, **kwargs):
        args = [_unwrap(value) for value in args]
        kwargs = {name: _unwrap(value) for name, value in kwargs.items()}
        return self._wrap(self._executor.submit(self._target, *args, **kwargs).result())


def _unwrap(value):
    return value._target if isinstance(value, Remote) else value


class Chromium:
    """Playwright's sync API and one headless Chromium, run in a thread of their own.

    Playwright keeps an asyncio loop marked as running in the thread that starts
    it. In the test's thread that would make Django refuse ORM calls
    (SynchronousOnlyOperation), give that thread other database connections than
    the test's (Django keeps them in an asgiref Local, which is per task, not per
    thread, while a loop runs), and forbid any other sync_playwright() there. So
    every Playwright call runs in this thread and the test's thread stays free for
    the ORM.
    """

    def __init__(self):
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="playwright"
        )
        self._executor.submit(self._start).result()

    def _start(self):
        from playwright.sync_api import expect, sync_playwright

        self._playwright = sync_playwright().start()
        self._expect = expect
        self._browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True
        )

    def _stop(self):
        self._browser.close()
        self._playwright.stop()

    def run(self, function, *args):
        """``function(browser, *args)`` in the browser's thread; its result."""
        return self._executor.submit(function, self._browser, *args).result()

    @property
    def browser(self) -> Remote:
        return Remote(self._executor, self._browser)

    @property
    def expect(self) -> Remote:
        return Remote(self._executor, self._expect)

    def close(self):
        self._executor.submit(self._stop).result()
        self._executor.shutdown()


@pytest.fixture(scope="session")
def chromium(live_server):
    """The session's Chromium.

    It needs the live server so as to be closed before it: a browser still
    connected to a stopped server leaves its request threads failing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with "
            "`apt-get install -y chromium` (.ci/run does)."
        )
    session_chromium = Chromium()
    yield session_chromium
    session_chromium.close()


@pytest.fixture(scope="session")
def browser(chromium) -> Remote:
    """The session's Chromium as a ``Remote``."""
    return chromium.browser


@pytest.fixture(scope="session")
def expect(chromium) -> Remote:
    """Playwright's `expect` (assertions that wait), run in the browser thread."""
    return chromium.expect


@pytest.fixture
def new_context(browser):
    """Make a browser context (a visitor's own cookies and tabs), closed after the
    test."""
    contexts = []

    def make(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def reader_user_agent(browser) -> str:
    """The user agent of an ordinary desktop Chrome of the same version.

    Headless Chromium announces itself as "HeadlessChrome", which the click tracker
    rightly counts as a bot (its sales are held for review); a reader's browser
    does not.
    """
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{browser.version} Safari/537.36"
    )


@pytest.fixture
def artifacts() -> Path:
    """var/artifacts/: where screenshots are kept for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
