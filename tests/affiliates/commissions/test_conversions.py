"""A sale's outcome never depends on whether the merchant reported it before or after
the click's row was written (affiliates.commissions.services.conversions): the hold, the reason
and the commission are the same in both orders. Clicks come through the real
redirect; sales through the signed postback endpoint."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from affiliates.commissions.selectors import ledger_balances
from affiliates.commissions.services.conversions import conversions_click_settle
from affiliates.commissions.services.ledger import items_current
from affiliates.models import (
    Click,
    Conversion,
    EntryStatus,
    HoldReason,
    ReviewState,
    UnattributedReason,
)
from affiliates.tasks import settle_awaiting_conversions
from products.locks import CLICK_WRITER, advisory_lock_hold
from tests.affiliates.conftest import flush, out_of_stock, postback, sale
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
ORDERS = ["click row first", "sale first"]


def go(link, *, user_agent=BROWSER, address="203.0.113.77", method="get") -> str:
    """A visit to the tracked link: the click id the merchant receives."""
    response = getattr(Client(), method)(
        f"/go/{link.code}", headers={"User-Agent": user_agent}, REMOTE_ADDR=address
    )
    assert response.status_code == 302
    return response["Location"].rsplit("subid=", 1)[1]


def sell(merchant, click_id, order_id="ORDER-1") -> Conversion:
    response = postback(Client(), merchant, sale(click_id=click_id, order_id=order_id))
    assert response.status_code == 200, response.content
    return Conversion.objects.get(pk=response.json()["conversion_id"])


def outcome(conversion: Conversion) -> tuple:
    """Everything a sale came to: hold, reason, commission and where each creator's
    money is (by status), and the platform's."""
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


def in_order(order, *, click, merchant) -> Conversion:
    """The click (already made, its row not written) and its sale, in ``order``."""
    if order == "click row first":
        flush()
        return sell(merchant, click)
    conversion = sell(merchant, click)
    assert conversion.review == ReviewState.HELD
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK
    assert {item.status for item in items_current(conversion=conversion)} == {
        EntryStatus.HELD
    }
    flush()  # the writer decides the waiting sale as soon as the row is written
    return conversion


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize(
    ("visit", "reason"),
    [
        ({"user_agent": GOOGLEBOT}, HoldReason.BOT),
        ({"method": "head"}, HoldReason.BOT),
        ({}, ""),
    ],
    ids=["googlebot", "head", "reader"],
)
def test_a_fast_merchant_changes_no_hold(connected, link, order, visit, reason):
    conversion = in_order(order, click=go(link, **visit), merchant=connected)
    review, hold_reason, commission, items = outcome(conversion)
    assert (review, hold_reason) == (
        (ReviewState.HELD, reason) if reason else (ReviewState.NONE, "")
    )
    assert commission == Decimal("80.00")  # 8 % of 1000.00
    statuses = {status for _kind, status, _amount in items}
    assert statuses == {EntryStatus.HELD if reason else EntryStatus.PENDING}


@pytest.mark.parametrize("order", ORDERS)
def test_a_duplicate_clicks_sale_is_held_in_either_order(connected, link, order):
    go(link)
    flush()  # the reader's first click, billable
    conversion = in_order(order, click=go(link), merchant=connected)
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.DUPLICATE)


def test_both_orders_come_to_the_same_thing(connected, link, creator):
    """The same three sales (a bot's, a duplicate's, a reader's), reported before
    and after their clicks' rows: the same outcomes and the same balances."""
    outcomes, balances = {}, {}
    for round_, order in enumerate(ORDERS):
        address = f"198.51.100.{round_ + 1}"
        go(link, address=address)
        flush()
        clicks = {
            "bot": go(link, user_agent=GOOGLEBOT, address=address),
            "duplicate": go(link, address=address),
            "reader": go(link, address=f"192.0.2.{round_ + 1}"),
        }
        outcomes[order] = {}
        for name, click in clicks.items():
            if order == "click row first":
                flush()
            outcomes[order][name] = outcome(
                sell(connected, click, order_id=f"{name}-{round_}")
            )
        flush()
        for name in clicks:
            conversion = Conversion.objects.get(order_id=f"{name}-{round_}")
            outcomes[order][name] = outcome(conversion)
        balances[order] = ledger_balances(creator=creator)
    assert outcomes["click row first"] == outcomes["sale first"]
    first, second = balances.values()
    assert [(row["status"], row["amount"]) for row in second] == [
        (row["status"], row["amount"] * 2) for row in first
    ]


@pytest.mark.parametrize("order", ORDERS)
def test_a_fallback_offers_rate_is_paid_in_either_order(
    connected, link, headphones, order
):
    """The link's offer is out of stock; the reader goes to another of the shop's
    offers, at 12 % instead of 10 %: the click id says so, whatever the timing."""
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
    conversion = in_order(order, click=go(link), merchant=connected)
    conversion.refresh_from_db()
    assert conversion.offer_id == fallback.pk
    assert conversion.commission_rate == Decimal("12.00")
    assert conversion.commission == Decimal("120.00")


