"""Conversions in: attribution through the signed click id, commission, and the
ledger entries each reported status makes."""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.commissions.postbacks import (
    ConversionData,
    ReportFieldError,
    conversion_data_parse,
)
from affiliates.commissions.services.ledger import (
    LedgerError,
    conversion_items_reverse,
    items_current,
    items_move,
    items_reverse,
    ledger_lock,
)
from affiliates.commissions.shares import HUNDRED, split_commission
from affiliates.models import (
    AttributedBy,
    Click,
    ClickDemotion,
    CommissionSettings,
    Conversion,
    ConversionReport,
    ConversionSource,
    ConversionStatus,
    CreatorKind,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    HoldReason,
    LedgerEntry,
    MerchantConnection,
    NetworkConnection,
    ReviewState,
    SelfPurchasePolicy,
    TrackedLink,
    TrackingId,
    UnattributedReason,
)
from affiliates.tracking.clickids import InvalidClickId, click_id_parse
from affiliates.tracking.clicks import PendingClick
from affiliates.tracking.services import ClicksStored, clicks_store
from products.currencies import money_round
from products.locks import CLICK_WRITER, advisory_lock_hold
from products.models import Merchant, Offer
from products.money import money_str
from products.signing import signing_secret_new

logger = logging.getLogger(__name__)

SALE_STATUSES = (ConversionStatus.PENDING, ConversionStatus.APPROVED)
FINAL_STATUSES = (ConversionStatus.REFUNDED, ConversionStatus.CANCELLED)
_STAGE = {
    ConversionStatus.PENDING: 1,
    ConversionStatus.APPROVED: 2,
    ConversionStatus.REFUNDED: 3,
    ConversionStatus.CANCELLED: 3,
}


class ConversionConflict(Exception):
    """The same order and status were reported before with other figures."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class IngestResult:
    conversion: Conversion
    created: bool  # a new order
    changed: bool  # False when this exact report was already known


# -- Secrets --------------------------------------------------------------------------


def merchant_connection_ensure(
    *, merchant: Merchant, rotate: bool = False
) -> MerchantConnection:
    """The merchant's connection, with a postback secret (a new one if ``rotate``)."""
    with transaction.atomic():
        connection, created = (
            MerchantConnection.objects.select_for_update().get_or_create(
                merchant=merchant,
                defaults={
                    "postback_secret": signing_secret_new(),
                    "secret_created_at": timezone.now(),
                },
            )
        )
        if rotate and not created:
            connection.postback_secret = signing_secret_new()
            connection.secret_created_at = timezone.now()
            connection.save(update_fields=["postback_secret", "secret_created_at"])
        return connection


# -- Attribution ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    link: TrackedLink | None = None
    clicked_at: datetime.datetime | None = None
    offer: Offer | None = None
    click: Click | None = None
    reason: str = ""
    # Credited by a tracking id rather than a click: no link, the creator (and the
    # article, where the id was given for one).
    tracking_id: TrackingId | None = None


# A tracking id credits a sale only when no click id could: a click id that is ours
# but tells against the sale (before the click, outside the window) still decides.
_NO_USABLE_CLICK = {
    UnattributedReason.NO_CLICK_ID,
    UnattributedReason.INVALID_CLICK_ID,
    UnattributedReason.UNKNOWN_LINK,
}


def _tracking_id_attribute(
    *,
    merchant: Merchant,
    tracking_id: str,
    connection: NetworkConnection | None,
    occurred_at: datetime.datetime,
) -> Attribution:
    """Who the id the network knows the publisher by was given to, if the sale
    came after it was given.

    A reader gets the id only through the creator's links, which carry it once
    its assignment is committed: a sale carrying it and purchased later always
    finds it given, whenever the network reports it. A sale purchased before is
    someone else's use of the id (the network's, before it was imported): it
    credits nobody, whether it arrives before the id is given or after, so the
    outcome never depends on which came first."""
    ids = TrackingId.objects.select_related("creator").filter(
        value=tracking_id, creator__isnull=False
    )
    ids = (
        ids.filter(connection=connection)
        if connection is not None
        else ids.filter(connection__merchant=merchant)
    )
    found = ids.order_by("pk").first()
    if found is None:
        return Attribution(reason=UnattributedReason.UNKNOWN_TRACKING_ID)
    if found.assigned_at is not None and occurred_at < found.assigned_at:
        return Attribution(reason=UnattributedReason.BEFORE_TRACKING_ID)
    return Attribution(tracking_id=found)


