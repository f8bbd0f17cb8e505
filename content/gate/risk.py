"""Revenue at risk: which published articles lose the most expected earnings to
their offers' gate issues (docs/publish-gate.md, "Revenue at risk").

An article is at risk through its live tracked links (one per embed and offer,
made when it was published) whose offer has an offer issue of the publish gate:
not in stock, a broken link, a price moved by more than the gate's threshold since
the article was first published, or no commission. Its money at risk is, for each
such link, the link's billable clicks of the last ``days`` days × the offer's
expected earning per click (``offer_epc``), summed per article and currency.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.models import DailyLinkClicks, DailyLinkSales, TrackedLink
from content.gate.selectors import (
    GateIssue,
    IssueKind,
    _link_broken,
    _offer_issues,
    gate_settings,
)
from content.models import PublishGateSettings
from products.models import Availability, Offer
from products.money import money_plain
from products.selectors import offer_currency, offers_price_histories

# A reader who clicks through buys this often when the merchant's own figures do
# not say (affiliate links convert at 1–5 %; 2 % is the middle of the usual range).
DEFAULT_CONVERSION_RATE = Decimal("0.02")
# A merchant's observed earnings per click are used from this many billable clicks
# in the window on; fewer say too little.
MIN_OBSERVED_CLICKS = 100
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ArticleRisk:
    """One article's money at risk in one currency, and what puts it at risk."""

    article_id: int
    title: str
    author: str
    currency: str
    issues: tuple[GateIssue, ...]
    clicks: int
    amount: Decimal
    # For each offer not in stock, broken or without commission: its best live
    # substitute (``offer_substitute``), said for people.
    substitutes: tuple[str, ...] = ()

    @property
    def issues_text(self) -> str:
        return "; ".join(str(issue) for issue in self.issues)

    @property
    def substitutes_text(self) -> str:
        return "; ".join(self.substitutes)


@dataclass(frozen=True)
class Epc:
    """An offer's expected earning per click, and whether it was observed."""

    amount: Decimal
    observed: bool


def offer_epc(*, offer: Offer, observed: dict) -> Epc:
    """The expected platform commission of one click on ``offer``.

    Observed, when its merchant had at least ``MIN_OBSERVED_CLICKS`` billable
    clicks in the window and commission in the offer's currency: that commission ÷
    those clicks (its conversion rate × its average commission). Otherwise the
    offer's price × its effective commission rate (the merchant's default rate when
    the offer's is 0: what "lost commission" loses) × ``DEFAULT_CONVERSION_RATE``.
    ``observed`` is by (merchant id, currency): (clicks, commission)."""
    currency = offer_currency(offer)
    clicks, commission = observed.get((offer.merchant_id, currency), (0, Decimal(0)))
    if clicks >= MIN_OBSERVED_CLICKS and commission > 0:
        return Epc(amount=commission / clicks, observed=True)
    rate = offer.effective_commission_rate or offer.merchant.default_commission_rate
    return Epc(
        amount=offer.price * rate / HUNDRED * DEFAULT_CONVERSION_RATE, observed=False
    )


# The issues a substitute offer answers (a price change is the same offer's).
SUBSTITUTABLE = frozenset(
    {IssueKind.OUT_OF_STOCK, IssueKind.BROKEN_LINK, IssueKind.NO_COMMISSION}
)


def offer_substitute(*, offer: Offer, in_stock: list[Offer]) -> Offer | None:
    """The best live substitute of ``offer`` among its product's ``in_stock``
    offers (cheapest first): another offer in stock, whose link the checker has
    not found broken, that earns a commission, in ``offer``'s currency if one
    does; None when no offer qualifies."""
    healthy = [
        other
        for other in in_stock
        if other.pk != offer.pk
        and other.product_id == offer.product_id
        and other.availability == Availability.IN_STOCK
        and not _link_broken(other)
        and other.effective_commission_rate > 0
    ]
    healthy.sort(key=lambda other: (other.price, other.pk))
    currency = offer_currency(offer)
    same = [other for other in healthy if offer_currency(other) == currency]
    return (same or healthy or [None])[0]


def _substitute_text(offer: Offer, substitute: Offer | None) -> str:
    values = {"product": offer.product.title, "merchant": offer.merchant.name}
    if substitute is None:
        return _("%(product)s @ %(merchant)s: no live substitute") % values
    return _("%(product)s @ %(merchant)s → %(substitute)s, %(price)s") % {
        **values,
        "substitute": substitute.merchant.name,
        "price": money_plain(substitute.price, offer_currency(substitute)),
    }


def _price_then(history: list, moment: datetime.datetime):
    """The history row in effect at ``moment`` (offer_price_at's answer)."""
    then = None
    for row in history:
        if row.recorded_at > moment:
            break
        then = row
    return then


