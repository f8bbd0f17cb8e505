"""Writes of the catalog: offers' prices and their history, and the link checker of
offer URLs.

Prices (docs/price-history.md): whoever changes an offer's price or stock (an editor
in the admin, a merchant's feed, a network's API) goes through ``offer_refresh`` or,
after saving offers itself, ``offer_prices_record``; either appends a row to the
offer's history (``OfferPrice``) when the price, the regular price, the currency or
the availability differs from the last row.

The link checker:

``offers_check`` requests each offer's URL and records what it saw on the offer's
``OfferLinkCheck`` through ``offer_check_record``. The rules (docs/link-health.md):

- 2xx, or a 3xx that is the final answer (redirects are followed, at most
  ``max_redirects``): OK; both streaks start again from zero.
- 404 or 410: "not found". Once is *suspect*; twice in a row is *broken*.
- 403 or 429: the site refused the checker (a bot wall, a rate limit). That says
  nothing about the page, so the check is recorded (result "blocked") but leaves
  both streaks as they were: it neither marks a link broken nor clears a suspicion.
  "Twice in a row" therefore counts the checks that got an answer about the page.
- Any other status (5xx, other 4xx), a timeout, a connection failure or too many
  redirects: "error". Sites go down for a night; an error is recorded and the link
  counts as broken only after ERRORS_UNTIL_BROKEN errors in a row (three days of the
  daily check).
- A check of a URL other than the one last checked (the offer's URL was changed)
  starts both streaks afresh.

The HTTP requests run in a thread pool (bounded, and at most PER_HOST_CONCURRENCY at
once per host, to be polite); the database is written only from the calling thread.
They go through the product's one outbound client, ``products.outbound``: it follows
redirects hop by hop and refuses, at every hop, internal addresses and schemes other
than http(s); a refusal is an error like any other ("Refused by policy: …").
"""

import datetime
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import (
    Availability,
    CheckResult,
    LinkStatus,
    Offer,
    OfferLinkCheck,
    OfferPrice,
    PriceSource,
)
from .outbound import outbound_failure, outbound_request, outbound_session
from .selectors import offer_currency, offers_last_price, offers_to_check

# -- Prices ---------------------------------------------------------------------------


def _price_state(offer: Offer) -> tuple:
    return (offer.price, offer.list_price, offer_currency(offer), offer.availability)


def _history_state(row: OfferPrice) -> tuple:
    return (row.price, row.list_price, row.currency, row.availability)


def offer_prices_record(
    *,
    offers: Iterable[Offer],
    source: PriceSource,
    at: datetime.datetime | None = None,
) -> int:
    """Append a history row for each offer (saved, with its merchant) whose price,
    regular price, currency or availability differs from its last row, or that has
    none yet; ``at`` (default now) is when the new state began. Two queries whatever
    the number of offers. Returns how many rows were appended.

    Two writers recording the same change at once may both append it: the history
    then holds the same state twice, which changes no figure read from it."""
    offers = [offer for offer in offers if offer.pk is not None]
    last = offers_last_price(offer_ids=[offer.pk for offer in offers])
    at = at or timezone.now()
    rows = [
        OfferPrice(
            offer=offer,
            price=offer.price,
            list_price=offer.list_price,
            currency=offer_currency(offer),
            availability=offer.availability,
            recorded_at=at,
            source=source,
        )
        for offer in offers
        if offer.pk not in last or _history_state(last[offer.pk]) != _price_state(offer)
    ]
    OfferPrice.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class OfferState:
    """What a merchant's feed or a network says of one offer now. ``url`` and
    ``feed_item_id`` left as None keep the offer's own."""

    price: Decimal
    availability: Availability
    list_price: Decimal | None = None
    url: str | None = None
    feed_item_id: str | None = None


REFRESHED_FIELDS = ("price", "list_price", "availability", "url", "feed_item_id")


def offer_refresh(
    *,
    offer: Offer,
    state: OfferState,
    source: PriceSource,
    at: datetime.datetime | None = None,
) -> list[str]:
    """Bring ``offer`` to ``state``: the fields that differ are validated as an
    editor's would be (``Offer.full_clean``: a URL off the merchant's domains, or
    inside the network, is refused with ValidationError and nothing is saved), saved
    alone, and the price history gets a row if the price or stock changed. Returns
    the names of the fields changed (empty: nothing to do, nothing written)."""
    wanted = {
        "price": state.price,
        "list_price": state.list_price,
        "availability": state.availability,
        "url": offer.url if state.url is None else state.url,
        "feed_item_id": (
            offer.feed_item_id if state.feed_item_id is None else state.feed_item_id
        ),
    }
    changed = [
        name for name in REFRESHED_FIELDS if getattr(offer, name) != wanted[name]
    ]
    if not changed:
        return []
    for name in changed:
        setattr(offer, name, wanted[name])
    offer.full_clean()
    with transaction.atomic():
        offer.save(update_fields=[*changed, "updated_at"])
        offer_prices_record(offers=[offer], source=source, at=at)
    return changed


