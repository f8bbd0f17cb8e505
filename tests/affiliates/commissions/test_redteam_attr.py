"""Red team of 8652c55 (issue 15, items 1, 2, 3 and 14): a sale's money outcome
must not depend on the order in which its click's row, the sale, refunds, reviews
and the periodic tasks arrive; click ids are read strictly wherever they come in;
an opted-out reader's hourly salt is kept nowhere past its hour.

Tests marked ``xfail(strict=True)`` demonstrate a defect still open; the others
guard what held."""

import base64
import dataclasses
import datetime
import os
import struct
import threading
from decimal import Decimal
from io import StringIO
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates.commissions.services.conversions import (
    clicks_store_settling,
    conversion_review,
    conversions_click_settle,
)
from affiliates.commissions.services.ledger import (
    LedgerError,
    commissions_approve,
    items_current,
    ledger_lock,
)
from affiliates.models import (
    Click,
    ClickDemotion,
    Conversion,
    EntryKind,
    EntryStatus,
    HoldReason,
    HourlySalt,
    LedgerEntry,
    ReviewState,
    UnattributedReason,
)
from affiliates.tracking import clickids
from affiliates.tracking.clickids import CLICK_ID_LENGTH, click_id_make
from affiliates.tracking.clicks import hour_of
from affiliates.tracking.runtime import tracking_runtime
from affiliates.tracking.writer import JournalWriter
from tests.affiliates.conftest import flush, out_of_stock, postback, sale
from tests.factories import OfferFactory, pending_click

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database",
)
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def go(link, *, user_agent=BROWSER, address="203.0.113.77", **headers) -> str:
    """A visit to the tracked link through the real redirect: the click id."""
    response = Client().get(
        f"/go/{link.code}",
        headers={"User-Agent": user_agent, **headers},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["subid"][0]


def sell(merchant, click_id, order_id="ORDER-1", **fields) -> Conversion:
    body = sale(click_id=click_id, order_id=order_id, **fields)
    response = postback(Client(), merchant, body)
    assert response.status_code == 200, response.content
    return Conversion.objects.get(pk=response.json()["conversion_id"])


def outcome(conversion: Conversion) -> tuple:
    conversion.refresh_from_db()
    return (
        conversion.review,
        conversion.hold_reason,
        conversion.commission,
        sorted(
            (item.entry.kind, item.status, item.amount)
            for item in items_current(conversion=conversion)
        ),
    )


def a_click(link, *, at, visitor):
    """A reader's click as the redirect hands it to the writer."""
    click_id = click_id_make(link_id=link.pk, clicked_at=at, offer_id=link.offer_id)
    return pending_click(link=link, click_id=click_id, clicked_at=at, visitor=visitor)


def legacy_click_id(*, link_id: int, clicked_at: datetime.datetime) -> str:
    """A click id as made before ids carried the offer (32 characters)."""
    body = struct.pack(">II6s", link_id, int(clicked_at.timestamp()), os.urandom(6))
    return base64.urlsafe_b64encode(body + clickids._tag(body)).decode()


# -- Duplicates: which click of a visitor's pair is billable ---------------------------


@pytest.fixture
def in_the_past_hour():
    """``minutes`` → that moment of the UTC clock hour before the one the test began
    in: clicks made with it share a clock hour (the duplicate rule's) whenever the
    test runs."""
    start = hour_of(timezone.now()) - datetime.timedelta(hours=1)
    return lambda minutes: start + datetime.timedelta(minutes=minutes)


WRITE_ORDERS = ["click order", "second click written first"]
SALES_ARRIVE = ["before the rows", "between the rows", "after the rows"]


@pytest.mark.parametrize("sales_arrive", SALES_ARRIVE)
def test_a_sale_through_a_readers_first_click_does_not_depend_on_write_order(
    connected, link, sales_arrive, in_the_past_hour
):
    """A reader's two clicks in one hour, written in either order (two processes'
    buffers, two servers' journal writers), with sales through both arriving
    before, between or after the rows: the sale through the first click is
    released and the one through the second held as a duplicate, every time."""
    outcomes = {}
    for round_, order in enumerate(WRITE_ORDERS):
        visitor = f"visitor-{round_}"
        first = a_click(link, at=in_the_past_hour(10), visitor=visitor)
        second = a_click(link, at=in_the_past_hour(15), visitor=visitor)
        batches = [[first], [second]]
        if order == "second click written first":
            batches.reverse()
        sales = {}

        def sell_both(round_=round_, first=first, second=second, sales=sales):
            for name, click in (("first", first), ("second", second)):
                sales[name] = sell(
                    connected, click.click_id, order_id=f"O-{round_}-{name}"
                )

        if sales_arrive == "before the rows":
            sell_both()
        clicks_store_settling(clicks=batches[0])
        if sales_arrive == "between the rows":
            sell_both()
        clicks_store_settling(clicks=batches[1])
        if sales_arrive == "after the rows":
            sell_both()
        outcomes[order] = {name: outcome(sale) for name, sale in sales.items()}
    in_order = outcomes["click order"]
    assert in_order["first"][:2] == (ReviewState.NONE, "")
    assert in_order["second"][:2] == (ReviewState.HELD, HoldReason.DUPLICATE)
    assert outcomes["second click written first"] == in_order


@pytest.mark.parametrize("listed", ["in click order", "duplicate listed first"])
@pytest.mark.parametrize("sale_first", [True, False], ids=["sale first", "rows first"])
def test_a_batch_with_a_click_and_its_duplicate_holds_the_duplicates_sale(
    connected, link, listed, sale_first, in_the_past_hour
):
    first = a_click(link, at=in_the_past_hour(3), visitor="v")
    again = a_click(link, at=in_the_past_hour(4), visitor="v")
    batch = [first, again] if listed == "in click order" else [again, first]
    if not sale_first:
        clicks_store_settling(clicks=batch)
    on_first = sell(connected, first.click_id, order_id="FIRST")
    on_again = sell(connected, again.click_id, order_id="AGAIN")
    if sale_first:
        clicks_store_settling(clicks=batch)
    assert outcome(on_first)[:2] == (ReviewState.NONE, "")
    assert outcome(on_again)[:2] == (ReviewState.HELD, HoldReason.DUPLICATE)


def _released_through_the_later_click(
    connected, link, in_the_past_hour, *, visitor="reader"
):
    """A reader's later click of the hour written, and a sale through it released;
    their earlier click of the hour still unwritten (another process has it)."""
    earlier = a_click(link, at=in_the_past_hour(10), visitor=visitor)
    later = a_click(link, at=in_the_past_hour(40), visitor=visitor)
    clicks_store_settling(clicks=[later])
    conversion = sell(connected, later.click_id, order_id=f"LATER-{visitor}")
    assert outcome(conversion)[:2] == (ReviewState.NONE, "")
    return earlier, later, conversion


def test_a_released_sale_is_held_again_when_an_earlier_click_of_its_hour_comes(
    connected, link, editor, in_the_past_hour
):
    earlier, later, conversion = _released_through_the_later_click(
        connected, link, in_the_past_hour
    )
    pending = outcome(conversion)[3]
    assert {status for _kind, status, _amount in pending} == {EntryStatus.PENDING}
    clicks_store_settling(clicks=[earlier])
    assert Click.objects.get(pk=later.click_id).is_duplicate
    assert Click.objects.get(pk=earlier.click_id).is_billable
    review, reason, _commission, items = outcome(conversion)
    assert (review, reason) == (ReviewState.HELD, HoldReason.DUPLICATE)
    assert items == [(kind, EntryStatus.HELD, amount) for kind, _s, amount in pending]
    holds = LedgerEntry.objects.filter(conversion=conversion, kind=EntryKind.HOLD)
    assert holds.count() == 2 * len(pending)  # minus in pending, plus in held
    assert all("earlier click" in entry.note for entry in holds)
    # The sale is an editor's to decide, like any duplicate's.
    conversion_review(conversion=conversion, approve=True, user=editor)
    assert outcome(conversion)[:2] == (ReviewState.RELEASED, HoldReason.DUPLICATE)
    assert {s for _k, s, _a in outcome(conversion)[3]} == {EntryStatus.PENDING}
    # Written again (a retried batch), nothing moves twice.
    clicks_store_settling(clicks=[earlier, later])
    assert outcome(conversion)[:2] == (ReviewState.RELEASED, HoldReason.DUPLICATE)
    assert not ClickDemotion.objects.exists()


def test_an_editors_decision_stands_when_the_click_turns_out_a_duplicate(
    connected, link, editor, creator, in_the_past_hour
):
    from affiliates.models import CommissionSettings, SelfPurchasePolicy

    settings = CommissionSettings.load()
    settings.self_purchase_policy = SelfPurchasePolicy.HOLD
    settings.save()
    creator.customer_refs = "buyer-9"
    creator.save()
    earlier = a_click(link, at=in_the_past_hour(10), visitor="author")
    later = a_click(link, at=in_the_past_hour(40), visitor="author")
    clicks_store_settling(clicks=[later])
    conversion = sell(connected, later.click_id, customer_ref="buyer-9")
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.SELF_PURCHASE)
    conversion_review(conversion=conversion, approve=True, user=editor)
    clicks_store_settling(clicks=[earlier])
    assert Click.objects.get(pk=later.click_id).is_duplicate
    assert outcome(conversion)[:2] == (ReviewState.RELEASED, HoldReason.SELF_PURCHASE)


