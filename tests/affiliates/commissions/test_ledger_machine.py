"""The ledger under random sequences of everything that can happen to it.

Clicks on the links of a referral chain, postbacks (new orders, repeats, later
statuses, refunds that arrive before their sale), time passing and approval, payout
runs and their outcomes, reviews of held conversions, adjustments and changes of the
settings. After every step the money must still add up.

Each example runs inside a savepoint that is rolled back when it ends: the ledger
refuses DELETE, so a rollback is the only way to start the next example afresh.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.selectors import ledger_balances
from affiliates.commissions.services.conversions import (
    CLICK_ROW_WAIT,
    conversion_ingest,
    conversion_review,
    conversions_click_settle,
)
from affiliates.commissions.services.ledger import (
    LedgerError,
    commissions_approve,
    items_current,
    ledger_adjust,
)
from affiliates.commissions.services.payouts import payout_decide, payout_run_create
from affiliates.models import (
    Click,
    ClickDemotion,
    CommissionSettings,
    Conversion,
    ConversionSource,
    ConversionStatus,
    CreatorKind,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    HoldReason,
    LedgerEntry,
    Payout,
    PayoutStatus,
    ReviewState,
    SelfPurchasePolicy,
    TrackedLink,
)
from affiliates.models.money import EARNING_KINDS
from affiliates.tracking.clickids import click_id_make
from products.currencies import currency_minor_units
from tests.factories import (
    CreatorProfileFactory,
    EditorFactory,
    MerchantFactory,
    TrackedLinkFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
FORGED_CLICK_ID = "A" * 32
STATUSES = [status.value for status in ConversionStatus]
SALE_STATUSES = (ConversionStatus.PENDING, ConversionStatus.APPROVED)
FINAL_STATUSES = (ConversionStatus.REFUNDED, ConversionStatus.CANCELLED)
# Most clicks are clean (their row not written yet, or written); some are not.
CLICK_FLAGS = [None, "clean"] * 3 + ["is_bot", "is_duplicate", "is_preview"]
SELF_BUYER = "self-buyer"
SETTINGS_CHOICES = {
    "kol_author_share": [Decimal("80"), Decimal("70")],
    "override_level_1": [Decimal("10"), Decimal("0"), Decimal("12.5")],
    "override_level_2": [Decimal("5"), Decimal("3")],
    "self_purchase_policy": list(SelfPurchasePolicy),
    "payout_minimums": ["CNY 100\nUSD 10", "CNY 20\nJPY 500"],
}


def unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_minor_units(currency))


@dataclass(frozen=True)
class World:
    """What every example starts from: merchants, a referral chain and its links."""

    merchants: list
    creators: list[CreatorProfile]
    links: list[TrackedLink]
    editor: object


@pytest.fixture
def world(db):
    shop = MerchantFactory(
        currency="CNY",
        default_commission_rate=Decimal("8"),
        attribution_window_days=30,
        hold_period_days=10,
    )
    tokyo = MerchantFactory(
        currency="JPY",
        default_commission_rate=Decimal("5"),
        attribution_window_days=7,
        hold_period_days=3,
    )
    # top ← level_2 ← level_1 ← kol ← member: a sale through the KOL's link earns
    # level_1 and level_2 but never top; through the member's, kol and level_1.
    top = CreatorProfileFactory(public_name="Top")
    level_2 = CreatorProfileFactory(public_name="Level 2", referred_by=top)
    level_1 = CreatorProfileFactory(public_name="Level 1", referred_by=level_2)
    kol = CreatorProfileFactory(
        public_name="KOL",
        kind=CreatorKind.KOL,
        referred_by=level_1,
        customer_refs=SELF_BUYER,
    )
    member = CreatorProfileFactory(public_name="Member", referred_by=kol)
    solo = CreatorProfileFactory(
        public_name="Solo", author_share=Decimal("70"), customer_refs=SELF_BUYER
    )
    links = [
        TrackedLinkFactory(
            author=kol, offer__merchant=shop, offer__commission_rate=Decimal("12.5")
        ),
        TrackedLinkFactory(author=member, offer__merchant=shop),
        TrackedLinkFactory(author=member, offer__merchant=shop, is_preview=True),
        TrackedLinkFactory(author=kol, offer__merchant=tokyo),
        TrackedLinkFactory(author=solo, offer__merchant=tokyo),
        TrackedLinkFactory(author=level_1, offer__merchant=shop),
    ]
    return World(
        merchants=[shop, tokyo],
        creators=[top, level_2, level_1, kol, member, solo],
        links=links,
        editor=EditorFactory(),
    )


class LedgerMachine(RuleBasedStateMachine):
    """Five rules, each making its own choices: Hypothesis turns a random subset of
    rules off in each example (swarm testing), and with a dozen small rules the long
    paths (sale, approval, payout, paid, refund) were seldom all switched on."""

    def __init__(self, world: World):
        super().__init__()
        self.world = world
        self.now = START
        self.clicks: dict[str, tuple[TrackedLink, datetime.datetime, str | None]] = {}
        self.orders: list[dict] = []
        self.entries_seen: dict[int, tuple] = {}
        self.terms_seen: dict[int, tuple] = {}
        self.approved_as_of: datetime.datetime | None = None
        # Last, so that nothing can fail between entering the savepoint and the
        # teardown that rolls it back.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # -- Rules ------------------------------------------------------------------------

    @initialize(
        data=st.data(),
        orders=st.integers(0, 4),
        payouts=st.sampled_from(["none", "open", "paid"]),
    )
    def history(self, data, orders, payouts):
        """Sales through clean clicks a month ago, approved by now, perhaps in a payout
        or paid: a warm start, so that an example's few steps reach refunds of
        approved and paid money and the outcomes of payouts."""
        self.now = START - datetime.timedelta(days=31)
        for _order in range(orders):
            self._order(data, click="clean", first_status="pending")
        self.now = START
        self._approve()
        if payouts != "none" and self._payouts_due():
            self._payout_run()
            if payouts == "paid":
                for payout in Payout.objects.filter(status=PayoutStatus.OPEN):
                    payout_decide(payout=payout, paid=True)

    @rule(data=st.data())
    def order(self, data):
        """A new order, reported first as a sale or, sometimes, as its refund; its
        click is a fresh one (row written, flagged, or never written), an earlier
        one, none, or forged."""
        self._order(
            data,
            click=data.draw(
                st.sampled_from(["fresh"] * 4 + ["earlier", "none", "forged"]),
                label="click",
            ),
            first_status=data.draw(
                st.sampled_from(["pending", "approved", "refunded"]),
                label="first status",
            ),
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), status=st.sampled_from(STATUSES))
    def report(self, data, status):
        """Another report of a known order: a later status, the sale after its
        refund, an earlier status arriving late, or a repeat that changes nothing.
        Refunds favour orders whose creators' money has been approved (and perhaps
        paid), where the ledger must take it back or carry a debt."""
        candidates = self.orders
        if status in FINAL_STATUSES and data.draw(st.booleans(), label="earned"):
            candidates = self._orders_with_approved_money() or candidates
        order = data.draw(st.sampled_from(candidates), label="order")
        repeated = status in order["reported"]
        written = LedgerEntry.objects.count()
        final = status in FINAL_STATUSES and not repeated
        before = self._money_status(order) if final else ""
        result = self._report(order, status)
        assert result.changed is not repeated
        assert not result.created
        if repeated:
            assert LedgerEntry.objects.count() == written
        elif final:
            event(f"{status} while the money is {before}")

    @rule(hours=st.integers(1, 24 * 20), approve=st.booleans())
    def time_passes(self, hours, approve):
        """Time passes, and the daily approval may run."""
        self.now += hours * HOUR
        if approve:
            self._approve()

    @precondition(
        lambda self: any(flag is None for _link, _at, flag in self.clicks.values())
    )
    @rule(data=st.data())
    def click_row_lands(self, data):
        """A click's row is written after its sales arrived: each sale still
        waiting for it is held or released as if the row had come first."""
        unwritten = [key for key, click in self.clicks.items() if click[2] is None]
        click_id = data.draw(st.sampled_from(unwritten), label="late click")
        tracked, at, _flag = self.clicks[click_id]
        flag = data.draw(
            st.sampled_from([flag for flag in CLICK_FLAGS if flag]), label="late row"
        )
        Click.objects.create(
            click_id=click_id,
            link=tracked,
            clicked_at=at,
            destination_offer_id=tracked.offer_id,
            **({flag: True} if flag != "clean" else {}),
        )
        self.clicks[click_id] = (tracked, at, flag)
        waiting = {
            conversion.pk: self._held_for(conversion, flag)
            for conversion in Conversion.objects.filter(
                click_id=click_id, hold_reason=HoldReason.AWAITING_CLICK
            ).select_related("link__author")
            if conversion.review == ReviewState.HELD
        }

        def earned(pk):  # the items of a sale: what it earned, not where it is
            return sorted(
                LedgerEntry.objects.filter(
                    conversion_id=pk, origin__isnull=True
                ).values_list("kind", "amount")
            )

        before = {pk: earned(pk) for pk in waiting}
        assert conversions_click_settle(click_ids=[click_id]) == len(waiting)
        for pk, held in waiting.items():
            conversion = Conversion.objects.get(pk=pk)
            assert (conversion.review == ReviewState.HELD) is held
            assert conversion.hold_reason != HoldReason.AWAITING_CLICK
            statuses = {item.status for item in items_current(conversion_id=pk)}
            if held:
                assert statuses <= {EntryStatus.HELD}
            else:
                assert conversion.review == ReviewState.NONE
                assert EntryStatus.HELD not in statuses
            assert earned(pk) == before[pk]  # only moved, never changed
        event(f"late click row ({len(waiting)} waiting)")

    @precondition(
        lambda self: any(flag == "clean" for _link, _at, flag in self.clicks.values())
    )
    @rule(data=st.data())
    def earlier_click_lands(self, data):
        """The reader's earlier click of the same hour is written after a clean
        click's row (another process's batch): the clean click becomes a duplicate
        (clicks_store does this part), and each attributed sale through it that is
        not held is held again as one, as if the clicks had come in order, unless
        its money has moved past pending; a sale an editor decided stays so."""
        clean = [key for key, click in self.clicks.items() if click[2] == "clean"]
        click_id = data.draw(st.sampled_from(clean), label="demoted click")
        tracked, at, _flag = self.clicks[click_id]

        def state(conversion):
            return (
                conversion.review,
                conversion.hold_reason,
                {
                    item.entry.pk: item.status
                    for item in items_current(conversion=conversion)
                },
            )

        conversions = list(Conversion.objects.filter(click_id=click_id))
        before = {conversion.pk: state(conversion) for conversion in conversions}
        held_again = {
            conversion.pk
            for conversion in conversions
            if conversion.link_id is not None
            and conversion.review == ReviewState.NONE
            and set(before[conversion.pk][2].values()) <= {EntryStatus.PENDING}
        }
        with transaction.atomic():
            Click.objects.filter(pk=click_id).update(
                is_duplicate=True, is_billable=False
            )
            ClickDemotion.objects.create(click_id=click_id)
        assert conversions_click_settle(click_ids=[], demoted=[click_id]) == len(
            held_again
        )
        for conversion in conversions:
            conversion.refresh_from_db()
            review, reason, items = before[conversion.pk]
            if conversion.pk in held_again:
                assert state(conversion) == (
                    ReviewState.HELD,
                    HoldReason.DUPLICATE,
                    dict.fromkeys(items, EntryStatus.HELD),
                )
            else:
                assert state(conversion) == (review, reason, items)
        assert not ClickDemotion.objects.exists()
        self.clicks[click_id] = (tracked, at, "is_duplicate")
        event(f"earlier click lands ({len(held_again)} of {len(conversions)} held)")

    @rule(data=st.data())
    def payout_office(self, data):
        """A payout run, or the bank's answer on an open payout: paid or failed."""
        open_payouts = list(Payout.objects.filter(status=PayoutStatus.OPEN))
        action = data.draw(
            st.sampled_from(["run", "paid", "failed"] if open_payouts else ["run"]),
            label="action",
        )
        if action == "run":
            self._payout_run()
            return
        payout = data.draw(st.sampled_from(open_payouts), label="payout")
        paid = action == "paid"
        decided = payout_decide(payout=payout, paid=paid, user=self.world.editor)
        assert decided.status == (PayoutStatus.PAID if paid else PayoutStatus.FAILED)
        with pytest.raises(LedgerError):
            payout_decide(payout=payout, paid=paid)
        event(f"payout {action}")

    @rule(data=st.data())
    def editor(self, data):
        """An editor reviews a held conversion, adjusts a balance, or changes the
        settings (which apply to later sales only)."""
        held = list(Conversion.objects.filter(review=ReviewState.HELD))
        action = data.draw(
            st.sampled_from(["review"] * bool(held) + ["adjust", "settings"]),
            label="action",
        )
        if action == "review":
            conversion = data.draw(st.sampled_from(held), label="conversion")
            approve = data.draw(st.booleans(), label="approve")
            if conversion.hold_reason == HoldReason.AWAITING_CLICK:
                # Not before its click's row decides (conversion_review says why).
                with pytest.raises(LedgerError):
                    conversion_review(conversion=conversion, approve=approve, user=None)
                event("review refused: waiting for its click")
            else:
                self._review(conversion, approve=approve)
        elif action == "adjust":
            currency = data.draw(st.sampled_from(["CNY", "JPY"]), label="currency")
            units = data.draw(st.integers(-5_000, 20_000).filter(bool), label="units")
            ledger_adjust(
                creator=data.draw(st.sampled_from(self.world.creators), label="who"),
                amount=Decimal(units).scaleb(-currency_minor_units(currency)),
                currency=currency,
                note="Machine adjustment",
                user=self.world.editor,
            )
        else:
            commission_settings = CommissionSettings.load()
            for field, choices in SETTINGS_CHOICES.items():
                setattr(commission_settings, field, data.draw(st.sampled_from(choices)))
            commission_settings.full_clean()
            commission_settings.save()

    # -- Helpers ----------------------------------------------------------------------

    def _order(self, data, *, click: str, first_status: str) -> None:
        merchant = data.draw(st.sampled_from(self.world.merchants), label="merchant")
        currency = merchant.currency
        if click in ("fresh", "clean"):
            flag = "clean" if click == "clean" else None
            click_id = self._click(
                link=data.draw(st.integers(0, len(self.world.links) - 1), label="link"),
                flag=flag or data.draw(st.sampled_from(CLICK_FLAGS), label="click row"),
                at=self.now - data.draw(st.integers(0, 48), label="hours ago") * HOUR,
            )
        elif click == "earlier" and self.clicks:
            click_id = data.draw(st.sampled_from(list(self.clicks)), label="click id")
        else:
            click_id = FORGED_CLICK_ID if click == "forged" else ""
        units = data.draw(st.integers(0, 300_000), label="amount in minor units")
        stated = data.draw(st.none() | st.integers(0, units), label="commission")
        seconds_before_now = data.draw(st.sampled_from([0, 0, 1]), label="earlier")
        occurred_at = self.now - datetime.timedelta(seconds=seconds_before_now)
        places = currency_minor_units(currency)
        body = {
            "order_id": f"ORDER-{len(self.orders) + 1}",
            "click_id": click_id,
            "amount": str(Decimal(units).scaleb(-places)),
            "currency": currency,
            "occurred_at": occurred_at.isoformat(),
            "customer_ref": data.draw(st.sampled_from(["", SELF_BUYER, "stranger"])),
        }
        if stated is not None:
            body["commission"] = str(Decimal(stated).scaleb(-places))
        order = {"merchant": merchant, "body": body, "reported": set()}
        self.orders.append(order)
        result = self._report(order, first_status)
        assert result.created and result.changed
        order["conversion_id"] = result.conversion.pk
        self._check_attribution(order, result.conversion, occurred_at)

    def _approve(self) -> None:
        commissions_approve(now=self.now)
        self.approved_as_of = self.now
        left = items_current(
            status=EntryStatus.PENDING, conversion__hold_until__lte=self.now
        )
        assert left == []

    def _payouts_due(self) -> set[tuple]:
        """(creator, currency, amount) of everyone a run must pay now: an approved
        balance that reaches the minimum, and no open payout."""
        commission_settings = CommissionSettings.load()
        busy = set(
            Payout.objects.filter(status=PayoutStatus.OPEN).values_list(
                "creator_id", flat=True
            )
        )
        approved = defaultdict(Decimal)
        for entry in LedgerEntry.objects.filter(
            status=EntryStatus.APPROVED, creator__isnull=False
        ):
            approved[(entry.creator_id, entry.currency)] += entry.amount
        return {
            (creator_id, currency, balance)
            for (creator_id, currency), balance in approved.items()
            if creator_id not in busy
            and balance > 0
            and balance >= commission_settings.minimum_for(currency)
        }

    def _payout_run(self) -> None:
        """A run pays exactly those who are due, or refuses when nobody is."""
        due = self._payouts_due()
        if not due:
            with pytest.raises(LedgerError):
                payout_run_create(run_date=self.now.date())
            return
        run = payout_run_create(run_date=self.now.date(), user=self.world.editor)
        assert set(run.payouts.values_list("creator_id", "currency", "amount")) == due
        event("payout run")

    def _review(self, conversion: Conversion, *, approve: bool) -> None:
        conversion_review(
            conversion=conversion, approve=approve, user=self.world.editor
        )
        conversion.refresh_from_db()
        assert conversion.review == (
            ReviewState.RELEASED if approve else ReviewState.REJECTED
        )
        # Released money waits out the hold period like any other; rejected money
        # is gone.
        statuses = {item.status for item in items_current(conversion=conversion)}
        assert statuses <= ({EntryStatus.PENDING} if approve else set())
        with pytest.raises(LedgerError):
            conversion_review(conversion=conversion, approve=approve, user=None)
        event("review approved" if approve else "review rejected")

    def _click(self, *, link, flag, at) -> str:
        tracked = self.world.links[link]
        click_id = click_id_make(link_id=tracked.pk, clicked_at=at)
        if flag is not None:
            flags = {flag: True} if flag != "clean" else {}
            Click.objects.create(
                click_id=click_id,
                link=tracked,
                clicked_at=at,
                destination_offer_id=tracked.offer_id,
                **flags,
            )
        self.clicks[click_id] = (tracked, at, flag)
        return click_id

    def _report(self, order, status):
        body = {**order["body"], "status": status}
        result = conversion_ingest(
            merchant=order["merchant"],
            data=conversion_data_parse(body),
            source=ConversionSource.POSTBACK,
        )
        order["reported"].add(status)
        return result

    def _orders_with_approved_money(self) -> list[dict]:
        """Orders not refunded nor cancelled whose creators' commission has been
        approved (and may since be in a payout, or paid)."""
        approved = set(
            LedgerEntry.objects.filter(
                kind=EntryKind.APPROVAL,
                creator__isnull=False,
                conversion__status__in=SALE_STATUSES,
            ).values_list("conversion_id", flat=True)
        )
        return [order for order in self.orders if order["conversion_id"] in approved]

    def _money_status(self, order) -> str:
        """Where the author's share of the order is now, for the statistics."""
        statuses = {
            item.status
            for item in items_current(conversion_id=order["conversion_id"])
            if item.entry.kind == EntryKind.AUTHOR
        }
        return ",".join(sorted(statuses)) or "nobody's but the platform's"

    def _check_attribution(self, order, conversion, occurred_at):
        """The conversion is credited to the click's author exactly when the purchase
        falls in [click, click + window], and held for the right reasons."""
        clicked = self.clicks.get(order["body"]["click_id"])
        window = datetime.timedelta(days=order["merchant"].attribution_window_days)
        if clicked is None or not clicked[1] <= occurred_at <= clicked[1] + window:
            assert conversion.author is None
            event("unattributed")
            return
        link, _clicked_at, flag = clicked
        assert conversion.author_id == link.author_id
        self_purchase = (
            order["body"]["customer_ref"] in link.author.customer_ref_set()
            and CommissionSettings.load().self_purchase_policy
            == SelfPurchasePolicy.HOLD
        )
        suspicious = flag in ("is_bot", "is_duplicate", "is_preview")
        # A click whose row is not written yet (and could still be) holds its sale
        # until the row decides (click_row_lands).
        awaiting = (
            flag is None
            and clicked[1] > timezone.now() - CLICK_ROW_WAIT
            and not (link.is_preview or self_purchase)
        )
        held = suspicious or link.is_preview or self_purchase or awaiting
        assert (conversion.review == ReviewState.HELD) is held
        assert (conversion.hold_reason == HoldReason.AWAITING_CLICK) is awaiting
        event("attributed, held" if held else "attributed")

    def _held_for(self, conversion: Conversion, flag: str) -> bool:
        """Whether a sale through a click with ``flag`` is held for review."""
        link = conversion.link
        self_purchase = (
            conversion.customer_ref in link.author.customer_ref_set()
            and CommissionSettings.load().self_purchase_policy
            == SelfPurchasePolicy.HOLD
        )
        return flag in ("is_bot", "is_duplicate", "is_preview") or (
            link.is_preview or self_purchase
        )

    # -- Invariants -------------------------------------------------------------------

    @invariant()
    def ledger_adds_up(self):
        entries = list(LedgerEntry.objects.all())
        touched = {e.creator_id for e in entries if e.pk not in self.entries_seen}
        self._check_nothing_changed(entries)
        for entry in entries:
            assert entry.amount == entry.amount.quantize(unit(entry.currency))
        self._check_conversions(entries)
        self._check_items(entries)
        self._check_payouts(entries)
        self._check_balances(entries, touched)

    def _check_nothing_changed(self, entries):
        rows = {entry.pk: _row(entry) for entry in entries}
        for pk, seen in self.entries_seen.items():
            assert rows.get(pk) == seen, f"entry {pk} changed or vanished"
        self.entries_seen = rows

    def _check_conversions(self, entries):
        by_conversion = defaultdict(list)
        for entry in entries:
            by_conversion[entry.conversion_id].append(entry)
        for conversion in Conversion.objects.select_related(
            "author__referred_by__referred_by"
        ):
            mine = by_conversion[conversion.pk]
            if not conversion.sale_recorded:
                assert mine == []
                continue
            earning = [
                e for e in mine if e.origin_id is None and e.kind in EARNING_KINDS
            ]
            assert sum(e.amount for e in earning) == conversion.commission
            total = sum((e.amount for e in mine), Decimal(0))
            if (
                conversion.status in FINAL_STATUSES
                or conversion.review == ReviewState.REJECTED
            ):
                assert total == 0
            else:
                assert total == conversion.commission
            self._check_earners(conversion, earning)
            # The terms a sale was computed with never change afterwards.
            terms = (
                conversion.commission,
                conversion.author_share,
                conversion.override_1_share,
                conversion.override_2_share,
                conversion.author_id,
                conversion.hold_until,
            )
            assert self.terms_seen.setdefault(conversion.pk, terms) == terms

    @staticmethod
    def _check_earners(conversion, earning):
        """Author, level 1 and level 2 at most: nobody above the author's referrer's
        referrer earns an override."""
        author = conversion.author
        level_1 = author.referred_by if author else None
        level_2 = level_1.referred_by if level_1 else None
        expected = {
            EntryKind.AUTHOR: author,
            EntryKind.OVERRIDE_1: level_1,
            EntryKind.OVERRIDE_2: level_2,
            EntryKind.PLATFORM: None,
        }
        kinds = [entry.kind for entry in earning]
        assert len(kinds) == len(set(kinds))
        for entry in earning:
            earner = expected[entry.kind]
            if entry.kind != EntryKind.PLATFORM:
                assert earner is not None, f"{entry.kind} without such an upline"
            assert entry.creator_id == (earner.pk if earner else None)
            assert entry.amount > 0

    def _check_items(self, entries):
        conversions = {
            pk: (hold_until, review)
            for pk, hold_until, review in Conversion.objects.values_list(
                "pk", "hold_until", "review"
            )
        }
        by_item = defaultdict(list)
        for entry in entries:
            by_item[entry.origin_id or entry.pk].append(entry)
        reversals = defaultdict(int)
        for item_id, item_entries in by_item.items():
            item = item_entries[0]
            assert item.pk == item_id and item.origin_id is None
            where = defaultdict(Decimal)
            for entry in item_entries:
                where[entry.status] += entry.amount
                if entry.reverses_id:
                    reversals[entry.reverses_id] += 1
            somewhere = {status for status, total in where.items() if total}
            assert len(somewhere) <= 1, (item_id, dict(where))
            assert sum(where.values()) in (0, item.amount)
            # Nothing leaves "paid": an item is paid once or never.
            paid = [entry for entry in item_entries if entry.status == EntryStatus.PAID]
            assert len(paid) <= 1
            assert all(entry.amount == item.amount for entry in paid)
            if item.creator_id is None:
                assert not somewhere & {EntryStatus.PROCESSING, EntryStatus.PAID}
            if item.kind in EARNING_KINDS:
                self._check_earning_state(
                    item, somewhere, *conversions[item.conversion_id]
                )
        for item_id, count in reversals.items():
            assert count == 1, f"item {item_id} reversed {count} times"
            assert by_item[item_id][0].kind in EARNING_KINDS

    def _check_earning_state(self, item, somewhere, hold_until, review):
        """Held money stays held until an editor decides; nothing is approved before
        the merchant's hold period ends, whatever status the merchant reported."""
        if review == ReviewState.HELD:
            assert somewhere <= {EntryStatus.HELD}, (item.pk, somewhere)
        else:
            assert EntryStatus.HELD not in somewhere, (item.pk, review)
        if somewhere & {EntryStatus.APPROVED, EntryStatus.PROCESSING, EntryStatus.PAID}:
            assert self.approved_as_of is not None
            assert hold_until <= self.approved_as_of, (item.pk, hold_until)

    @staticmethod
    def _check_payouts(entries):
        processing = defaultdict(Decimal)
        in_payout = defaultdict(Decimal)
        for entry in entries:
            if entry.status == EntryStatus.PROCESSING:
                processing[(entry.creator_id, entry.currency)] += entry.amount
            if entry.payout_id:
                in_payout[(entry.payout_id, entry.status)] += entry.amount
        open_runs = defaultdict(set)
        open_total = defaultdict(Decimal)
        for payout in Payout.objects.all():
            assert payout.amount > 0
            assert payout.amount == payout.amount.quantize(unit(payout.currency))
            in_it = (
                in_payout[(payout.pk, EntryStatus.PROCESSING)],
                in_payout[(payout.pk, EntryStatus.PAID)],
            )
            if payout.status == PayoutStatus.OPEN:
                assert in_it == (payout.amount, 0)
                open_runs[payout.creator_id].add(payout.run_id)
                open_total[(payout.creator_id, payout.currency)] += payout.amount
            elif payout.status == PayoutStatus.PAID:
                assert in_it == (0, payout.amount)
            else:
                assert in_it == (0, 0)
        # A creator is never in two open runs, and only open payouts hold money.
        assert all(len(runs) == 1 for runs in open_runs.values())
        assert {key: total for key, total in processing.items() if total} == open_total

    def _check_balances(self, entries, touched):
        # Only a new entry changes a balance: check the creators who have one.
        for creator in self.world.creators:
            if creator.pk not in touched:
                continue
            expected = defaultdict(Decimal)
            for entry in entries:
                if entry.creator_id == creator.pk:
                    expected[(entry.currency, entry.status)] += entry.amount
            expected = {key: amount for key, amount in expected.items() if amount}
            assert _selector_balances(creator) == expected


def _row(entry: LedgerEntry) -> tuple:
    return tuple(
        getattr(entry, field.attname) for field in LedgerEntry._meta.concrete_fields
    )


def _selector_balances(creator) -> dict[tuple[str, str], Decimal]:
    return {
        (row["currency"], row["status"]): row["amount"]
        for row in ledger_balances(creator=creator)
    }


@pytest.mark.slow
def test_the_ledger_keeps_its_invariants(world):
    run_state_machine_as_test(
        lambda: LedgerMachine(world),
        settings=settings(max_examples=25, stateful_step_count=20, deadline=None),
    )