# How long a sale may wait for its click's row: clicks are written within seconds,
# later only while the database is down; past this, the hold is decided without it.
CLICK_ROW_WAIT = datetime.timedelta(days=1)


def _click_row(click_id: str) -> Click | None:
    """The click's row, if written. A click writer may be committing it this very
    moment: on PostgreSQL, wait for any writer's batch to commit (writers hold
    products.locks.CLICK_WRITER until then) and look again; the lock is held until
    this transaction ends, so a batch written afterwards finds the sale made here
    (conversions_click_settle). SQLite's write lock, taken when the transaction
    began, orders the two the same way."""
    click = Click.objects.filter(pk=click_id).first()
    if click is None and connection.vendor == "postgresql":
        advisory_lock_hold(lock=CLICK_WRITER)
        click = Click.objects.filter(pk=click_id).first()
    return click


def conversion_attribute(
    *, merchant: Merchant, click_id: str, occurred_at: datetime.datetime
) -> Attribution:
    """Who a purchase is credited to, from the click id alone: the id carries its
    link, time and the offer the reader was sent to, signed, so whether the click's
    row was written yet changes nothing of the credit or the commission."""
    if not click_id:
        return Attribution(reason=UnattributedReason.NO_CLICK_ID)
    try:
        facts = click_id_parse(click_id)
    except InvalidClickId:
        return Attribution(reason=UnattributedReason.INVALID_CLICK_ID)
    link = (
        TrackedLink.objects.select_related("author", "offer__merchant")
        .filter(pk=facts.link_id)
        .first()
    )
    if link is None:
        return Attribution(reason=UnattributedReason.UNKNOWN_LINK)
    # Click ids carry whole seconds: a purchase in the same second is after it.
    if occurred_at < facts.clicked_at:
        return Attribution(reason=UnattributedReason.BEFORE_CLICK)
    window = datetime.timedelta(days=merchant.attribution_window_days)
    if occurred_at > facts.clicked_at + window:
        return Attribution(reason=UnattributedReason.OUTSIDE_WINDOW)
    click = _click_row(click_id)
    offer_id = facts.offer_id
    if offer_id is None and click is not None:  # an id made before ids carried it
        offer_id = click.destination_offer_id
    offer = link.offer
    if offer_id and offer_id != link.offer_id:
        offer = (
            Offer.objects.select_related("merchant").filter(pk=offer_id).first()
            or offer
        )
    return Attribution(link=link, clicked_at=facts.clicked_at, offer=offer, click=click)


def _hold_reason(
    *,
    link: TrackedLink | None,
    click: Click | None,
    customer_ref: str,
    settings: CommissionSettings,
) -> str:
    """Why a sale is held for review, "" if it is not. What the sale itself says
    (a preview's link, the author's own purchase) comes first, so that it holds the
    sale for the same reason whether or not the click's row is there yet; then what
    the click's row says."""
    if link is not None and link.is_preview:
        return HoldReason.PREVIEW
    if (
        customer_ref
        and link is not None
        and customer_ref in link.author.customer_ref_set()
        and settings.self_purchase_policy == SelfPurchasePolicy.HOLD
    ):
        return HoldReason.SELF_PURCHASE
    if click is not None and click.is_bot:
        return HoldReason.BOT
    if click is not None and click.is_duplicate:
        return HoldReason.DUPLICATE
    if click is not None and click.is_preview:
        return HoldReason.PREVIEW
    return ""