def test_money_approved_before_an_earlier_click_comes_is_not_taken_back(
    connected, link, caplog, in_the_past_hour
):
    """Approval comes after the merchant's hold period, days after a click is
    written: a click written later still is not allowed to take back approved
    money; the sale stays as it is and the writer says so in the log."""
    earlier, later, conversion = _released_through_the_later_click(
        connected, link, in_the_past_hour
    )
    assert commissions_approve(now=timezone.now() + datetime.timedelta(days=400)) > 0
    before = outcome(conversion)
    with caplog.at_level(
        "WARNING", logger="affiliates.commissions.services.conversions"
    ):
        clicks_store_settling(clicks=[earlier])
    assert Click.objects.get(pk=later.click_id).is_duplicate
    assert outcome(conversion) == before
    assert conversion.pk and str(conversion.pk) in caplog.text
    assert not ClickDemotion.objects.exists()


def test_a_demotion_the_writer_could_not_settle_is_settled_by_the_periodic_task(
    connected, link, in_the_past_hour
):
    """The writer commits the demotion with a note of it (ClickDemotion) in one
    transaction; if deciding the sales afterwards fails, the periodic task does."""
    from django.db import DatabaseError

    from affiliates.tasks import settle_awaiting_conversions

    earlier, _later, conversion = _released_through_the_later_click(
        connected, link, in_the_past_hour
    )
    with mock.patch(
        "affiliates.commissions.services.conversions.conversions_click_settle",
        side_effect=DatabaseError("the database went away"),
    ):
        clicks_store_settling(clicks=[earlier])
    assert ClickDemotion.objects.count() == 1
    assert outcome(conversion)[:2] == (ReviewState.NONE, "")
    assert settle_awaiting_conversions.call() == 1
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.DUPLICATE)
    assert not ClickDemotion.objects.exists()
    assert settle_awaiting_conversions.call() == 0