def test_a_click_row_that_never_comes_releases_the_sale_after_a_day(connected, link):
    """A click lost before it was written (a crash) cannot hold its sale forever:
    the periodic settle releases it once the click is a day old."""
    conversion = sell(connected, go(link))
    from affiliates.tracking.runtime import tracking_runtime

    tracking_runtime().click_buffer.pending.clear()  # the process died with the click in its buffer
    settle_awaiting_conversions.call()
    conversion.refresh_from_db()
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK  # still waiting
    Conversion.objects.filter(pk=conversion.pk).update(
        clicked_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    assert settle_awaiting_conversions.call() == 1
    assert outcome(conversion)[:2] == (ReviewState.NONE, "")
    assert {item.status for item in items_current(conversion=conversion)} == {
        EntryStatus.PENDING
    }


def test_an_old_click_without_a_row_is_decided_at_once(connected, link):
    from affiliates.tracking.clickids import click_id_make

    day_old = timezone.now() - datetime.timedelta(days=1, minutes=1)
    click = click_id_make(link_id=link.pk, clicked_at=day_old, offer_id=link.offer_id)
    conversion = sell(connected, click)
    assert (conversion.review, conversion.hold_reason) == (ReviewState.NONE, "")


def test_the_periodic_settle_decides_what_the_writer_missed(connected, link):
    """The row was written, but deciding right after failed: the periodic settle
    finds the waiting sale and decides it from the row."""
    conversion = sell(connected, go(link, user_agent=GOOGLEBOT))
    from affiliates.commissions.services.conversions import clicks_store_settling
    from affiliates.tracking.runtime import tracking_runtime

    clicks = list(tracking_runtime().click_buffer.pending)
    tracking_runtime().click_buffer.pending.clear()
    from django.db import DatabaseError

    def settle_fails(execute, sql, params, many, context):
        if Conversion._meta.db_table in sql:
            raise DatabaseError("lost connection")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(settle_fails):
        clicks_store_settling(
            clicks=clicks
        )  # writes the click; the settle fails, logged
    assert Click.objects.count() == 1
    conversion.refresh_from_db()
    assert conversion.hold_reason == HoldReason.AWAITING_CLICK
    assert settle_awaiting_conversions.call() == 1
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.BOT)


def test_an_editor_cannot_decide_a_sale_before_its_click_is_known(
    connected, link, editor
):
    """Released now, a bot's sale would escape the hold a slower merchant's report
    would get: the click's row decides first."""
    from affiliates.commissions.services.conversions import conversion_review
    from affiliates.commissions.services.ledger import LedgerError

    conversion = sell(connected, go(link, user_agent=GOOGLEBOT))
    with pytest.raises(LedgerError, match="waits for its click"):
        conversion_review(conversion=conversion, approve=True, user=editor)
    flush()
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.BOT)
    conversion_review(conversion=conversion, approve=True, user=editor)
    conversion.refresh_from_db()
    assert conversion.review == ReviewState.RELEASED
    assert conversions_click_settle() == 0


def test_a_refund_before_the_click_row_ends_as_if_the_row_came_first(connected, link):
    click = go(link)
    conversion = sell(connected, click)
    response = postback(Client(), connected, sale(click_id=click, status="refunded"))
    assert response.status_code == 200
    flush()
    review, reason, _commission, items = outcome(conversion)
    assert (review, reason, items) == (ReviewState.NONE, "", [])


# -- Click ids are read exactly as written ----------------------------------------------


def _respelled(click_id: str) -> str:
    return click_id.replace("-", "+").replace("_", "/")


def test_a_click_id_spelled_with_plus_or_slash_is_not_attributed(connected, link):
    """Standard base64's + and / decode to the same bytes as - and _: such an id
    would pass the signature and escape its click's hold. It is not ours."""
    for _attempt in range(200):
        click = go(link, user_agent=GOOGLEBOT)
        if "-" in click or "_" in click:
            break
    flush()
    respelled = _respelled(click)
    assert respelled != click
    conversion = sell(connected, respelled)
    assert conversion.author is None
    assert conversion.unattributed_reason == UnattributedReason.INVALID_CLICK_ID
    assert conversion.review == ReviewState.NONE  # nobody earns: nothing to hold


# -- The click writer and a sale at the same moment (PostgreSQL) ------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sale_during_its_clicks_batch_waits_for_the_batch(connected, link):
    """The writer has inserted the bot's click and not committed yet when the sale
    arrives: the sale waits for the batch (the click writers' lock) and is held for
    the bot at once, not left waiting for a row that is already there."""
    from affiliates.commissions.services.conversions import clicks_store_settling
    from affiliates.tracking.runtime import tracking_runtime

    click = go(link, user_agent=GOOGLEBOT)
    clicks = list(tracking_runtime().click_buffer.pending)
    tracking_runtime().click_buffer.pending.clear()
    inserted, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                advisory_lock_hold(lock=CLICK_WRITER)
                Click.objects.create(
                    click_id=click,
                    link=link,
                    clicked_at=clicks[0].clicked_at,
                    user_agent=GOOGLEBOT,
                    is_bot=True,
                    is_billable=False,
                )
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert inserted.wait(10)
    threading.Timer(0.5, release.set).start()
    conversion = sell(connected, click)
    thread.join()
    # Held for the bot: it waited for the batch (without, it would await the row).
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.BOT)
    clicks_store_settling(clicks=clicks)  # the batch again (a retry): nothing changes
    assert outcome(conversion)[:2] == (ReviewState.HELD, HoldReason.BOT)