def _hold_reason_on_arrival(
    *, attribution: Attribution, customer_ref: str, now: datetime.datetime
) -> str:
    """The hold of a new sale. Whether its click was a bot's or a duplicate is known
    only from the click's row; a sale that arrives before the row, and is not held
    for a reason of its own, is held until the row decides (conversions_click_settle),
    so that a fast merchant and a slow one get the same outcome."""
    settings = CommissionSettings.load()
    reason = _hold_reason(
        link=attribution.link,
        click=attribution.click,
        customer_ref=customer_ref,
        settings=settings,
    )
    if (
        not reason
        and attribution.click is None
        and attribution.clicked_at > now - CLICK_ROW_WAIT
    ):
        return HoldReason.AWAITING_CLICK
    return reason


def conversions_click_settle(
    *, click_ids: Iterable[str] | None = None, demoted: Iterable[str] = ()
) -> int:
    """Decide again the hold of sales whose click's row has news for them.

    A sale that arrived before its click's row was written is decided now that it
    is (or, past CLICK_ROW_WAIT, that it never will be): held for the reason the
    click gives, or released to pending as if the row had been there first.

    A sale through a click marked a duplicate after it was written (ClickDemotion:
    the reader's earlier click in the same hour was written later) is held as a
    duplicate if it is not held (its pending money goes back to held), as it would
    have been had the clicks been written in order. A sale an editor decided stays
    as they decided, and money already approved, in a payout or paid is not taken
    back: the sale is left as it is and a warning logged (a click is written
    seconds after the redirect, approval comes days later).

    ``click_ids``: only the waiting sales of these clicks (just written), and
    ``demoted``: only these demotions (just made); without them, every waiting sale
    and every demotion (the periodic task). Returns how many sales were decided."""
    demoted = list(demoted)
    awaiting = Conversion.objects.filter(
        hold_reason=HoldReason.AWAITING_CLICK, review=ReviewState.HELD
    )
    demotions = ClickDemotion.objects.all()
    if click_ids is not None:
        # After every batch of clicks: one probe of a small partial index.
        awaiting = awaiting.filter(click_id__in=[*click_ids, *demoted])
        demotions = demotions.filter(click_id__in=demoted)
        if not demoted and not awaiting.exists():
            return 0
    settled = 0
    with transaction.atomic():
        ledger_lock()
        waiting = list(
            awaiting.select_for_update(of=("self",)).select_related("link__author")
        )
        demoted = list(demotions.values_list("click_id", flat=True))
        released = (
            list(
                Conversion.objects.filter(
                    click_id__in=demoted, review=ReviewState.NONE, link__isnull=False
                ).select_for_update(of=("self",))
            )
            if demoted
            else []
        )
        clicks = Click.objects.in_bulk([c.click_id for c in waiting + released])
        cutoff = timezone.now() - CLICK_ROW_WAIT
        settings = CommissionSettings.load() if waiting else None
        for conversion in waiting:
            click = clicks.get(conversion.click_id)
            if click is None and conversion.clicked_at > cutoff:
                continue
            _awaiting_settle(conversion=conversion, click=click, settings=settings)
            settled += 1
        for conversion in released:
            settled += _duplicate_hold(
                conversion=conversion, click=clicks.get(conversion.click_id)
            )
        if demoted:
            ClickDemotion.objects.filter(click_id__in=demoted).delete()
    return settled


def clicks_store_settling(*, clicks: list[PendingClick]) -> ClicksStored:
    """Store ``clicks`` (tracking's clicks_store), then decide the sales that
    waited for them: those that arrived before these clicks' rows, or through a
    click demoted here. A failure of the latter is logged and leaves them to the
    periodic settle_awaiting_conversions. The store of the click buffer and of the
    journal writer (given by AffiliatesConfig and by manage.py write_clicks)."""
    stored = clicks_store(clicks=clicks)
    if not stored.click_ids:
        return stored
    try:
        conversions_click_settle(click_ids=stored.click_ids, demoted=stored.demoted)
    except DatabaseError:
        logger.exception("Sales waiting for their clicks could not be settled")
    return stored