# -- Every order of arrival, one outcome ---------------------------------------------

EVENTS = ("row", "pending", "approved", "approval job", "refunded")


def _ingest(merchant, *, click_id, order_id, status):
    from affiliates.commissions.postbacks import conversion_data_parse
    from affiliates.commissions.services.conversions import conversion_ingest
    from affiliates.models import ConversionSource

    body = sale(click_id=click_id, order_id=order_id, status=status)
    body["occurred_at"] = (timezone.now() - datetime.timedelta(seconds=30)).isoformat()
    return conversion_ingest(
        merchant=merchant,
        data=conversion_data_parse(body),
        source=ConversionSource.POSTBACK,
    ).conversion


def _orders(events: tuple[str, ...], sample: int) -> list[tuple[str, ...]]:
    import itertools
    import random

    orders = list(itertools.permutations(events))
    canonical = tuple(events)  # the click rows first, then the merchant's reports
    others = [order for order in orders if order != canonical]
    rng = random.Random(15)  # noqa: S311 (which orders to try, not a secret)
    return [canonical, *rng.sample(others, min(sample, len(others)))]


@pytest.mark.parametrize("refund", [False, True], ids=["kept", "refunded"])
@pytest.mark.parametrize(
    "flavor", ["reader", "bot", "duplicate", "duplicate, first click written late"]
)
def test_every_order_of_row_reports_and_jobs_comes_to_one_outcome(
    connected, link, flavor, refund, in_the_past_hour
):
    """The click's row, the merchant's pending, approved (and refunded) reports and
    the approval job, in many orders: once the writer and the jobs have caught up,
    the hold, its reason and where every item's money is are the same. For a
    duplicate, the reader's first click of the hour is written before everything,
    or (written late) at any point among the rest."""
    late_first = flavor == "duplicate, first click written late"
    # The approval job may move money at once; but money approved before the
    # reader's first click is written is not taken back (docs/money.md), so where that
    # click can come last, the hold period must outlast the test.
    connected.hold_period_days = 30 if late_first else 0
    connected.save()
    events = EVENTS if refund else EVENTS[:-1]
    if late_first:
        events = ("first click's row", *events)
    outcomes = {}
    for round_, order in enumerate(_orders(events, sample=23)):
        visitor = f"{flavor}-{round_}"
        at = in_the_past_hour(30)
        first = a_click(link, at=in_the_past_hour(29), visitor=visitor)
        if flavor == "duplicate":  # the reader's billable click, written earlier
            clicks_store_settling(clicks=[first])
        row = a_click(link, at=at, visitor=visitor)
        if flavor == "bot":
            row = dataclasses.replace(row, visitor_hash="", is_bot=True)
        order_id = f"{flavor}-{round_}"
        for event in order:
            if event == "row":
                clicks_store_settling(clicks=[row])
            elif event == "first click's row":
                clicks_store_settling(clicks=[first])
            elif event == "approval job":
                commissions_approve()
            else:
                _ingest(
                    connected, click_id=row.click_id, order_id=order_id, status=event
                )
        conversions_click_settle()  # the periodic jobs catch up
        commissions_approve()
        conversion = Conversion.objects.get(order_id=order_id)
        outcomes[order] = (conversion.status, *outcome(conversion))
    canonical = outcomes[next(iter(outcomes))]  # the rows first
    assert canonical[2] == {
        "reader": "",
        "bot": HoldReason.BOT,
    }.get(flavor, HoldReason.DUPLICATE)
    differing = {
        order: found for order, found in outcomes.items() if found != canonical
    }
    assert not differing, (canonical, differing)