# -- The link checker -------------------------------------------------------------------

NOT_FOUND_UNTIL_BROKEN = 2
ERRORS_UNTIL_BROKEN = 3
DEFAULT_CONCURRENCY = 8
PER_HOST_CONCURRENCY = 2
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_REDIRECTS = 5
ERROR_LENGTH = 200

NOT_FOUND_CODES = frozenset({404, 410})
BLOCKED_CODES = frozenset({403, 429})
# A HEAD answered with these is retried as GET: the server does not do HEAD.
HEAD_REFUSED_CODES = frozenset({405, 501})


def link_checker_user_agent() -> str:
    """Names Zhongcao and where a site owner can find out who is asking."""
    return (
        "Mozilla/5.0 (compatible; ZhongcaoLinkChecker/1.0; "
        f"+{settings.ZHONGCAO_LINK_CHECK_CONTACT_URL})"
    )


@dataclass(frozen=True)
class LinkOutcome:
    """What one request (HEAD, or HEAD then GET) of one URL saw."""

    url: str
    result: CheckResult
    http_status: int | None = None
    error: str = ""


@dataclass
class LinkCheckSummary:
    """Counts of one run of the checker, by result, and how many links are broken."""

    checked: int = 0
    results: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(CheckResult.values, 0)
    )
    broken: int = 0
    suspect: int = 0

    def add(self, check: OfferLinkCheck) -> None:
        self.checked += 1
        self.results[check.result] += 1
        self.broken += check.status == LinkStatus.BROKEN
        self.suspect += check.status == LinkStatus.SUSPECT

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            **self.results,
            "broken": self.broken,
            "suspect": self.suspect,
        }

    def __str__(self) -> str:
        return (
            f"Checked {self.checked} offer URL(s): {self.results[CheckResult.OK]} ok, "
            f"{self.results[CheckResult.NOT_FOUND]} not found, "
            f"{self.results[CheckResult.BLOCKED]} blocked (403/429, not counted), "
            f"{self.results[CheckResult.ERROR]} error(s). "
            f"Now broken: {self.broken}; suspect: {self.suspect}."
        )


def _outcome_of_status(url: str, code: int) -> LinkOutcome:
    if 200 <= code < 400:
        return LinkOutcome(url, CheckResult.OK, code)
    if code in NOT_FOUND_CODES:
        return LinkOutcome(url, CheckResult.NOT_FOUND, code)
    if code in BLOCKED_CODES:
        return LinkOutcome(url, CheckResult.BLOCKED, code, f"HTTP {code}: refused")
    return LinkOutcome(url, CheckResult.ERROR, code, f"HTTP {code}")


def _outcome_of_exception(url: str, error: Exception, *, timeout: float) -> LinkOutcome:
    # Fixed wording (products.outbound): never an address, a port or an OS error,
    # so that the checker's records cannot serve as a port scanner.
    message = outbound_failure(error, timeout=timeout)
    return LinkOutcome(url, CheckResult.ERROR, None, message[:ERROR_LENGTH])