def _awaiting_settle(
    *, conversion: Conversion, click: Click | None, settings: CommissionSettings
) -> None:
    """Decide a sale that waited for its click's row (``click``, None if it never
    came)."""
    reason = _hold_reason(
        link=conversion.link,
        click=click,
        customer_ref=conversion.customer_ref,
        settings=settings,
    )
    if not reason:
        items_move(
            items=items_current(conversion=conversion, status=EntryStatus.HELD),
            to_status=EntryStatus.PENDING,
            kind=EntryKind.RELEASE,
            note=_("Released: its click was recorded as a reader's")
            if click is not None
            else _("Released: no record of its click came within a day"),
        )
        conversion.review = ReviewState.NONE
    conversion.hold_reason = reason
    conversion.save(update_fields=["hold_reason", "review", "updated_at"])


def _duplicate_hold(*, conversion: Conversion, click: Click | None) -> bool:
    """Hold a sale that is not held, through ``click``, since marked a duplicate;
    False if it stays as it is (its money has moved past pending)."""
    if click is None or not click.is_duplicate:
        return False
    items = items_current(conversion=conversion)
    if any(item.status != EntryStatus.PENDING for item in items):
        logger.warning(
            "Conversion %s: its click %s was marked a duplicate after its commission "
            "was approved; left as it is",
            conversion.pk,
            click.pk,
        )
        return False
    items_move(
        items=items,
        to_status=EntryStatus.HELD,
        kind=EntryKind.HOLD,
        note=_(
            "Held: the reader's earlier click in the same hour was recorded after "
            "this sale was released"
        ),
    )
    conversion.review = ReviewState.HELD
    conversion.hold_reason = HoldReason.DUPLICATE
    conversion.save(update_fields=["hold_reason", "review", "updated_at"])
    return True


# -- Commission -----------------------------------------------------------------------


def _commission_terms(
    *, conversion: Conversion, data: ConversionData, settings: CommissionSettings
) -> None:
    """Set the platform commission and the shares as they are today."""
    merchant = conversion.merchant
    if data.commission is not None:
        conversion.stated_commission = data.commission
        conversion.commission_rate = None
        conversion.commission = data.commission
    else:
        offer = conversion.offer
        if offer is not None and offer.merchant_id == merchant.pk:
            rate = offer.effective_commission_rate
        else:
            rate = merchant.default_commission_rate
        conversion.commission_rate = rate
        conversion.commission = money_round(data.amount * rate / HUNDRED, data.currency)

    author = conversion.author
    if author is None:
        conversion.author_share = Decimal(0)
        conversion.override_1_share = Decimal(0)
        conversion.override_2_share = Decimal(0)
        return
    level_1 = author.referred_by
    level_2 = level_1.referred_by if level_1 is not None else None
    override_1 = settings.override_level_1 if level_1 is not None else Decimal(0)
    override_2 = settings.override_level_2 if level_2 is not None else Decimal(0)
    share = author.author_share
    if share is None:
        share = (
            settings.kol_author_share
            if author.kind == CreatorKind.KOL
            else settings.member_author_share
        )
    conversion.author_share = min(share, HUNDRED - override_1 - override_2)
    conversion.override_1_share = override_1
    conversion.override_2_share = override_2


def _commission_entries_create(*, conversion: Conversion) -> list[LedgerEntry]:
    """The author's share, two levels of overrides at most, and the platform's rest."""
    author = conversion.author
    earners: dict[str, tuple] = {}
    shares: dict[str, Decimal] = {}
    if author is not None:
        earners[EntryKind.AUTHOR] = author
        shares[EntryKind.AUTHOR] = conversion.author_share
        upline = author.referred_by
        for kind, percent in (
            (EntryKind.OVERRIDE_1, conversion.override_1_share),
            (EntryKind.OVERRIDE_2, conversion.override_2_share),
        ):
            # Never more levels than two above the author.
            if upline is None:
                break
            if percent:
                earners[kind] = upline
                shares[kind] = percent
            upline = upline.referred_by
    amounts = split_commission(
        total=conversion.commission,
        currency=conversion.currency,
        shares=shares,
        remainder=EntryKind.PLATFORM,
    )
    status = (
        EntryStatus.HELD
        if conversion.review == ReviewState.HELD
        else EntryStatus.PENDING
    )
    entries = [
        LedgerEntry(
            creator=earners.get(kind),
            conversion=conversion,
            kind=kind,
            status=status,
            amount=amount,
            currency=conversion.currency,
        )
        for kind, amount in amounts.items()
        if amount
    ]
    return LedgerEntry.objects.bulk_create(entries)