# -- Legacy click ids (32 characters) and the fallback offer ---------------------------


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Defect (transitional): a 32-character id made before the deploy carries "
        "no offer; a sale that beats its click's row is priced on the link's own "
        "offer (10 %), and conversions_click_settle only moves the hold, never "
        "re-prices, so the same sale after the row gets the fallback's 12 % (item 2)."
    ),
)
def test_a_legacy_click_id_through_a_fallback_gets_one_rate_in_either_order(
    connected, link, headphones
):
    link.offer.commission_rate = Decimal("10.00")
    link.offer.save()
    out_of_stock(link.offer)
    fallback = OfferFactory(
        product=headphones,
        merchant=connected,
        url="https://www.mingyuehome.cn/item/2",
        price="1199.00",
        commission_rate=Decimal("12.00"),
    )
    now = timezone.now()
    commissions = {}
    for round_, order in enumerate(["row first", "sale first"]):
        at = now - datetime.timedelta(minutes=round_ + 1)
        click_id = legacy_click_id(link_id=link.pk, clicked_at=at)
        row = dataclasses.replace(
            pending_click(link=link, click_id=click_id, clicked_at=at, visitor=order),
            offer_id=fallback.pk,  # the redirect sent the reader to the fallback
        )
        if order == "row first":
            clicks_store_settling(clicks=[row])
        conversion = sell(connected, click_id, order_id=f"L-{round_}")
        if order == "sale first":
            clicks_store_settling(clicks=[row])
        conversion.refresh_from_db()
        commissions[order] = (conversion.offer_id, conversion.commission)
    assert commissions["row first"] == (fallback.pk, Decimal("120.00"))
    assert commissions["sale first"] == commissions["row first"]


# -- Editors and a sale that is only waiting for its click ------------------------------


def test_an_editor_cannot_release_a_bots_sale_before_its_click_is_known(
    connected, link, editor
):
    conversion = sell(connected, go(link, user_agent=GOOGLEBOT))
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK
    try:
        conversion_review(conversion=conversion, approve=True, user=editor)
    except LedgerError:
        pass  # refusing to decide before the click is known is one good answer
    flush()
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.BOT)


