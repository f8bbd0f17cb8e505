"""Creators' reads: a user's profile, sign-in lookup, payout methods, invite codes and the referral tree."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, Sum

from affiliates.models.creators import CreatorProfile
from affiliates.models.money import EntryKind, LedgerEntry
from affiliates.models.payout_methods import PayoutMethod
from products.currencies import money_round


def creator_profile_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> CreatorProfile | None:
    if not user.is_authenticated:
        return None
    return CreatorProfile.objects.filter(user=user).first()


def user_for_login(*, login: str) -> AbstractBaseUser | None:
    """The one account a sign-in name means, active or not: the user name, exactly
    or in any case; else the e-mail address, in any case. None when nothing or more
    than one account matches (two accounts sharing an address sign in by name)."""
    login = (login or "").strip()
    if not login:
        return None
    users = get_user_model()._default_manager
    username_field = get_user_model().USERNAME_FIELD
    for lookup in ("exact", "iexact"):
        matches = list(users.filter(**{f"{username_field}__{lookup}": login})[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            return None
    if "@" not in login:
        return None
    matches = list(users.filter(email__iexact=login)[:2])
    return matches[0] if len(matches) == 1 else None


def payout_method_for(*, creator: CreatorProfile) -> PayoutMethod | None:
    return PayoutMethod.objects.filter(creator=creator).first()


def payout_methods_by_creator(*, creator_ids: Iterable[int]) -> dict[int, PayoutMethod]:
    """Creator id → payout method, for those who have one (one query)."""
    return {
        method.creator_id: method
        for method in PayoutMethod.objects.filter(creator_id__in=set(creator_ids))
    }


def creator_by_invite_code(*, code: str) -> CreatorProfile | None:
    """The creator whose invite link carries ``code`` (their slug), if they can still
    invite: a creator whose account is deactivated cannot."""
    code = (code or "").strip()
    if not code or len(code) > CreatorProfile._meta.get_field("slug").max_length:
        return None
    return (
        CreatorProfile.objects.filter(slug=code, user__is_active=True)
        .select_related("user")
        .first()
    )


OVERRIDE_KINDS = (EntryKind.OVERRIDE_1, EntryKind.OVERRIDE_2)


@dataclass(frozen=True)
class ReferralNode:
    """A creator in someone's referral tree, with the overrides that the tree's
    owner earned from that creator's sales: (currency, amount) pairs, net of
    refunds, in every status (held, pending, approved, paid)."""

    creator: CreatorProfile
    level: int
    overrides: list[tuple[str, Decimal]]
    children: list["ReferralNode"]


@dataclass(frozen=True)
class ReferralTree:
    """Who a creator invited, two levels deep, and the overrides from each. Overrides
    from sales of creators who are no longer in the tree (their referrer changed)
    are in ``elsewhere``; ``totals`` adds everything up per currency."""

    levels_1: list[ReferralNode]
    elsewhere: list[tuple[str, Decimal]]
    totals: list[tuple[str, Decimal]]

    @property
    def size(self) -> int:
        return sum(1 + len(node.children) for node in self.levels_1)


def _money_pairs(sums: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    return [
        (currency, money_round(amount, currency))
        for currency, amount in sorted(sums.items())
        if money_round(amount, currency)
    ]


def creator_referral_tree(*, creator: CreatorProfile) -> ReferralTree:
    """The creator's referral tree (two levels) and the overrides they earned from
    each creator in it, per currency (currencies are never added together).

    An override is attributed to the creator whose sale it came from (the
    conversion's author); its reversals count against it, its moves between
    statuses do not change it. Two queries, whatever the tree's size."""
    rows = (
        LedgerEntry.objects.filter(creator=creator, conversion__author__isnull=False)
        .filter(Q(kind__in=OVERRIDE_KINDS) | Q(reverses__kind__in=OVERRIDE_KINDS))
        .values("conversion__author_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_author: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        sums = by_author.setdefault(row["conversion__author_id"], {})
        sums[row["currency"]] = sums.get(row["currency"], Decimal(0)) + row["total"]

    members = list(
        CreatorProfile.objects.filter(
            Q(referred_by=creator) | Q(referred_by__referred_by=creator)
        )
        .exclude(pk=creator.pk)
        .order_by("created_at", "pk")
    )
    children: dict[int, list[ReferralNode]] = {}
    for member in members:
        if member.referred_by_id != creator.pk:
            children.setdefault(member.referred_by_id, []).append(
                ReferralNode(
                    creator=member,
                    level=2,
                    overrides=_money_pairs(by_author.get(member.pk, {})),
                    children=[],
                )
            )
    levels_1 = [
        ReferralNode(
            creator=member,
            level=1,
            overrides=_money_pairs(by_author.get(member.pk, {})),
            children=children.get(member.pk, []),
        )
        for member in members
        if member.referred_by_id == creator.pk
    ]

    in_tree = {member.pk for member in members}
    elsewhere: dict[str, Decimal] = {}
    totals: dict[str, Decimal] = {}
    for author_id, sums in by_author.items():
        for currency, amount in sums.items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
            if author_id not in in_tree:
                elsewhere[currency] = elsewhere.get(currency, Decimal(0)) + amount
    return ReferralTree(
        levels_1=levels_1,
        elsewhere=_money_pairs(elsewhere),
        totals=_money_pairs(totals),
    )