# -- Ingest ---------------------------------------------------------------------------


def _report_matches(report: ConversionReport, data: ConversionData) -> None:
    if report.amount != data.amount:
        raise ConversionConflict(
            "amount",
            _("Order %(order)s was reported %(status)s with amount %(amount)s.")
            % {"order": data.order_id, "status": data.status, "amount": report.amount},
        )
    if report.stated_commission != data.commission:
        raise ConversionConflict(
            "commission",
            _("Order %(order)s was reported %(status)s with another commission.")
            % {"order": data.order_id, "status": data.status},
        )


def _sale_matches(*, conversion: Conversion, data: ConversionData) -> None:
    """A later sale status (approved after pending) must repeat the sale's figures:
    its commission was split when the sale arrived, and a changed figure is a
    refund and a new sale, not a silent difference between report and ledger."""
    if data.amount != conversion.amount:
        raise ConversionConflict(
            "amount",
            _("Order %(order)s was sold for %(amount)s; report a refund instead.")
            % {"order": data.order_id, "amount": conversion.amount},
        )
    if data.commission != conversion.stated_commission:
        stated = conversion.stated_commission
        raise ConversionConflict(
            "commission",
            _(
                "Order %(order)s was sold with the commission %(commission)s; "
                "report a refund instead."
            )
            % {
                "order": data.order_id,
                "commission": _("none stated")
                if stated is None
                else money_str(stated, conversion.currency),
            },
        )


def conversion_ingest(
    *,
    merchant: Merchant,
    data: ConversionData,
    source: str,
    connection: NetworkConnection | None = None,
) -> IngestResult:
    """Record one reported status of one order (or one line item of it).
    Idempotent: the same report again changes nothing, whichever way it came (a
    postback, an import, a pull, two overlapping pulls); a later status moves the
    order on; an earlier one, arriving late, is kept in the history and changes
    nothing."""
    with transaction.atomic():
        ledger_lock()
        conversion = (
            Conversion.objects.select_for_update(of=("self",))
            .select_related("merchant", "author__referred_by__referred_by")
            .filter(merchant=merchant, order_id=data.order_id, item_id=data.item_id)
            .first()
        )
        created = conversion is None
        if created:
            _granularity_check(merchant=merchant, data=data)
            conversion = _conversion_new(
                merchant=merchant, data=data, source=source, connection=connection
            )
        elif data.currency != conversion.currency:
            raise ConversionConflict(
                "currency",
                _("Order %(order)s was reported in %(currency)s.")
                % {"order": data.order_id, "currency": conversion.currency},
            )

        report = ConversionReport.objects.filter(
            conversion=conversion, status=data.status
        ).first()
        revision = _revision(conversion=conversion, data=data, created=created)
        if revision == _AMENDS:
            _sale_amend(conversion=conversion, data=data)
        elif revision == _OLDER:
            # An earlier version of the figures, arriving late: history only.
            if report is not None:
                return IngestResult(conversion=conversion, created=False, changed=False)
        elif report is not None:
            _report_matches(report, data)
            return IngestResult(conversion=conversion, created=False, changed=False)
        elif data.status in SALE_STATUSES and conversion.sale_recorded:
            _sale_matches(conversion=conversion, data=data)
        if report is not None:  # amended: the status's report holds the new figures
            report.amount, report.stated_commission = data.amount, data.commission
            report.save(update_fields=["amount", "stated_commission"])
            _status_apply(conversion=conversion, data=data, created=created)
            return IngestResult(conversion=conversion, created=False, changed=True)
        ConversionReport.objects.create(
            conversion=conversion,
            status=data.status,
            amount=data.amount,
            stated_commission=data.commission,
            occurred_at=data.occurred_at,
            source=source,
            connection=connection,
        )
        _status_apply(conversion=conversion, data=data, created=created)
        return IngestResult(conversion=conversion, created=created, changed=True)


