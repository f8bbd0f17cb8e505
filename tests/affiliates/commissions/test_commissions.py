"""Commissions, at the service level: attribution, holds, shares and their rounding.

Each sale goes through conversion_data_parse and conversion_ingest, as a postback's
body does (the HTTP layer itself is in test_postbacks.py).
"""

import base64
import datetime
import struct
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import (
    conversion_ingest,
    conversion_review,
)
from affiliates.commissions.services.ledger import LedgerError, commissions_approve
from affiliates.models import (
    Click,
    CommissionSettings,
    Conversion,
    ConversionSource,
    CreatorKind,
    EntryKind,
    EntryStatus,
    HoldReason,
    LedgerEntry,
    ReviewState,
    SelfPurchasePolicy,
    UnattributedReason,
)
from affiliates.models.money import EARNING_KINDS
from affiliates.tracking.clickids import click_id_make
from tests.affiliates.conftest import sale
from tests.factories import (
    CreatorProfileFactory,
    MerchantFactory,
    OfferFactory,
    TrackedLinkFactory,
)

pytestmark = pytest.mark.django_db

CLICKED = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
DAY = datetime.timedelta(days=1)


def report(merchant, *, at=CLICKED + DAY, **fields) -> Conversion:
    """Ingest one reported status of an order, read as a postback body is."""
    body = sale(occurred_at=at.isoformat(), **fields)
    return conversion_ingest(
        merchant=merchant,
        data=conversion_data_parse(body),
        source=ConversionSource.POSTBACK,
    ).conversion


def click(link, *, at=CLICKED) -> str:
    return click_id_make(link_id=link.pk, clicked_at=at)


def earnings(conversion) -> dict[str, tuple]:
    """The conversion's earning items: kind → (creator, amount, status)."""
    return {
        entry.kind: (entry.creator, entry.amount, entry.status)
        for entry in LedgerEntry.objects.filter(
            conversion=conversion, origin__isnull=True, kind__in=EARNING_KINDS
        )
    }


def amounts(conversion) -> dict[str, Decimal]:
    return {kind: amount for kind, (_who, amount, _s) in earnings(conversion).items()}


def settings_change(**fields) -> CommissionSettings:
    settings = CommissionSettings.load()
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    return settings


@pytest.fixture
def chain(db):
    """A KOL author with three uplines: referrer, referrer's referrer, and one more."""
    level_3 = CreatorProfileFactory(public_name="Level 3")
    level_2 = CreatorProfileFactory(public_name="Level 2", referred_by=level_3)
    level_1 = CreatorProfileFactory(public_name="Level 1", referred_by=level_2)
    author = CreatorProfileFactory(
        public_name="Author", kind=CreatorKind.KOL, referred_by=level_1
    )
    return author, level_1, level_2, level_3


@pytest.fixture
def member_link(shop):
    """A member's link to one of the shop's offers, at the shop's default rate."""
    return TrackedLinkFactory(author__kind=CreatorKind.MEMBER, offer__merchant=shop)


# -- Attribution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after_click", "reason"),
    [
        (datetime.timedelta(0), ""),  # the same second counts as after the click
        (7 * DAY, ""),  # the window's last second is inside it
        (7 * DAY + SECOND, UnattributedReason.OUTSIDE_WINDOW),
        (-SECOND, UnattributedReason.BEFORE_CLICK),
    ],
)
def test_attribution_window_edges(shop, member_link, after_click, reason):
    shop.attribution_window_days = 7
    shop.save()
    conversion = report(shop, click_id=click(member_link), at=CLICKED + after_click)
    assert conversion.unattributed_reason == reason
    if reason:
        assert conversion.author is None
        assert conversion.link is None
        assert set(earnings(conversion)) == {EntryKind.PLATFORM}
    else:
        assert conversion.author == member_link.author
        assert conversion.link == member_link
        assert conversion.clicked_at == CLICKED
        assert set(earnings(conversion)) == {EntryKind.AUTHOR, EntryKind.PLATFORM}


def test_the_window_end_is_compared_in_utc_whatever_the_offset(shop, member_link):
    end = CLICKED + 30 * DAY
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    inside = report(
        shop, order_id="IN", click_id=click(member_link), at=end.astimezone(beijing)
    )
    outside = report(
        shop,
        order_id="OUT",
        click_id=click(member_link),
        at=(end + SECOND).astimezone(beijing),
    )
    assert inside.is_attributed
    assert outside.unattributed_reason == UnattributedReason.OUTSIDE_WINDOW


