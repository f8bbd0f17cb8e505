"""The link checker (products.services.offers_check, `manage.py check_links`,
products.tasks.check_links) against a local HTTP server started by the test."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from products.models import CheckResult, LinkStatus, OfferLinkCheck
from products.services import LinkOutcome, offer_check_record, offers_check
from tests.factories import MerchantFactory, OfferFactory
from zhongcao.scheduling import schedule_period

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5


def offer_at(link_server, path, **fields):
    return OfferFactory(url=link_server.url(path), **fields)


def check(*offers, **options):
    options.setdefault("timeout", TIMEOUT)
    return offers_check(offers=list(offers), **options)


def record(offer) -> OfferLinkCheck:
    return OfferLinkCheck.objects.get(offer=offer)


@pytest.mark.parametrize(
    ("path", "result", "status", "http_status"),
    [
        ("/ok", CheckResult.OK, LinkStatus.OK, 200),
        ("/moved", CheckResult.OK, LinkStatus.OK, 200),
        ("/no-head", CheckResult.OK, LinkStatus.OK, 200),
        ("/not-found", CheckResult.NOT_FOUND, LinkStatus.SUSPECT, 404),
        ("/gone", CheckResult.NOT_FOUND, LinkStatus.SUSPECT, 410),
        ("/forbidden", CheckResult.BLOCKED, LinkStatus.BLOCKED, 403),
        ("/too-many", CheckResult.BLOCKED, LinkStatus.BLOCKED, 429),
        ("/server-error", CheckResult.ERROR, LinkStatus.ERROR, 500),
        ("/slow", CheckResult.ERROR, LinkStatus.ERROR, None),
        ("/loop", CheckResult.ERROR, LinkStatus.ERROR, None),
    ],
)
def test_each_answer_is_recorded(link_server, path, result, status, http_status):
    offer = offer_at(link_server, path)
    summary = check(offer)
    checked = record(offer)
    assert (checked.result, checked.status, checked.http_status) == (
        result,
        status,
        http_status,
    )
    assert checked.url == offer.url
    assert checked.checked_at is not None
    assert summary.checked == 1
    assert summary.results[result] == 1


def test_errors_say_what_went_wrong(link_server):
    slow, loop, failing = (
        offer_at(link_server, path) for path in ("/slow", "/loop", "/server-error")
    )
    check(slow, loop, failing)
    assert record(slow).error.startswith("Timed out")
    assert record(loop).error.startswith("Too many redirects")
    assert record(failing).error == "HTTP 500"


def test_head_first_then_get_only_when_head_is_refused_or_not_found(link_server):
    check(
        offer_at(link_server, "/ok"),
        offer_at(link_server, "/no-head"),
        offer_at(link_server, "/gone"),
    )
    methods = sorted((method, path) for method, path, _agent in link_server.requests)
    assert methods == [
        ("GET", "/gone"),
        ("GET", "/no-head"),
        ("HEAD", "/gone"),
        ("HEAD", "/no-head"),
        ("HEAD", "/ok"),
    ]


def test_a_page_is_missing_only_if_get_says_so_too(link_server):
    """A server that answers HEAD with 404 but serves the page is not broken."""
    offer = offer_at(link_server, "/head-not-found")
    check(offer)
    check(offer)
    assert record(offer).result == CheckResult.OK
    assert record(offer).status == LinkStatus.OK


def test_a_redirect_is_followed_to_its_end(link_server):
    check(offer_at(link_server, "/moved"))
    assert [path for _method, path, _agent in link_server.requests] == ["/moved", "/ok"]


def test_the_user_agent_names_zhongcao_and_a_contact_url(link_server, settings):
    settings.ZHONGCAO_LINK_CHECK_CONTACT_URL = "https://zhongcao.example/about-links"
    check(offer_at(link_server, "/ok"))
    (_method, _path, agent), *_ = link_server.requests
    assert "Zhongcao" in agent
    assert "https://zhongcao.example/about-links" in agent


def test_not_found_twice_in_a_row_is_broken(link_server):
    offer = offer_at(link_server, "/not-found")
    check(offer)
    assert record(offer).status == LinkStatus.SUSPECT
    summary = check(offer)
    checked = record(offer)
    assert (checked.status, checked.consecutive_failures) == (LinkStatus.BROKEN, 2)
    assert summary.broken == 1


def test_an_answer_in_between_clears_the_suspicion(link_server):
    offer = offer_at(link_server, "/not-found")
    check(offer)
    link_server.routes["/not-found"] = (200, 200)
    check(offer)
    assert (record(offer).status, record(offer).consecutive_failures) == (
        LinkStatus.OK,
        0,
    )
    link_server.routes["/not-found"] = (404, 404)
    check(offer)
    assert record(offer).status == LinkStatus.SUSPECT

    link_server.routes["/not-found"] = (500, 500)
    check(offer)
    assert record(offer).status == LinkStatus.ERROR
    # 404, 500, 404: not twice in a row.
    link_server.routes["/not-found"] = (404, 404)
    check(offer)
    assert (record(offer).status, record(offer).consecutive_failures) == (
        LinkStatus.SUSPECT,
        1,
    )


def test_a_broken_link_that_works_again_is_ok(link_server):
    offer = offer_at(link_server, "/gone")
    check(offer)
    check(offer)
    assert record(offer).status == LinkStatus.BROKEN
    link_server.routes["/gone"] = (200, 200)
    check(offer)
    assert record(offer).status == LinkStatus.OK


@pytest.mark.parametrize("blocked", [(403, 403), (429, 429)])
def test_blocked_neither_counts_nor_clears(link_server, blocked):
    offer = offer_at(link_server, "/not-found")
    check(offer)
    link_server.routes["/not-found"] = blocked
    check(offer)
    checked = record(offer)
    assert (checked.result, checked.http_status) == (CheckResult.BLOCKED, blocked[0])
    assert (checked.status, checked.consecutive_failures) == (LinkStatus.SUSPECT, 1)

    link_server.routes["/not-found"] = (404, 404)
    check(offer)
    assert record(offer).status == LinkStatus.BROKEN

    link_server.routes["/not-found"] = blocked
    check(offer)
    assert record(offer).status == LinkStatus.BROKEN


def test_blocked_never_marks_broken(link_server):
    offer = offer_at(link_server, "/forbidden")
    for _ in range(4):
        check(offer)
    checked = record(offer)
    assert (
        checked.status,
        checked.consecutive_failures,
        checked.consecutive_errors,
    ) == (
        LinkStatus.BLOCKED,
        0,
        0,
    )


def test_errors_are_broken_only_three_times_in_a_row(link_server):
    offer = offer_at(link_server, "/server-error")
    check(offer)
    check(offer)
    assert (record(offer).status, record(offer).consecutive_errors) == (
        LinkStatus.ERROR,
        2,
    )
    check(offer)
    assert record(offer).status == LinkStatus.BROKEN


def test_a_changed_url_starts_afresh(link_server):
    offer = offer_at(link_server, "/not-found")
    check(offer)
    offer.url = link_server.url("/gone")
    offer.save()
    check(offer)
    checked = record(offer)
    assert (checked.status, checked.consecutive_failures) == (LinkStatus.SUSPECT, 1)
    assert checked.url == offer.url


@pytest.mark.slow
def test_many_offers_are_checked_concurrently_and_all_recorded(link_server):
    paths = ["/ok", "/moved", "/not-found", "/forbidden", "/server-error", "/no-head"]
    offers = [offer_at(link_server, path) for path in paths * 3]
    summary = check(*offers, concurrency=4, per_host=4)
    assert summary.checked == len(offers) == OfferLinkCheck.objects.count()
    assert summary.results == {
        CheckResult.OK: 9,
        CheckResult.NOT_FOUND: 3,
        CheckResult.BLOCKED: 3,
        CheckResult.ERROR: 3,
    }


@pytest.mark.slow
@pytest.mark.parametrize("per_host", [1, 3])
def test_requests_to_one_host_at_once_stay_within_the_limit(link_server, per_host):
    offers = [offer_at(link_server, "/hold") for _ in range(12)]
    summary = check(*offers, concurrency=8, per_host=per_host, timeout=5)
    assert summary.results[CheckResult.OK] == 12
    assert link_server.peak <= per_host
    if per_host > 1:  # and the checker does run requests side by side
        assert link_server.peak > 1


def test_every_offer_by_default(link_server):
    offers = [offer_at(link_server, "/ok"), offer_at(link_server, "/gone")]
    summary = offers_check(timeout=TIMEOUT)
    assert summary.checked == 2
    assert OfferLinkCheck.objects.filter(offer__in=offers).count() == 2


def test_bad_options_are_refused(db):
    with pytest.raises(ValueError, match="concurrency"):
        offers_check(offers=[], concurrency=0)
    with pytest.raises(ValueError, match="timeout"):
        offers_check(offers=[], timeout=0)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_lose_no_count():
    offer = OfferFactory(url="https://www.shop.example/gone")
    outcome = LinkOutcome(offer.url, CheckResult.NOT_FOUND, 404)
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            offer_check_record(offer=offer, outcome=outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = record(offer)
    assert (checked.consecutive_failures, checked.status) == (4, LinkStatus.BROKEN)


# -- The command ----------------------------------------------------------------------


def test_the_command_prints_its_summary(link_server):
    for path in ("/ok", "/not-found", "/forbidden", "/server-error"):
        offer_at(link_server, path)
    out, err = StringIO(), StringIO()
    call_command("check_links", "--timeout", "0.5", stdout=out, stderr=err)
    assert out.getvalue().strip() == (
        "Checked 4 offer URL(s): 1 ok, 1 not found, 1 blocked (403/429, not counted), "
        "1 error(s). Now broken: 0; suspect: 1."
    )
    assert "4/4" in err.getvalue()  # the progress bar
    call_command("check_links", "--timeout", "0.5", "--no-progress", stdout=out)
    assert "Now broken: 1; suspect: 0." in out.getvalue()


def test_the_command_takes_a_merchant_and_a_limit(link_server):
    merchant = MerchantFactory(slug="mingyue")
    mine = [offer_at(link_server, "/ok", merchant=merchant) for _ in range(3)]
    other = offer_at(link_server, "/ok")
    out = StringIO()
    call_command(
        "check_links",
        "--merchant",
        "mingyue",
        "--limit",
        "2",
        "--concurrency",
        "2",
        "--no-progress",
        stdout=out,
    )
    assert "Checked 2 offer URL(s)" in out.getvalue()
    assert OfferLinkCheck.objects.filter(offer__in=mine).count() == 2
    assert not OfferLinkCheck.objects.filter(offer=other).exists()
    # The next run takes the one never checked first.
    call_command(
        "check_links",
        "--merchant",
        "mingyue",
        "--limit",
        "1",
        "--no-progress",
        stdout=out,
    )
    assert OfferLinkCheck.objects.filter(offer__in=mine).count() == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--merchant", "nobody"], "--merchant"),
        (["--limit", "0"], "--limit"),
        (["--concurrency", "0"], "--concurrency"),
        (["--timeout", "0"], "--timeout"),
    ],
)
def test_the_command_refuses_bad_options(db, arguments, message):
    offer = OfferFactory()
    with pytest.raises(CommandError, match=message):
        call_command("check_links", *arguments)
    assert not OfferLinkCheck.objects.filter(offer=offer).exists()


# -- The task -------------------------------------------------------------------------


def test_the_task_checks_and_is_scheduled_daily(link_server):
    from products.tasks import check_links

    assert schedule_period(path="products.tasks.check_links") == datetime.timedelta(
        days=1
    )
    offer = offer_at(link_server, "/gone")
    result = check_links.enqueue()
    assert result.return_value["checked"] == 1
    assert result.return_value["not_found"] == 1
    assert record(offer).status == LinkStatus.SUSPECT