# How a report's figures stand to those in force (_revision).
_SAME, _AMENDS, _OLDER = "same", "amends", "older"


def _figures_differ(*, conversion: Conversion, data: ConversionData) -> bool:
    return (
        data.amount != conversion.amount
        or data.commission != conversion.stated_commission
    )


def _revision(*, conversion: Conversion, data: ConversionData, created: bool) -> str:
    """Whether a network's report changes the sale's figures. Only a report that
    carries the network's modification time can: a later one than the figures in
    force replaces them (estimate → actual, a partial return), an earlier one is
    history; so the figures that stand are the latest version's, whatever order the
    reports come in. Without a modification time, or once the sale is refunded or
    cancelled, figures never change (a changed figure is then a conflict)."""
    if (
        created
        or data.updated_at is None
        or not conversion.sale_recorded
        or data.status not in SALE_STATUSES
        or conversion.status in FINAL_STATUSES
    ):
        return _SAME
    as_of = conversion.figures_as_of
    if as_of is not None and data.updated_at <= as_of:
        return _OLDER if _figures_differ(conversion=conversion, data=data) else _SAME
    if not _figures_differ(conversion=conversion, data=data):
        conversion.figures_as_of = data.updated_at
        conversion.save(update_fields=["figures_as_of", "updated_at"])
        return _SAME
    return _AMENDS


def _sale_amend(*, conversion: Conversion, data: ConversionData) -> None:
    """The network changed the sale's figures: its commission's items are reversed
    and split again from the new figures, at the shares of the sale's arrival (the
    ledger keeps both, so the change is on record to the cent)."""
    items_reverse(
        items=items_current(conversion=conversion),
        note=_("Amended by the network"),
    )
    conversion.amount = data.amount
    if data.commission is not None:
        conversion.stated_commission = data.commission
        conversion.commission = data.commission
        conversion.commission_rate = None
    else:
        conversion.stated_commission = None
        rate = conversion.commission_rate
        if rate is None:  # the sale had a stated commission; now the offer's rate
            offer = conversion.offer
            rate = (
                offer.effective_commission_rate
                if offer is not None and offer.merchant_id == conversion.merchant_id
                else conversion.merchant.default_commission_rate
            )
            conversion.commission_rate = rate
        conversion.commission = money_round(
            data.amount * rate / HUNDRED, conversion.currency
        )
    conversion.figures_as_of = data.updated_at
    conversion.save()
    _commission_entries_create(conversion=conversion)


def _granularity_check(*, merchant: Merchant, data: ConversionData) -> None:
    """An order is credited either whole (no item id) or item by item, never both:
    the merchant's postback may report it whole while a network's pull reports
    its items, and crediting both would pay the creator twice for one sale."""
    others = Conversion.objects.filter(merchant=merchant, order_id=data.order_id)
    others = (
        others.exclude(item_id="") if not data.item_id else others.filter(item_id="")
    )
    if others.exists():
        raise ConversionConflict(
            "item_id",
            _(
                "Order %(order)s is already recorded %(how)s; it cannot also be "
                "reported %(other)s."
            )
            % {
                "order": data.order_id,
                "how": _("by its items") if not data.item_id else _("as a whole"),
                "other": _("as a whole") if not data.item_id else _("by items"),
            },
        )