def _link_issues(
    *, link: TrackedLink, history: list, threshold: Decimal
) -> list[GateIssue]:
    """The gate's offer issues of the offer of ``link``, as of its article (the
    gate's own checks, content.gate.selectors._offer_issues)."""
    offer = link.offer
    published = link.article.first_published_at
    written = _price_then(history, published) if published else None
    return list(
        _offer_issues(
            offers=[offer],
            placements={offer.product_id: [link.placement]},
            then={offer.pk: written} if written is not None else {},
            threshold_percent=threshold,
        )
    )


def _observed_epc(
    *, merchant_ids: set[int], since: datetime.date, until: datetime.date
) -> dict:
    """(clicks, commission) by (merchant id, currency) from ``since`` to ``until``:
    two queries."""
    if not merchant_ids:
        return {}
    clicks = dict(
        DailyLinkClicks.objects.filter(
            day__range=(since, until), offer__merchant_id__in=merchant_ids
        )
        .values_list("offer__merchant_id")
        .annotate(total=Sum("billable_clicks"))
        .values_list("offer__merchant_id", "total")
    )
    observed = {}
    for merchant_id, currency, commission in (
        DailyLinkSales.objects.filter(
            day__range=(since, until), merchant_id__in=merchant_ids
        )
        .values_list("merchant_id", "currency")
        .annotate(total=Sum("commission"))
        .values_list("merchant_id", "currency", "total")
    ):
        observed[(merchant_id, currency)] = (
            clicks.get(merchant_id, 0),
            commission or Decimal(0),
        )
    return observed


def articles_revenue_at_risk(
    *,
    days: int = 30,
    now: datetime.datetime | None = None,
    settings: PublishGateSettings | None = None,
) -> list[ArticleRisk]:
    """Every published article with a gate issue on an offer it links to, per
    currency, most money at risk first (then most clicks, then title): the billable
    clicks of the last ``days`` UTC days (today included) on its links to those
    offers × each offer's ``offer_epc``. Claims are not offers and count nothing
    here. Six queries (seven without ``settings``), whatever the number of articles,
    links and clicks."""
    now = now or timezone.now()
    settings = settings or gate_settings()
    until = now.astimezone(datetime.UTC).date()
    since = until - datetime.timedelta(days=days - 1)
    links = list(
        TrackedLink.objects.filter(
            is_preview=False,
            retired_at__isnull=True,
            article__live=True,
            offer__isnull=False,
        ).select_related(
            "article",
            "author",
            "offer__merchant",
            "offer__product",
            "offer__link_check",
        )
    )
    if not links:
        return []
    moments = [
        link.article.first_published_at
        for link in links
        if link.article.first_published_at is not None
    ]
    histories = (
        offers_price_histories(
            offer_ids=sorted({link.offer_id for link in links}), since=min(moments)
        )
        if moments
        else {}
    )
    issues_of = {}
    for link in links:
        issues = _link_issues(
            link=link,
            history=histories.get(link.offer_id, []),
            threshold=settings.price_change_percent,
        )
        if issues:
            issues_of[link.pk] = issues
    if not issues_of:
        return []
    clicks = dict(
        DailyLinkClicks.objects.filter(link_id__in=issues_of, day__range=(since, until))
        .values_list("link_id")
        .annotate(total=Sum("billable_clicks"))
        .values_list("link_id", "total")
    )
    risky = [link for link in links if link.pk in issues_of]
    observed = _observed_epc(
        merchant_ids={link.offer.merchant_id for link in risky},
        since=since,
        until=until,
    )
    in_stock = defaultdict(list)
    for offer in Offer.objects.filter(
        product_id__in={link.offer.product_id for link in risky},
        availability=Availability.IN_STOCK,
    ).select_related("merchant", "link_check"):
        in_stock[offer.product_id].append(offer)
    totals: dict[tuple[int, str], dict] = defaultdict(
        lambda: {"clicks": 0, "amount": Decimal(0), "issues": {}, "substitutes": {}}
    )
    for link in risky:
        currency = offer_currency(link.offer)
        total = totals[(link.article_id, currency)]
        total["link"] = link
        link_clicks = clicks.get(link.pk, 0) or 0
        total["clicks"] += link_clicks
        total["amount"] += (
            link_clicks * offer_epc(offer=link.offer, observed=observed).amount
        )
        for issue in issues_of[link.pk]:
            total["issues"].setdefault((issue.kind, issue.offer_id), issue)
        if link.offer_id not in total["substitutes"] and any(
            issue.kind in SUBSTITUTABLE for issue in issues_of[link.pk]
        ):
            total["substitutes"][link.offer_id] = _substitute_text(
                link.offer,
                offer_substitute(
                    offer=link.offer, in_stock=in_stock[link.offer.product_id]
                ),
            )
    rows = [
        ArticleRisk(
            article_id=article_id,
            title=total["link"].article.title,
            author=total["link"].author.public_name,
            currency=currency,
            issues=tuple(total["issues"].values()),
            clicks=total["clicks"],
            amount=total["amount"].quantize(CENT),
            substitutes=tuple(total["substitutes"].values()),
        )
        for (article_id, currency), total in totals.items()
    ]
    rows.sort(key=lambda row: (-row.amount, -row.clicks, row.title, row.article_id))
    return rows