def link_fetch(
    *,
    url: str,
    session: requests.Session,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> LinkOutcome:
    """Request ``url``: HEAD, then GET when the server refuses HEAD (405/501), the
    HEAD fails to connect, or it answers 404/410 (some servers answer HEAD wrongly:
    a page is only called missing when a GET says so too). The body is never read.
    A HEAD that times out, or that is refused by policy, is not retried: a GET
    would end the same way."""

    def fetch(method: str) -> int:
        return outbound_request(
            method=method,
            url=url,
            session=session,
            timeout=timeout,
            max_redirects=max_redirects,
        ).status_code

    try:
        status_code = fetch("HEAD")
        if status_code not in HEAD_REFUSED_CODES and status_code not in NOT_FOUND_CODES:
            return _outcome_of_status(url, status_code)
    except requests.Timeout as error:
        return _outcome_of_exception(url, error, timeout=timeout)
    except requests.ConnectionError:
        pass  # Some servers drop HEAD requests: try GET.
    except requests.RequestException as error:
        return _outcome_of_exception(url, error, timeout=timeout)
    try:
        return _outcome_of_status(url, fetch("GET"))
    except requests.RequestException as error:
        return _outcome_of_exception(url, error, timeout=timeout)


def _status_of(check: OfferLinkCheck) -> LinkStatus:
    if check.consecutive_failures >= NOT_FOUND_UNTIL_BROKEN:
        return LinkStatus.BROKEN
    if check.consecutive_errors >= ERRORS_UNTIL_BROKEN:
        return LinkStatus.BROKEN
    if check.consecutive_failures:
        return LinkStatus.SUSPECT
    if check.consecutive_errors:
        return LinkStatus.ERROR
    if check.result == CheckResult.BLOCKED:
        return LinkStatus.BLOCKED
    return LinkStatus.OK


def offer_check_record(
    *, offer: Offer, outcome: LinkOutcome, now=None
) -> OfferLinkCheck | None:
    """Record one check of ``offer`` and update its streaks and status by the rules
    of this module. Returns None if the offer no longer exists. Safe against a
    concurrent run of the checker: the offer's row is locked while its record is
    read and written."""
    with transaction.atomic():
        if not Offer.objects.select_for_update().filter(pk=offer.pk).exists():
            return None
        check = OfferLinkCheck.objects.filter(offer_id=offer.pk).first()
        if check is None or check.url != outcome.url:
            check = check or OfferLinkCheck(offer_id=offer.pk)
            check.consecutive_failures = 0
            check.consecutive_errors = 0
        check.url = outcome.url
        check.result = outcome.result
        check.http_status = outcome.http_status
        check.error = outcome.error[:ERROR_LENGTH]
        check.checked_at = now or timezone.now()
        if outcome.result == CheckResult.OK:
            check.consecutive_failures = 0
            check.consecutive_errors = 0
        elif outcome.result == CheckResult.NOT_FOUND:
            check.consecutive_failures = min(check.consecutive_failures + 1, 1000)
            check.consecutive_errors = 0
        elif outcome.result == CheckResult.ERROR:
            check.consecutive_errors = min(check.consecutive_errors + 1, 1000)
            check.consecutive_failures = 0
        # CheckResult.BLOCKED: no information about the page; streaks stay.
        check.status = _status_of(check)
        check.save()
        return check


class _Fetcher:
    """HTTP side of a run: one session per worker thread (sessions are not
    thread-safe) and a limit of requests at once per host."""

    def __init__(self, *, timeout: float, max_redirects: int, per_host: int):
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.per_host = per_host
        self.local = threading.local()
        self.sessions: list[requests.Session] = []
        self.host_slots: dict[str, threading.Semaphore] = {}
        self.lock = threading.Lock()

    def _session(self) -> requests.Session:
        session = getattr(self.local, "session", None)
        if session is None:
            session = outbound_session(
                headers={
                    "User-Agent": link_checker_user_agent(),
                    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                }
            )
            self.local.session = session
            with self.lock:
                self.sessions.append(session)
        return session

    def _slot(self, url: str) -> threading.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self.lock:
            if host not in self.host_slots:
                self.host_slots[host] = threading.Semaphore(self.per_host)
            return self.host_slots[host]

    def fetch(self, url: str) -> LinkOutcome:
        with self._slot(url):
            try:
                return link_fetch(
                    url=url,
                    session=self._session(),
                    timeout=self.timeout,
                    max_redirects=self.max_redirects,
                )
            except Exception as error:  # noqa: BLE001 - one bad URL must not end the run
                return _outcome_of_exception(url, error, timeout=self.timeout)

    def close(self) -> None:
        for session in self.sessions:
            session.close()


def offers_check(
    *,
    offers: Iterable[Offer] | None = None,
    now=None,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    per_host: int = PER_HOST_CONCURRENCY,
    on_checked: Callable[[OfferLinkCheck], None] | None = None,
) -> LinkCheckSummary:
    """Check the URL of each offer (every offer, least recently checked first, when
    ``offers`` is None) and record each result as it comes in. ``on_checked`` is
    called with each record (a progress bar). Returns the run's counts."""
    if concurrency < 1 or per_host < 1:
        raise ValueError("concurrency and per_host must be at least 1.")
    if timeout <= 0:
        raise ValueError("timeout must be more than 0 seconds.")
    if offers is None:
        offers = offers_to_check()
    summary = LinkCheckSummary()
    fetcher = _Fetcher(timeout=timeout, max_redirects=max_redirects, per_host=per_host)
    try:
        with ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="linkcheck"
        ) as pool:
            futures = {pool.submit(fetcher.fetch, offer.url): offer for offer in offers}
            for future in as_completed(futures):
                check = offer_check_record(
                    offer=futures[future], outcome=future.result(), now=now
                )
                if check is None:
                    continue
                summary.add(check)
                if on_checked is not None:
                    on_checked(check)
    finally:
        fetcher.close()
    return summary