def test_a_release_without_a_click_row_does_not_say_the_click_was_recorded(
    connected, link
):
    from affiliates.tasks import settle_awaiting_conversions

    conversion = sell(connected, go(link))
    tracking_runtime().click_buffer.pending.clear()  # the click was lost before it was written
    Conversion.objects.filter(pk=conversion.pk).update(
        clicked_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    assert settle_awaiting_conversions.call() == 1
    assert not Click.objects.filter(pk=conversion.click_id).exists()
    notes = set(
        LedgerEntry.objects.filter(
            conversion=conversion, kind=EntryKind.RELEASE
        ).values_list("note", flat=True)
    )
    assert notes and not any("recorded" in note for note in notes), notes


# -- Nothing pays out a sale that waits for its click -----------------------------------


def test_no_approval_or_payout_touches_a_sale_waiting_for_its_click(
    connected, link, creator
):
    from affiliates.commissions.services.payouts import payout_run_create

    connected.hold_period_days = 0
    connected.save()
    conversion = sell(connected, go(link))
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK
    # The merchant approves it too, and the hold period is long over.
    sell(connected, conversion.click_id, status="approved")
    assert commissions_approve(now=timezone.now() + datetime.timedelta(days=400)) == 0
    with pytest.raises(LedgerError):
        payout_run_create(run_date=timezone.now().date())
    assert {s for _k, s, _a in outcome(conversion)[3]} == {EntryStatus.HELD}
    flush()  # the reader's row: released, and only now approvable
    assert outcome(conversion)[:2] == (ReviewState.NONE, "")
    assert commissions_approve() > 0


def test_settling_twice_moves_the_money_once(connected, link):
    conversion = sell(connected, go(link))
    clicks = list(tracking_runtime().click_buffer.pending)
    tracking_runtime().click_buffer.pending.clear()
    clicks_store_settling(clicks=clicks)
    assert conversions_click_settle() == 0
    assert conversions_click_settle(click_ids=[conversion.click_id]) == 0
    clicks_store_settling(clicks=clicks)  # the writer retries the same batch
    releases = LedgerEntry.objects.filter(conversion=conversion, kind=EntryKind.RELEASE)
    items = LedgerEntry.objects.filter(conversion=conversion, origin__isnull=True)
    assert releases.count() == 2 * items.count()


# -- The journal writer and the report import ------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (GOOGLEBOT, (ReviewState.HELD, HoldReason.BOT)),
        (BROWSER, (ReviewState.NONE, "")),
    ],
    ids=["bot", "reader"],
)
def test_the_journal_writer_decides_a_sale_that_beat_its_click(
    connected, link, tmp_path, settings, user_agent, expected
):
    settings.ZHONGCAO_CLICK_JOURNAL = True
    settings.ZHONGCAO_CLICK_JOURNAL_DIR = tmp_path
    click_id = go(link, user_agent=user_agent)
    assert len(tracking_runtime().click_buffer) == 0  # in the journal, not written
    conversion = sell(connected, click_id)
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK
    assert JournalWriter(tmp_path, store=clicks_store_settling).write() == 1
    assert outcome(conversion)[:2] == expected