def test_a_click_id_carries_its_second_only(shop, member_link):
    # The redirect stamps whole seconds: a purchase later within that second counts.
    click_id = click_id_make(
        link_id=member_link.pk,
        clicked_at=CLICKED + datetime.timedelta(milliseconds=900),
    )
    conversion = report(shop, click_id=click_id, at=CLICKED)
    assert conversion.is_attributed


def test_attribution_needs_no_click_row(shop, member_link):
    conversion = report(shop, click_id=click(member_link))
    assert not Click.objects.exists()
    assert conversion.author == member_link.author
    assert conversion.offer == member_link.offer
    assert conversion.placement == member_link.placement
    assert conversion.review == ""


def _replace_link_id(click_id: str, link_id: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(click_id))
    raw[:4] = struct.pack(">I", link_id)
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def test_forged_and_altered_click_ids_are_not_attributed(shop, member_link):
    other_link = TrackedLinkFactory(offer__merchant=shop)
    genuine = click(member_link)
    with override_settings(SECRET_KEY="a-key-that-is-not-ours"):
        forged = click(member_link)
    flipped = genuine[:12] + ("A" if genuine[12] != "A" else "B") + genuine[13:]
    cases = {
        "forged": forged,
        "another link's id": _replace_link_id(genuine, other_link.pk),
        "one character changed": flipped,
        "too short": genuine[:-1],
        "not base64": "!" * 32,
    }
    for number, click_id in enumerate(cases.values()):
        conversion = report(shop, order_id=f"ORDER-{number}", click_id=click_id)
        assert conversion.unattributed_reason == UnattributedReason.INVALID_CLICK_ID
        assert conversion.author is None
    assert not LedgerEntry.objects.filter(creator__isnull=False).exists()


def test_click_ids_of_missing_links_and_sales_without_one(shop):
    unknown = report(
        shop,
        order_id="GONE",
        click_id=click_id_make(link_id=987654, clicked_at=CLICKED),
    )
    direct = report(shop, order_id="DIRECT")
    assert unknown.unattributed_reason == UnattributedReason.UNKNOWN_LINK
    assert direct.unattributed_reason == UnattributedReason.NO_CLICK_ID


def test_an_unattributed_sale_leaves_all_to_the_platform(shop):
    conversion = report(shop, amount="1000.00")
    assert conversion.commission == Decimal("80.00")
    assert earnings(conversion) == {
        EntryKind.PLATFORM: (None, Decimal("80.00"), EntryStatus.PENDING)
    }
    assert (conversion.author_share, conversion.override_1_share) == (0, 0)
    assert LedgerEntry.objects.count() == 1


# -- Holds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "reason"),
    [
        ("is_bot", HoldReason.BOT),
        ("is_duplicate", HoldReason.DUPLICATE),
        ("is_preview", HoldReason.PREVIEW),
    ],
)
def test_suspicious_clicks_hold_the_commission_for_review(
    shop, member_link, flag, reason
):
    click_id = click(member_link)
    Click.objects.create(
        click_id=click_id, link=member_link, clicked_at=CLICKED, **{flag: True}
    )
    conversion = report(shop, click_id=click_id)
    assert conversion.is_attributed
    assert conversion.review == ReviewState.HELD
    assert conversion.hold_reason == reason
    statuses = set(conversion.entries.values_list("status", flat=True))
    assert statuses == {EntryStatus.HELD}
    # Held money is not approved when the hold period ends: an editor decides.
    assert commissions_approve(now=CLICKED + 365 * DAY) == 0


def test_a_clean_click_row_holds_nothing(shop, member_link):
    click_id = click(member_link)
    Click.objects.create(click_id=click_id, link=member_link, clicked_at=CLICKED)
    conversion = report(shop, click_id=click_id)
    assert conversion.review == ""
    assert set(conversion.entries.values_list("status", flat=True)) == {
        EntryStatus.PENDING
    }


def test_a_preview_link_holds_without_a_click_row(shop):
    link = TrackedLinkFactory(offer__merchant=shop, is_preview=True)
    conversion = report(shop, click_id=click(link))
    assert conversion.hold_reason == HoldReason.PREVIEW