def _conversion_new(
    *,
    merchant: Merchant,
    data: ConversionData,
    source: str,
    connection: NetworkConnection | None,
) -> Conversion:
    attribution = conversion_attribute(
        merchant=merchant, click_id=data.click_id, occurred_at=data.occurred_at
    )
    if data.tracking_id and attribution.reason in _NO_USABLE_CLICK:
        attribution = _tracking_id_attribute(
            merchant=merchant,
            tracking_id=data.tracking_id,
            connection=connection,
            occurred_at=data.occurred_at,
        )
    link = attribution.link
    by_id = attribution.tracking_id
    conversion = Conversion(
        merchant=merchant,
        order_id=data.order_id,
        item_id=data.item_id,
        status=data.status,
        amount=data.amount,
        currency=data.currency,
        commission=Decimal(0),
        occurred_at=data.occurred_at,
        source=source,
        customer_ref=data.customer_ref,
        click_id=data.click_id,
        clicked_at=attribution.clicked_at,
        link=link,
        author=link.author if link else (by_id.creator if by_id else None),
        article_id=link.article_id if link else (by_id.article_id if by_id else None),
        attributed_by=AttributedBy.CLICK
        if link
        else (AttributedBy.TRACKING_ID if by_id else ""),
        tracking_id=data.tracking_id,
        offer=attribution.offer,
        placement=link.placement if link else "",
        unattributed_reason=attribution.reason,
        hold_until=data.occurred_at
        + datetime.timedelta(days=merchant.hold_period_days),
        figures_as_of=data.updated_at,
        awaits_settlement=bool(
            connection is not None
            and connection.settings.get("approve_when") == "settled"
        ),
    )
    if link is not None:
        reason = _hold_reason_on_arrival(
            attribution=attribution,
            customer_ref=data.customer_ref,
            now=timezone.now(),
        )
        if reason:
            conversion.hold_reason = reason
            conversion.review = ReviewState.HELD
    elif by_id is not None and _self_purchase_held(
        author=by_id.creator, customer_ref=data.customer_ref
    ):
        conversion.hold_reason = HoldReason.SELF_PURCHASE
        conversion.review = ReviewState.HELD
    conversion.save()
    return conversion


def _self_purchase_held(*, author: CreatorProfile, customer_ref: str) -> bool:
    """A sale credited by tracking id has no click to judge; the author's own
    purchase is still held when the settings say so."""
    return bool(
        customer_ref
        and customer_ref in author.customer_ref_set()
        and CommissionSettings.load().self_purchase_policy == SelfPurchasePolicy.HOLD
    )


def _status_apply(
    *, conversion: Conversion, data: ConversionData, created: bool
) -> None:
    if data.status in SALE_STATUSES and not conversion.sale_recorded:
        # The sale itself: its commission, now (a refund may have come first, so
        # the sale's own time and amount replace what the refund said).
        conversion.amount = data.amount
        conversion.occurred_at = data.occurred_at
        conversion.hold_until = data.occurred_at + datetime.timedelta(
            days=conversion.merchant.hold_period_days
        )
        _commission_terms(
            conversion=conversion, data=data, settings=CommissionSettings.load()
        )
        conversion.sale_recorded = True
        conversion.save()
        _commission_entries_create(conversion=conversion)
        if conversion.status in FINAL_STATUSES:
            conversion_items_reverse(conversion=conversion)
    if _STAGE[data.status] > _STAGE[conversion.status] or created:
        conversion.status = data.status
        conversion.save(update_fields=["status", "updated_at"])
        if data.status in FINAL_STATUSES and conversion.sale_recorded:
            conversion_items_reverse(conversion=conversion)


# -- Review ---------------------------------------------------------------------------


def conversion_review(*, conversion: Conversion, approve: bool, user) -> Conversion:
    """An editor's decision on a held conversion: release its commission to the
    normal hold period, or reject it (its entries are reversed)."""
    with transaction.atomic():
        ledger_lock()
        conversion = Conversion.objects.select_for_update().get(pk=conversion.pk)
        if conversion.review != ReviewState.HELD:
            raise LedgerError(_("This conversion is not held for review."))
        if conversion.hold_reason == HoldReason.AWAITING_CLICK:
            # Deciding now could release a bot's sale that a slower merchant's
            # report would have shown as one: the click's row decides first.
            raise LedgerError(
                _(
                    "This sale waits for its click to be recorded (usually seconds); "
                    "review it once it is."
                )
            )
        held = items_current(conversion=conversion, status=EntryStatus.HELD)
        if approve:
            items_move(
                items=held,
                to_status=EntryStatus.PENDING,
                kind=EntryKind.RELEASE,
                user=user,
            )
            conversion.review = ReviewState.RELEASED
        else:
            items_reverse(items=held, user=user, note=_("Rejected in review"))
            conversion.review = ReviewState.REJECTED
        conversion.reviewed_by = user
        conversion.save(update_fields=["review", "reviewed_by", "updated_at"])
        return conversion