def _import(merchant, tmp_path, rows: list[str]) -> tuple[str, str]:
    path = tmp_path / "report.csv"
    path.write_text(
        "order_id,click_id,amount,currency,status,occurred_at\n" + "\n".join(rows),
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("import_conversions", merchant.slug, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_imported_sale_that_beats_its_click_waits_like_a_postback(
    connected, link, tmp_path
):
    when = timezone.now().isoformat()
    bot, reader = go(link, user_agent=GOOGLEBOT), go(link, address="192.0.2.9")
    out, _err = _import(
        connected,
        tmp_path,
        [
            f"BOT,{bot},1000.00,CNY,pending,{when}",
            f"READER,{reader},1000.00,CNY,pending,{when}",
        ],
    )
    assert "Imported 2" in out
    assert set(Conversion.objects.values_list("hold_reason", flat=True)) == {
        HoldReason.AWAITING_CLICK
    }
    flush()
    assert outcome(Conversion.objects.get(order_id="BOT"))[:2] == (
        ReviewState.HELD,
        HoldReason.BOT,
    )
    assert outcome(Conversion.objects.get(order_id="READER"))[:2] == (
        ReviewState.NONE,
        "",
    )


# -- Click ids read strictly, wherever they come in ------------------------------------


def _respellings(click_id: str) -> list[str]:
    """Other spellings of a real click id: none may be attributed."""
    fullwidth = "".join(
        chr(ord(char) + 0xFEE0) if char.isalnum() and char.isascii() else char
        for char in click_id
    )
    return [
        click_id.replace("-", "+").replace("_", "/"),
        click_id + "=",
        click_id + "==",
        click_id[:-1],
        click_id + "A",
        click_id[:16] + " " + click_id[16:],
        click_id[:16] + "\u200b" + click_id[16:],  # a zero-width space inside
        click_id.swapcase(),
        fullwidth,
        click_id[:-4] + "\u0663\u0663\u0663\u0663",  # Arabic-Indic digits
        click_id.replace("-", "%2D").replace("_", "%5F"),
        base64.urlsafe_b64encode(base64.urlsafe_b64decode(click_id)).decode()[:32],
        base64.b64encode(base64.urlsafe_b64decode(click_id)).decode(),
    ]


def _bot_click_with_both_symbols(link) -> str:
    for _attempt in range(400):
        click_id = go(link, user_agent=GOOGLEBOT)
        if "-" in click_id and "_" in click_id:
            return click_id
    pytest.skip("no click id with both - and _ in 400 tries")


def test_no_other_spelling_of_a_bots_click_id_is_attributed_by_postback(
    connected, link
):
    click_id = _bot_click_with_both_symbols(link)
    flush()
    for number, other in enumerate(
        other for other in _respellings(click_id) if other != click_id
    ):
        body = sale(click_id=other, order_id=f"R-{number}")
        response = postback(Client(), connected, body)
        if len(other.strip()) > 64:
            assert response.status_code == 400, other
            continue
        assert response.status_code == 200, (other, response.content)
        conversion = Conversion.objects.get(order_id=f"R-{number}")
        assert conversion.author is None, other
        assert conversion.unattributed_reason == UnattributedReason.INVALID_CLICK_ID
        assert conversion.review == ReviewState.NONE


@pytest.mark.parametrize("padding", [" ", "\t", "\u3000", "\u00a0"])
def test_a_click_id_with_surrounding_whitespace_is_the_same_click(
    connected, link, padding
):
    """Whitespace around a field is trimmed at the door (reports._text): the id is
    then exactly the click's, found with its row, and held for the bot."""
    click_id = go(link, user_agent=GOOGLEBOT)
    flush()
    conversion = sell(connected, padding + click_id + padding)
    assert conversion.click_id == click_id
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.BOT)


def test_no_other_spelling_of_a_click_id_is_attributed_by_import(
    connected, link, tmp_path
):
    click_id = _bot_click_with_both_symbols(link)
    flush()
    when = timezone.now().isoformat()
    others = [
        other
        for other in _respellings(click_id)
        if other != click_id and "," not in other and len(other) <= 64
    ]
    _import(
        connected,
        tmp_path,
        [f"I-{n},{other},100.00,CNY,pending,{when}" for n, other in enumerate(others)],
    )
    conversions = Conversion.objects.filter(order_id__startswith="I-")
    assert conversions.count() == len(others)
    assert set(conversions.values_list("unattributed_reason", flat=True)) == {
        UnattributedReason.INVALID_CLICK_ID
    }
    assert not conversions.filter(review=ReviewState.HELD).exists()


def test_a_legacy_click_id_is_still_attributed_and_held_by_its_row(connected, link):
    at = timezone.now() - datetime.timedelta(minutes=1)
    click_id = legacy_click_id(link_id=link.pk, clicked_at=at)
    assert len(click_id) == 32 < CLICK_ID_LENGTH
    conversion = sell(connected, click_id)
    assert conversion.author == link.author
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK
    clicks_store_settling(
        clicks=[pending_click(link=link, click_id=click_id, clicked_at=at, visitor="")]
    )
    # No hash: not a duplicate, and the row is a reader's: released.
    assert outcome(conversion)[:2] == (ReviewState.NONE, "")


# -- The hourly salt of opted-out readers ----------------------------------------------


def test_the_process_forgets_a_past_hours_salt_at_the_next_refresh(link):
    """The link-target refresh reads this hour's and the next hour's salts ahead; at
    the first refresh of a new hour the hour before leaves the process's memory."""
    now = timezone.now()
    hour = hour_of(now)
    with mock.patch("django.utils.timezone.now", return_value=now):
        tracking_runtime().link_targets.refresh()
    past = tracking_runtime().hourly_salts.cache[hour]
    assert set(tracking_runtime().hourly_salts.cache) == {
        hour,
        hour + datetime.timedelta(hours=1),
    }
    later = now + datetime.timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        tracking_runtime().link_targets.refresh()
        from affiliates.tasks import purge_hourly_salts

        purge_hourly_salts.call()
    assert hour not in tracking_runtime().hourly_salts.cache
    assert past not in tracking_runtime().hourly_salts.cache.values()
    assert not HourlySalt.objects.filter(salt=past).exists()
    assert not HourlySalt.objects.filter(hour__lt=hour_of(later)).exists()


def test_nothing_links_an_opted_out_readers_clicks_once_the_hour_is_over(link):
    """Within the hour an opted-out reader's clicks share a hash (the duplicate
    check needs it); once the hour's salt is purged, nothing can recompute it, and
    the next hour's clicks hash apart from them."""
    from affiliates.tasks import purge_hourly_salts
    from affiliates.tracking.clicks import hourly_visitor_hash

    first, second = (go(link, **{"Sec-GPC": "1"}) for _ in range(2))
    flush()
    hour = hour_of(timezone.now())
    HourlySalt.objects.update(hour=hour - datetime.timedelta(hours=2))
    purge_hourly_salts.call()
    assert not HourlySalt.objects.exists()
    hashes = dict(Click.objects.values_list("click_id", "visitor_hash"))
    assert hashes[first] == hashes[second]
    tracking_runtime().link_targets.clear()
    tracking_runtime().hourly_salts.cache.clear()  # another process: it never held that salt
    later = hourly_visitor_hash(
        salts=tracking_runtime().hourly_salts,
        ip="203.0.113.77",
        user_agent=BROWSER,
        hour=hour + datetime.timedelta(hours=1),
    )
    assert later not in hashes.values()


# -- What the click writer costs now ---------------------------------------------------


def _batch(link, size: int, *, start: int = 0) -> list:
    now = timezone.now()
    return [
        a_click(link, at=now - datetime.timedelta(seconds=n), visitor=f"q-{start + n}")
        for n in range(size)
    ]


def _queries(batch) -> int:
    with CaptureQueriesContext(connection) as captured:
        clicks_store_settling(clicks=batch)
    return len(captured.captured_queries)


def test_the_click_writer_costs_one_query_more_a_batch_whatever_waits(connected, link):
    """The settle after a batch is one probe when none of the batch's clicks has a
    sale waiting, however many other sales wait and however big the batch."""
    quiet = _queries(_batch(link, 50))
    for number in range(30):  # sales waiting for other clicks
        sell(connected, go(link, address=f"192.0.2.{number}"), order_id=f"W-{number}")
    tracking_runtime().click_buffer.pending.clear()
    assert _queries(_batch(link, 500, start=100)) == quiet
    # The probe is what the commit added: without the settle, one query fewer.
    with (
        mock.patch(
            "affiliates.commissions.services.conversions.conversions_click_settle"
        ),
        CaptureQueriesContext(connection) as captured,
    ):
        clicks_store_settling(clicks=_batch(link, 50, start=200))
    assert len(captured.captured_queries) == quiet - 1


# -- PostgreSQL: the postback and the click writer at the same moment ------------------


def _in_thread(function, errors: list):
    def run():
        try:
            function()
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@on_postgresql
@committed
def test_postbacks_racing_their_clicks_rows_always_end_as_if_the_row_came_first(
    connected, link
):
    """Many rounds of a bot's click written by the click writer while its sale is
    posted, started together: every sale ends held for the bot, none waits."""
    rounds = 12
    for number in range(rounds):
        click_id = go(link, user_agent=GOOGLEBOT, address=f"198.51.100.{number}")
        batch = list(tracking_runtime().click_buffer.pending)
        tracking_runtime().click_buffer.pending.clear()
        start, errors = threading.Barrier(2), []

        def write(batch=batch, start=start):
            start.wait()
            clicks_store_settling(clicks=batch)

        def report(click_id=click_id, start=start, number=number):
            start.wait()
            sell(connected, click_id, order_id=f"RACE-{number}")

        threads = [_in_thread(write, errors), _in_thread(report, errors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
    conversions = Conversion.objects.filter(order_id__startswith="RACE-")
    assert conversions.count() == rounds
    assert set(conversions.values_list("review", "hold_reason")) == {
        (ReviewState.HELD, HoldReason.BOT)
    }


@on_postgresql
@committed
def test_a_long_ledger_writer_neither_deadlocks_nor_holds_back_the_clicks(
    connected, link
):
    """A ledger writer (a payout run, say) holds the ledger lock. Meanwhile the
    click writer writes a batch with the click of a sale that waits for it (its
    settle needs the ledger lock) and with a bot's click whose sale is being posted
    (the postback needs the ledger lock, then the click writer's): no deadlock
    (PostgreSQL would raise one), the clicks are committed without waiting for the
    ledger, and once the ledger is free both sales end as if the rows came first."""
    waiting = sell(connected, go(link, address="192.0.2.50"), order_id="WAITING")
    bot = go(link, user_agent=GOOGLEBOT)
    batch = list(tracking_runtime().click_buffer.pending)
    tracking_runtime().click_buffer.pending.clear()
    holding, release, errors = threading.Event(), threading.Event(), []

    def ledger_writer():
        with transaction.atomic():
            ledger_lock()
            holding.set()
            release.wait(20)

    holder = _in_thread(ledger_writer, errors)
    holder.start()
    assert holding.wait(10)
    reporter = _in_thread(lambda: sell(connected, bot, order_id="BOT"), errors)
    writer = _in_thread(lambda: clicks_store_settling(clicks=batch), errors)
    reporter.start()
    writer.start()

    def written():
        return Click.objects.filter(pk__in=[waiting.click_id, bot]).count() == 2

    deadline = timezone.now() + datetime.timedelta(seconds=15)
    while not written() and timezone.now() < deadline:
        threading.Event().wait(0.05)
    assert written()  # committed while the ledger is still held
    assert writer.is_alive()  # its settle waits for the ledger
    release.set()
    for thread in (holder, reporter, writer):
        thread.join(30)
    assert not errors, errors
    assert outcome(waiting)[:2] == (ReviewState.NONE, "")
    assert outcome(Conversion.objects.get(order_id="BOT"))[:2] == (
        ReviewState.HELD,
        HoldReason.BOT,
    )


@on_postgresql
@committed
def test_two_settles_at_once_release_a_sale_once(connected, link):
    conversion = sell(connected, go(link))
    batch = list(tracking_runtime().click_buffer.pending)
    tracking_runtime().click_buffer.pending.clear()
    with mock.patch(
        "affiliates.commissions.services.conversions.conversions_click_settle"
    ):
        clicks_store_settling(clicks=batch)
    start, errors, counts = threading.Barrier(3), [], []

    def settle(**arguments):
        start.wait()
        counts.append(conversions_click_settle(**arguments))

    threads = [
        _in_thread(settle, errors),
        _in_thread(lambda: settle(click_ids=[conversion.click_id]), errors),
        _in_thread(settle, errors),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert sorted(counts) == [0, 0, 1]
    releases = LedgerEntry.objects.filter(conversion=conversion, kind=EntryKind.RELEASE)
    items = LedgerEntry.objects.filter(conversion=conversion, origin__isnull=True)
    assert releases.count() == 2 * items.count()


@on_postgresql
@committed
def test_a_readers_clicks_written_by_two_writers_at_once_bill_the_first(
    connected, link, in_the_past_hour
):
    """Many rounds of a reader's two clicks of one hour, each in another writer's
    batch, both writers and the sale through the later click started together:
    every round ends with the first click billable, the later a duplicate and its
    sale held as one, whichever writer went first."""
    rounds = 10
    for number in range(rounds):
        visitor = f"race-{number}"
        earlier = a_click(link, at=in_the_past_hour(10), visitor=visitor)
        later = a_click(link, at=in_the_past_hour(40), visitor=visitor)
        start, errors = threading.Barrier(3), []

        def write(click, start=start):
            start.wait()
            clicks_store_settling(clicks=[click])

        def report(click_id=later.click_id, start=start, number=number):
            start.wait()
            sell(connected, click_id, order_id=f"DUP-RACE-{number}")

        threads = [
            _in_thread(lambda click=earlier: write(click), errors),
            _in_thread(lambda click=later: write(click), errors),
            _in_thread(report, errors),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        flags = dict(
            Click.objects.filter(visitor_hash=visitor).values_list("pk", "is_billable")
        )
        assert flags == {earlier.click_id: True, later.click_id: False}
    conversions = Conversion.objects.filter(order_id__startswith="DUP-RACE-")
    assert conversions.count() == rounds
    assert set(conversions.values_list("review", "hold_reason")) == {
        (ReviewState.HELD, HoldReason.DUPLICATE)
    }
    assert not ClickDemotion.objects.exists()