@pytest.mark.parametrize(
    ("policy", "held"),
    [(SelfPurchasePolicy.EARN, False), (SelfPurchasePolicy.HOLD, True)],
)
def test_self_purchase_follows_the_policy(shop, member_link, policy, held):
    settings_change(self_purchase_policy=policy)
    author = member_link.author
    author.customer_refs = "buyer-7\n  buyer-8  \n"
    author.save()
    own = report(
        shop, order_id="OWN", click_id=click(member_link), customer_ref="buyer-8"
    )
    stranger = report(
        shop, order_id="STRANGER", click_id=click(member_link), customer_ref="buyer-9"
    )
    assert (own.review == ReviewState.HELD) is held
    assert own.hold_reason == (HoldReason.SELF_PURCHASE if held else "")
    status = EntryStatus.HELD if held else EntryStatus.PENDING
    assert earnings(own)[EntryKind.AUTHOR] == (author, Decimal("48.00"), status)
    assert stranger.review == ""


def test_review_approval_releases_to_the_hold_period(shop, member_link, editor):
    click_id = click(member_link)
    Click.objects.create(
        click_id=click_id, link=member_link, clicked_at=CLICKED, is_bot=True
    )
    conversion = report(shop, click_id=click_id, at=CLICKED)

    conversion = conversion_review(conversion=conversion, approve=True, user=editor)
    assert conversion.review == ReviewState.RELEASED
    assert conversion.reviewed_by == editor
    assert _sum_by_status(conversion) == {EntryStatus.PENDING: conversion.commission}
    assert conversion.entries.filter(kind=EntryKind.RELEASE).count() == 4
    # Released money still waits for the merchant's hold period.
    assert commissions_approve(now=conversion.hold_until - SECOND) == 0
    assert commissions_approve(now=conversion.hold_until) == 2
    assert _sum_by_status(conversion) == {EntryStatus.APPROVED: conversion.commission}
    with pytest.raises(LedgerError):
        conversion_review(conversion=conversion, approve=False, user=editor)


def test_review_rejection_reverses_the_held_commission(shop, member_link, editor):
    click_id = click(member_link)
    Click.objects.create(
        click_id=click_id, link=member_link, clicked_at=CLICKED, is_duplicate=True
    )
    conversion = report(shop, click_id=click_id)
    held = list(conversion.entries.values_list("pk", "amount"))

    conversion = conversion_review(conversion=conversion, approve=False, user=editor)
    assert conversion.review == ReviewState.REJECTED
    assert _sum_by_status(conversion) == {}
    reversals = conversion.entries.filter(kind=EntryKind.REVERSAL)
    assert sorted(reversals.values_list("reverses_id", "amount")) == sorted(
        (pk, -amount) for pk, amount in held
    )
    assert commissions_approve(now=CLICKED + 365 * DAY) == 0
    with pytest.raises(LedgerError):
        conversion_review(conversion=conversion, approve=True, user=editor)


def test_only_held_conversions_are_reviewed(shop, member_link, editor):
    conversion = report(shop, click_id=click(member_link))
    with pytest.raises(LedgerError):
        conversion_review(conversion=conversion, approve=True, user=editor)
    assert conversion.entries.count() == 2


def _sum_by_status(conversion) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in conversion.entries.all():
        totals[entry.status] = totals.get(entry.status, Decimal(0)) + entry.amount
    return {status: total for status, total in totals.items() if total}


# -- Shares -------------------------------------------------------------------------------


def test_kol_and_member_shares(shop):
    kol = TrackedLinkFactory(author__kind=CreatorKind.KOL, offer__merchant=shop)
    member = TrackedLinkFactory(author__kind=CreatorKind.MEMBER, offer__merchant=shop)
    kol_sale = report(shop, order_id="K", click_id=click(kol))
    member_sale = report(shop, order_id="M", click_id=click(member))
    assert amounts(kol_sale) == {
        EntryKind.AUTHOR: Decimal("64.00"),
        EntryKind.PLATFORM: Decimal("16.00"),
    }
    assert amounts(member_sale) == {
        EntryKind.AUTHOR: Decimal("48.00"),
        EntryKind.PLATFORM: Decimal("32.00"),
    }
    assert kol_sale.author_share == Decimal("80")
    assert member_sale.author_share == Decimal("60")


def test_a_creators_own_share_overrides_their_kind(shop):
    link = TrackedLinkFactory(
        author__kind=CreatorKind.KOL,
        author__author_share=Decimal("72.50"),
        offer__merchant=shop,
    )
    conversion = report(shop, click_id=click(link))
    assert amounts(conversion) == {
        EntryKind.AUTHOR: Decimal("58.00"),
        EntryKind.PLATFORM: Decimal("22.00"),
    }