# -- Report import --------------------------------------------------------------------


@dataclass
class ImportSummary:
    imported: int = 0  # rows that changed something
    unchanged: int = 0  # rows already known (importing a file twice changes nothing)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def conversion_return_match(
    *, merchant: Merchant, data: ConversionData, occurrence: int = 1
) -> ConversionData:
    """A return a report ties to no order (Amazon's negative rows) as the refund
    of the one sale it undoes; ConversionConflict when there is none.

    The sale: of the merchant, through the same tracking id, of the same item
    (ASIN), with the same amount and commission (a return undoes a whole sale
    row: Amazon reports so many items at a price, their revenue and their fees),
    shipped on or before the return's day, not refunded or cancelled; the latest
    such, then the first recorded. Idempotent: the ``occurrence``-th return of
    that tracking id, item, day and figures in a file is the one already applied,
    when there is one, so importing the file again, or a later download holding
    the same day, finds the same sale and changes nothing."""
    same = {
        "conversion__merchant": merchant,
        "conversion__tracking_id": data.tracking_id,
        "conversion__item_id": data.item_id,
    }
    applied = list(
        ConversionReport.objects.filter(
            **same,
            status=ConversionStatus.REFUNDED,
            occurred_at=data.occurred_at,
            amount=data.amount,
            stated_commission=data.commission,
        )
        .order_by("conversion__occurred_at", "conversion_id")
        .values_list("conversion__order_id", flat=True)
    )
    if occurrence <= len(applied):
        order_id = applied[occurrence - 1]
    else:
        sale = (
            Conversion.objects.filter(
                merchant=merchant,
                tracking_id=data.tracking_id,
                item_id=data.item_id,
                amount=data.amount,
                stated_commission=data.commission,
                occurred_at__lte=data.occurred_at,
                sale_recorded=True,
            )
            .exclude(status__in=FINAL_STATUSES)
            .order_by("-occurred_at", "pk")
            .first()
        )
        if sale is None:
            raise ConversionConflict(
                "item_id",
                _(
                    "A return of %(item)s through %(tag)s (%(amount)s, commission "
                    "%(commission)s): no sale of it with those figures, shipped on "
                    "or before the return and not yet returned, is recorded; a "
                    "return of part of a sale row is adjusted by hand."
                )
                % {
                    "item": data.item_id or "?",
                    "tag": data.tracking_id or "?",
                    "amount": money_str(data.amount, data.currency),
                    "commission": _("none")
                    if data.commission is None
                    else money_str(data.commission, data.currency),
                },
            )
        order_id = sale.order_id
    return replace(data, order_id=order_id, status=ConversionStatus.REFUNDED)


def conversions_import(
    *,
    connection: MerchantConnection,
    rows: Iterable[tuple[int, dict]],
    summary: ImportSummary,
) -> ImportSummary:
    """Ingest each (line number, row) of the connection's merchant's report; a bad row
    is rejected with its line number and reason, and the valid ones are imported,
    each on its own. A row marked ``returned`` (a return the report ties to no
    order) refunds the sale ``conversion_return_match`` finds for it."""
    merchant, mapping = connection.merchant, connection.status_mapping()
    returns_seen: Counter = Counter()
    for line, raw in rows:
        try:
            if isinstance(raw, ReportFieldError):  # a row the CSV reader could not read
                raise raw
            data = conversion_data_parse(raw, status_mapping=mapping)
            if raw.get("returned"):
                key = (
                    data.tracking_id,
                    data.item_id,
                    data.occurred_at,
                    data.amount,
                    data.commission,
                )
                returns_seen[key] += 1
                data = conversion_return_match(
                    merchant=merchant, data=data, occurrence=returns_seen[key]
                )
            result = conversion_ingest(
                merchant=merchant, data=data, source=ConversionSource.IMPORT
            )
        except ReportFieldError as error:
            summary.rejected.append((line, error.field, error.message))
        except ConversionConflict as conflict:
            summary.rejected.append((line, conflict.field, conflict.message))
        else:
            if result.changed:
                summary.imported += 1
            else:
                summary.unchanged += 1
    return summary
