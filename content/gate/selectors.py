"""The publish gate's reads: what is wrong with the offers an article embeds, and
which of its price claims the price history contradicts (docs/publish-gate.md).

An issue is about one offer of one embedded product (or one claim about one
product): out of stock, a link the checker found broken, a price that moved more
than the threshold since the article was first published, no commission, or a price
claim that is not true. Coupons do not exist yet: when offers gain them (issue 20,
coupons), an expired coupon becomes one more kind here (see ``IssueKind``) and one
more check in ``article_offer_issues``; nothing pretends to check them today.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from content.gate.claims import Claim, ClaimKind, claims_find
from content.models import ArticlePage, GuidePage, PublishGateSettings, ReviewPage
from content.selectors import article_product_embeds
from products.models import Availability, LinkStatus, Offer
from products.money import money_plain
from products.selectors import offer_currency, offer_price_at, offers_lowest_prices

LOWEST_EVER_DAYS = 365
HUNDRED = Decimal(100)


class IssueKind(models.TextChoices):
    OUT_OF_STOCK = "out_of_stock", gettext_lazy("Not in stock")
    BROKEN_LINK = "broken_link", gettext_lazy("Broken link")
    PRICE_CHANGED = "price_changed", gettext_lazy("Price changed since published")
    NO_COMMISSION = "no_commission", gettext_lazy("No commission")
    FALSE_CLAIM = "false_claim", gettext_lazy("Price claim not true")
    # COUPON_EXPIRED belongs here once offers have coupons (they do not yet).


@dataclass(frozen=True)
class GateIssue:
    """One thing wrong with an article's offers or claims, said for people."""

    kind: IssueKind
    product_id: int
    product: str
    detail: str
    offer_id: int | None = None
    merchant: str = ""
    placements: tuple[str, ...] = field(default=())

    @property
    def kind_label(self) -> str:
        return str(self.kind.label)

    def as_json(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["placements"] = list(self.placements)
        return data

    def __str__(self) -> str:
        where = f"{self.product} @ {self.merchant}" if self.merchant else self.product
        return f"{self.kind_label}: {where}: {self.detail}"


def gate_settings() -> PublishGateSettings:
    return PublishGateSettings.load()


def _embedded_offers(*, article: ArticlePage) -> tuple[list[Offer], dict]:
    """The offers of every product the article embeds, with their merchant, product
    and link check (one query), and the placements of each product."""
    placements: dict[int, list[str]] = defaultdict(list)
    for embed in article_product_embeds(article=article):
        placements[embed.product_id].append(embed.placement)
    if not placements:
        return [], placements
    offers = list(
        Offer.objects.filter(product_id__in=placements)
        .select_related("merchant", "product", "link_check")
        .order_by("product_id", "price", "pk")
    )
    return offers, placements


def _issue(offer: Offer, kind: IssueKind, detail: str, placements) -> GateIssue:
    return GateIssue(
        kind=kind,
        product_id=offer.product_id,
        product=offer.product.title,
        offer_id=offer.pk,
        merchant=offer.merchant.name,
        detail=detail,
        placements=tuple(placements.get(offer.product_id, ())),
    )


def _link_broken(offer: Offer) -> bool:
    try:
        check = offer.link_check
    except Offer.link_check.RelatedObjectDoesNotExist:
        return False
    # A check of another URL (the offer's was changed since) says nothing of this one.
    return check.status == LinkStatus.BROKEN and check.url == offer.url


def _price_change(written, offer: Offer) -> tuple[str, Decimal] | None:
    """How ``offer``'s price differs from the history row ``written`` (said for
    people) and by how many percent; a change of currency, or from a price of 0,
    counts as 100 %. None when nothing changed."""
    currency = offer_currency(offer)
    values = {
        "then": money_plain(written.price, written.currency),
        "now": money_plain(offer.price, currency),
    }
    if written.currency != currency or (written.price == 0 and offer.price != 0):
        return _("%(then)s when published, %(now)s now.") % values, HUNDRED
    if written.price == 0:
        return None
    percent = (offer.price - written.price) / written.price * HUNDRED
    detail = _("%(then)s when published, %(now)s now (%(percent)s%%).") % {
        **values,
        "percent": f"{percent:+.0f}",
    }
    return detail, percent


def _offer_issues(
    *,
    offers: list[Offer],
    placements: dict,
    then: dict,
    threshold_percent: Decimal,
) -> Iterator[GateIssue]:
    for offer in offers:
        if offer.availability != Availability.IN_STOCK:
            yield _issue(
                offer,
                IssueKind.OUT_OF_STOCK,
                str(offer.get_availability_display()),
                placements,
            )
        if _link_broken(offer):
            yield _issue(
                offer,
                IssueKind.BROKEN_LINK,
                _("The link checker cannot reach %(url)s.") % {"url": offer.url},
                placements,
            )
        written = then.get(offer.pk)
        if written is not None:
            change = _price_change(written, offer)
            if change is not None and abs(change[1]) > threshold_percent:
                yield _issue(offer, IssueKind.PRICE_CHANGED, change[0], placements)
        if offer.effective_commission_rate == 0:
            yield _issue(
                offer,
                IssueKind.NO_COMMISSION,
                _("The commission rate is 0%."),
                placements,
            )


def _prices_when_published(*, article: ArticlePage, offers: list[Offer]) -> dict:
    if article.first_published_at is None or not offers:
        return {}
    return offer_price_at(
        offer_ids=[offer.pk for offer in offers], moment=article.first_published_at
    )


def article_offer_issues(
    *,
    article: ArticlePage,
    now: datetime.datetime | None = None,
    settings: PublishGateSettings | None = None,
) -> list[GateIssue]:
    """Every offer of every product ``article`` embeds that is not in stock, whose
    link the checker found broken, whose price moved by more than the gate's
    threshold since the article was first published (a draft never published has no
    "since": no such issue), or that earns no commission. ``article`` may be a
    revision's page (``revision.as_object()``). Three queries (four without
    ``settings``), whatever the number of embeds and offers."""
    return article_gate_issues(
        article=article, now=now, settings=settings, with_claims=False
    )


def article_gate_issues(
    *,
    article: ArticlePage,
    now: datetime.datetime | None = None,
    settings: PublishGateSettings | None = None,
    with_claims: bool = True,
) -> list[GateIssue]:
    """The gate of ``article``: its offers' issues (``article_offer_issues``) and
    its false price claims (``article_claim_issues``), offers first. One query more
    than the offers' alone when the article claims a lowest price."""
    article = article.specific
    settings = settings or gate_settings()
    offers, placements = _embedded_offers(article=article)
    issues = list(
        _offer_issues(
            offers=offers,
            placements=placements,
            then=_prices_when_published(article=article, offers=offers),
            threshold_percent=settings.price_change_percent,
        )
    )
    if with_claims:
        issues += _claim_issues(article=article, offers=offers, now=now)
    return issues


# -- Price claims ---------------------------------------------------------------------

# Blocks whose text is near the products of the blocks on either side of them.
TEXT_BLOCK_TYPES = frozenset({"rich_text", "heading", "quote", "pros_cons"})


def _block_text(block) -> str:
    value = block.value
    match block.block_type:
        case "rich_text":
            return value.source
        case "heading":
            return value["text"]
        case "quote":
            return value["quote"]
        case "pros_cons":
            return "\n".join([*value["pros"], *value["cons"]])
        case "product_card":
            return value["note"] or ""
        case "product_grid":
            return value["title"] or ""
        case "comparison_table":
            rows = ["\n".join([row["label"], *row["values"]]) for row in value["rows"]]
            return "\n".join([value["caption"] or "", *rows])
        case "pick":
            return "\n".join([value["label"], value["reason"]])
    return ""


def _block_products(block) -> set[int]:
    value = block.value
    if block.block_type in ("product_card", "pick"):
        return {value["product"].pk} if value["product"] is not None else set()
    if block.block_type in ("product_grid", "comparison_table"):
        return {product.pk for product in value["products"] if product is not None}
    return set()


def article_claims(*, article: ArticlePage) -> list[tuple[Claim, set[int]]]:
    """Each price claim of ``article`` with the products it is near
    (content.gate.claims, "near"); claims near no product are left out."""
    article = article.specific
    found = []
    streams = [article.body]
    if isinstance(article, GuidePage):
        streams.append(article.picks)
    for stream in streams:
        blocks = list(stream)
        for position, block in enumerate(blocks):
            text = _block_text(block)
            claims = claims_find(text=text) if text else []
            if not claims:
                continue
            near = _block_products(block)
            if block.block_type in TEXT_BLOCK_TYPES:
                for neighbour in (position - 1, position + 1):
                    if 0 <= neighbour < len(blocks):
                        near |= _block_products(blocks[neighbour])
            found += [(claim, near) for claim in claims if near]
    if isinstance(article, ReviewPage) and article.product_id:
        for text in (article.summary, article.verdict):
            found += [
                (claim, {article.product_id}) for claim in claims_find(text=text or "")
            ]
    return found


def _claimed_offer(claim: Claim, offers: list[Offer]) -> tuple[Offer | None, bool]:
    """The offer a claim is about: the one whose merchant the claim's clause names,
    else the cheapest in stock (the one a product card leads with); and whether a
    merchant was named."""
    clause = claim.clause.casefold()
    for offer in offers:
        if offer.merchant.name.casefold() in clause:
            return offer, True
    in_stock = [o for o in offers if o.availability == Availability.IN_STOCK]
    return (min(in_stock, key=lambda o: o.price) if in_stock else None), False


def _claim_false_because(
    *, claim: Claim, offers: list[Offer], lowest: dict
) -> str | None:
    offer, named = _claimed_offer(claim, offers)
    if offer is None:
        return _("no offer of the product is in stock.")
    if offer.availability != Availability.IN_STOCK:
        return _("%(merchant)s's offer is not in stock.") % {
            "merchant": offer.merchant.name
        }
    currency = offer_currency(offer)
    if claim.kind == ClaimKind.LOWEST_EVER:
        pool = [offer] if named else offers
        lows = [
            lowest[o.pk][LOWEST_EVER_DAYS]
            for o in pool
            if offer_currency(o) == currency
            and lowest.get(o.pk, {}).get(LOWEST_EVER_DAYS) is not None
        ]
        if lows and offer.price > min(lows):
            return _(
                "%(now)s now at %(merchant)s; the lowest of the last %(days)s days "
                "was %(lowest)s."
            ) % {
                "now": money_plain(offer.price, currency),
                "merchant": offer.merchant.name,
                "days": LOWEST_EVER_DAYS,
                "lowest": money_plain(min(lows), currency),
            }
        return None
    cheaper = [
        other
        for other in offers
        if other.merchant_id != offer.merchant_id
        and other.availability == Availability.IN_STOCK
        and offer_currency(other) == currency
        and other.price < offer.price
    ]
    if cheaper:
        cheapest = min(cheaper, key=lambda o: o.price)
        return _("%(merchant)s sells it for %(price)s, less than %(claimed)s.") % {
            "merchant": cheapest.merchant.name,
            "price": money_plain(cheapest.price, currency),
            "claimed": money_plain(offer.price, currency),
        }
    return None


def _claim_issues(
    *, article: ArticlePage, offers: list[Offer], now: datetime.datetime | None
) -> list[GateIssue]:
    claims = article_claims(article=article)
    if not claims:
        return []
    by_product: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        by_product[offer.product_id].append(offer)
    lowest = {}
    if any(claim.kind == ClaimKind.LOWEST_EVER for claim, _near in claims):
        lowest = offers_lowest_prices(
            offer_ids=[offer.pk for offer in offers],
            now=now or timezone.now(),
            periods=(LOWEST_EVER_DAYS,),
        )
    issues = []
    for claim, products in claims:
        for product_id in sorted(products):
            product_offers = by_product.get(product_id, [])
            if not product_offers:
                continue
            reason = _claim_false_because(
                claim=claim, offers=product_offers, lowest=lowest
            )
            if reason is not None:
                issues.append(
                    GateIssue(
                        kind=IssueKind.FALSE_CLAIM,
                        product_id=product_id,
                        product=product_offers[0].product.title,
                        detail=_("“%(claim)s”: %(reason)s")
                        % {"claim": claim.clause, "reason": reason},
                    )
                )
    return issues


def article_claim_issues(
    *, article: ArticlePage, now: datetime.datetime | None = None
) -> list[GateIssue]:
    """The price claims of ``article`` that its products' offers contradict: a
    lowest-ever claim (史低, "all-time low", …) when the claimed offer costs more now
    than the lowest in-stock price of the last 365 days, a cheapest claim (全网最低,
    "cheapest") when another merchant's in-stock offer costs less, and either when
    the claimed offer is not in stock (content.gate.claims says what is claimed
    and of which products)."""
    article = article.specific
    offers, _placements = _embedded_offers(article=article)
    return _claim_issues(article=article, offers=offers, now=now)