def test_an_own_share_never_eats_into_the_overrides(shop, chain):
    author, level_1, level_2, _level_3 = chain
    author.author_share = Decimal("95")
    author.save()
    link = TrackedLinkFactory(author=author, offer__merchant=shop)
    conversion = report(shop, click_id=click(link))
    assert conversion.author_share == Decimal("85")
    assert amounts(conversion) == {
        EntryKind.AUTHOR: Decimal("68.00"),
        EntryKind.OVERRIDE_1: Decimal("8.00"),
        EntryKind.OVERRIDE_2: Decimal("4.00"),
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"kol_author_share": Decimal("85.01")},  # with 10 % and 5 % overrides
        {"member_author_share": Decimal("60"), "override_level_1": Decimal("40.01")},
        {"kol_author_share": Decimal("100"), "override_level_1": Decimal("-15")},
    ],
)
def test_the_database_refuses_settings_whose_shares_exceed_100(fields):
    settings = CommissionSettings.load()
    for name, value in fields.items():
        setattr(settings, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        settings.save()


def test_the_database_refuses_a_conversion_split_above_100(shop, chain):
    author, *_uplines = chain
    link = TrackedLinkFactory(author=author, offer__merchant=shop)
    conversion = report(shop, click_id=click(link))
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversion.objects.filter(pk=conversion.pk).update(author_share=Decimal("86"))


def test_two_uplines_earn_and_the_third_never_does(shop, chain):
    author, level_1, level_2, level_3 = chain
    link = TrackedLinkFactory(author=author, offer__merchant=shop)
    conversion = report(shop, click_id=click(link), amount="1000.00")
    assert earnings(conversion) == {
        EntryKind.AUTHOR: (author, Decimal("64.00"), EntryStatus.PENDING),
        EntryKind.OVERRIDE_1: (level_1, Decimal("8.00"), EntryStatus.PENDING),
        EntryKind.OVERRIDE_2: (level_2, Decimal("4.00"), EntryStatus.PENDING),
        EntryKind.PLATFORM: (None, Decimal("4.00"), EntryStatus.PENDING),
    }
    assert not LedgerEntry.objects.filter(creator=level_3).exists()
    assert (conversion.override_1_share, conversion.override_2_share) == (10, 5)


def test_level_2_earns_even_when_level_1_is_set_to_nothing(shop, chain):
    author, level_1, level_2, level_3 = chain
    settings_change(override_level_1=Decimal("0"))
    link = TrackedLinkFactory(author=author, offer__merchant=shop)
    conversion = report(shop, click_id=click(link))
    assert conversion.override_2_share == 5
    assert earnings(conversion) == {
        EntryKind.AUTHOR: (author, Decimal("64.00"), EntryStatus.PENDING),
        EntryKind.OVERRIDE_2: (level_2, Decimal("4.00"), EntryStatus.PENDING),
        EntryKind.PLATFORM: (None, Decimal("12.00"), EntryStatus.PENDING),
    }
    assert not LedgerEntry.objects.filter(creator__in=[level_1, level_3]).exists()


def test_one_upline_earns_level_1_only(shop, chain):
    _author, level_1, level_2, _level_3 = chain
    # level_1's referrer is level_2, whose referrer is level_3: as an author,
    # level_2 has one upline.
    link = TrackedLinkFactory(author=level_2, offer__merchant=shop)
    conversion = report(shop, click_id=click(link))
    assert amounts(conversion) == {
        EntryKind.AUTHOR: Decimal("48.00"),
        EntryKind.OVERRIDE_1: Decimal("8.00"),
        EntryKind.PLATFORM: Decimal("24.00"),
    }
    assert conversion.override_2_share == 0


# -- Commission -----------------------------------------------------------------------------


def test_a_stated_commission_wins_over_any_rate(shop):
    link = TrackedLinkFactory(
        offer__merchant=shop, offer__commission_rate=Decimal("20")
    )
    conversion = report(
        shop, click_id=click(link), amount="1000.00", commission="33.33"
    )
    assert conversion.commission == Decimal("33.33")
    assert conversion.stated_commission == Decimal("33.33")
    assert conversion.commission_rate is None
    assert sum(amounts(conversion).values()) == Decimal("33.33")


def test_an_offers_own_rate_wins_over_the_merchants(shop):
    own_rate = TrackedLinkFactory(
        offer__merchant=shop, offer__commission_rate=Decimal("12.50")
    )
    default_rate = TrackedLinkFactory(offer__merchant=shop)
    with_own = report(shop, order_id="OWN", click_id=click(own_rate))
    with_default = report(shop, order_id="DEFAULT", click_id=click(default_rate))
    assert (with_own.commission_rate, with_own.commission) == (
        Decimal("12.50"),
        Decimal("125.00"),
    )
    assert (with_default.commission_rate, with_default.commission) == (
        Decimal("8.00"),
        Decimal("80.00"),
    )


def test_another_merchants_offer_does_not_set_the_rate(shop):
    elsewhere = TrackedLinkFactory(offer__commission_rate=Decimal("20"))
    conversion = report(shop, click_id=click(elsewhere))
    assert conversion.is_attributed
    assert conversion.commission_rate == shop.default_commission_rate


def test_the_offer_the_click_was_sent_to_sets_the_rate(shop, member_link):
    fallback = OfferFactory(merchant=shop, commission_rate=Decimal("15"))
    click_id = click(member_link)
    Click.objects.create(
        click_id=click_id,
        link=member_link,
        clicked_at=CLICKED,
        destination_offer_id=fallback.pk,
    )
    conversion = report(shop, click_id=click_id)
    assert conversion.offer == fallback
    assert conversion.commission == Decimal("150.00")


def test_the_commission_rounds_half_up_to_the_fen(shop):
    link = TrackedLinkFactory(
        offer__merchant=shop, offer__commission_rate=Decimal("10")
    )
    conversion = report(shop, click_id=click(link), amount="0.25")
    assert conversion.commission == Decimal("0.03")  # 0.025; half-even would give 0.02


def test_yen_have_no_fraction_anywhere(chain):
    author, level_1, level_2, _level_3 = chain
    tokyo = MerchantFactory(currency="JPY", default_commission_rate=Decimal("5"))
    link = TrackedLinkFactory(author=author, offer__merchant=tokyo)
    conversion = report(tokyo, click_id=click(link), amount="1010", currency="JPY")
    # 1010 × 5 % = 50.5 → 51 yen; split 40.8 / 5.1 / 2.55 / 2.55.
    assert conversion.commission == 51
    assert amounts(conversion) == {
        EntryKind.AUTHOR: 41,
        EntryKind.OVERRIDE_1: 5,
        EntryKind.OVERRIDE_2: 3,
        EntryKind.PLATFORM: 2,
    }
    for entry in LedgerEntry.objects.all():
        assert entry.currency == "JPY"
        assert entry.amount == entry.amount.to_integral_value()


def test_settings_apply_to_later_sales_only(shop, chain):
    author, level_1, level_2, _level_3 = chain
    link = TrackedLinkFactory(author=author, offer__merchant=shop)
    before = report(shop, order_id="BEFORE", click_id=click(link))
    entries_before = list(LedgerEntry.objects.values_list("pk", "amount", "status"))

    settings_change(
        kol_author_share=Decimal("70"),
        override_level_1=Decimal("12"),
        override_level_2=Decimal("3"),
    )
    after = report(shop, order_id="AFTER", click_id=click(link))
    # A later status of the first sale recomputes nothing either.
    report(shop, order_id="BEFORE", click_id=click(link), status="approved")

    before.refresh_from_db()
    assert (before.author_share, before.override_1_share, before.override_2_share) == (
        80,
        10,
        5,
    )
    assert (
        list(
            LedgerEntry.objects.filter(conversion=before).values_list(
                "pk", "amount", "status"
            )
        )
        == entries_before
    )
    assert amounts(after) == {
        EntryKind.AUTHOR: Decimal("56.00"),
        EntryKind.OVERRIDE_1: Decimal("9.60"),
        EntryKind.OVERRIDE_2: Decimal("2.40"),
        EntryKind.PLATFORM: Decimal("12.00"),
    }
    # And approval moves what was computed then, not what the settings say now.
    commissions_approve(now=CLICKED + 365 * DAY)
    approved = LedgerEntry.objects.filter(
        conversion=before, kind=EntryKind.APPROVAL, amount__gt=0
    )
    assert sorted(approved.values_list("amount", flat=True)) == sorted(
        amount for _pk, amount, _status in entries_before
    )
