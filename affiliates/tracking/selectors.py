"""Tracking's reads: where a tracked link leads (its target and offer), articles' link codes, and links' health."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet, TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from affiliates.models.connections import TrackingId
from affiliates.models.links import TrackedLink
from products.deeplinks import deep_link_expand
from products.models import Availability, LinkStatus, Offer
from products.validators import validate_offer_url

# Stands in for the click id in a target's precomputed destination: letters only,
# so that no URL encoding changes it; a click id (URL-safe base64) needs none either.
CLICK_ID_SLOT = "ZhongcaoClickIdSlot"
# Stands in for the creator's tracking id (deep-link templates with {tracking_id}),
# filled in per link: one offer's destination serves every creator's links.
TRACKING_ID_SLOT = "ZhongcaoTrackingIdSlot"


@dataclass(frozen=True)
class LinkTarget:
    """Everything the redirect needs about one code, without touching the database.

    ``destination`` is the merchant URL with CLICK_ID_SLOT where the click id goes,
    expanded through the deep-link template once per cache fill, not once per click.
    """

    link_id: int
    destination: str
    sends_referrer: bool
    is_preview: bool
    offer_id: int | None


def _best_offer(
    original: Offer | None,
    product_id: int | None,
    in_stock_by_product: dict[int, list[Offer]],
) -> Offer | None:
    """The link's offer if in stock; else the product's best in-stock offer (lowest
    price in the same currency, else the lowest of any); else the original.
    ``in_stock_by_product`` holds each product's in-stock offers by price, then pk."""
    if original is not None and original.availability == Availability.IN_STOCK:
        return original
    if product_id is None:
        return original
    in_stock = in_stock_by_product.get(product_id)
    if not in_stock:
        return original
    if original is not None:
        for offer in in_stock:
            if offer.currency == original.currency:
                return offer
    return in_stock[0]


def offer_link_destination(*, offer: Offer, offers: Iterable[Offer]) -> Offer:
    """The offer that a tracked link of ``offer`` really sends its reader to, among
    its product's ``offers`` (all of them, with their merchants): the same rule as
    the redirect's (link_targets_load), so that a page can name the merchant and
    price before the click. ``offer`` itself when it is in stock, or when no other
    offer is."""
    in_stock = sorted(
        (
            each
            for each in offers
            if each.availability == Availability.IN_STOCK
            and each.product_id == offer.product_id
        ),
        key=lambda each: (each.price, each.pk),
    )
    return _best_offer(offer, offer.product_id, {offer.product_id: in_stock}) or offer


def _offers_for_targets(offers: QuerySet[Offer]) -> dict[int, Offer]:
    return {offer.pk: offer for offer in offers.select_related("merchant").order_by()}


def link_targets_load(*, links: QuerySet[TrackedLink]) -> dict[str, LinkTarget | None]:
    """Read the redirect targets of ``links`` from the database, by code (None for a
    link that has none: no offer left, or a URL its merchant does not allow).

    The one rule of where a link sends its reader, for one code (the redirect) or
    for all (each process's map of targets, affiliates.tracking.linktargets): the offers first
    (the links' own and their products' in-stock ones), then the links, in two
    queries whatever their number. The destination can only be a stored offer URL
    whose host is one of its merchant's allowed domains, checked again here, and is
    expanded once per offer, not once per link.
    """
    offers = _offers_for_targets(
        Offer.objects.filter(
            Q(pk__in=links.values("offer_id"))
            | Q(
                product_id__in=links.values("product_id"),
                availability=Availability.IN_STOCK,
            )
        )
    )
    rows = list(
        links.order_by().values_list(
            "code",
            "pk",
            "is_preview",
            "offer_id",
            "product_id",
            "author_id",
            "article_id",
        )
    )
    # A link made or changed between the two queries may name an offer not read yet.
    unread = {row[3] for row in rows if row[3] is not None} - offers.keys()
    if unread:
        offers |= _offers_for_targets(
            Offer.objects.filter(
                Q(pk__in=unread)
                | Q(
                    product_id__in=Offer.objects.filter(pk__in=unread).values(
                        "product_id"
                    ),
                    availability=Availability.IN_STOCK,
                )
            )
        )
    in_stock_by_product: dict[int, list[Offer]] = {}
    for offer in sorted(offers.values(), key=lambda offer: (offer.price, offer.pk)):
        if offer.availability == Availability.IN_STOCK:
            in_stock_by_product.setdefault(offer.product_id, []).append(offer)
    destinations: dict[int, tuple[str, bool] | None] = {}
    targets: dict[str, LinkTarget | None] = {}
    needing_tracking_ids = []
    for code, link_id, is_preview, offer_id, product_id, author_id, article_id in rows:
        offer = _best_offer(offers.get(offer_id), product_id, in_stock_by_product)
        if offer is None:
            targets[code] = None
            continue
        if offer.pk not in destinations:
            destinations[offer.pk] = _offer_destination(offer)
        destination = destinations[offer.pk]
        targets[code] = (
            None
            if destination is None
            else LinkTarget(
                link_id=link_id,
                destination=destination[0],
                sends_referrer=destination[1],
                is_preview=is_preview,
                offer_id=offer.pk,
            )
        )
        if destination is not None and TRACKING_ID_SLOT in destination[0]:
            needing_tracking_ids.append(
                (code, offer.merchant_id, author_id, article_id)
            )
    if needing_tracking_ids:
        _tracking_ids_fill(targets, needing_tracking_ids)
    return targets


def _tracking_ids_fill(
    targets: dict[str, LinkTarget | None], needing: list[tuple[str, int, int, int]]
) -> None:
    """Put each link's creator's tracking id (for the destination's merchant; the
    one for the link's article, else the creator's own) in its destination; a
    creator with none yet gets an empty one (the sale is then not attributed: the
    connection's health says its pool ran out)."""
    assigned = {}
    for merchant_id, creator_id, article_id, value in TrackingId.objects.filter(
        connection__merchant_id__in={row[1] for row in needing},
        creator_id__in={row[2] for row in needing},
    ).values_list("connection__merchant_id", "creator_id", "article_id", "value"):
        assigned[(merchant_id, creator_id, article_id)] = value
    for code, merchant_id, author_id, article_id in needing:
        value = assigned.get((merchant_id, author_id, article_id)) or assigned.get(
            (merchant_id, author_id, None), ""
        )
        target = targets[code]
        targets[code] = replace(
            target,
            destination=target.destination.replace(
                TRACKING_ID_SLOT, quote(value, safe="")
            ),
        )


def _offer_destination(offer: Offer) -> tuple[str, bool] | None:
    """(destination with CLICK_ID_SLOT, sends referrer) of an offer, or None when its
    URL is not one its merchant allows."""
    merchant = offer.merchant
    try:
        validate_offer_url(offer.url, merchant.domains)
    except ValidationError:
        return None
    if CLICK_ID_SLOT in offer.url:
        return None
    destination = deep_link_expand(
        template=merchant.deep_link_template,
        url=offer.url,
        click_id=CLICK_ID_SLOT,
        tracking_id=TRACKING_ID_SLOT,
    )
    return destination, merchant.sends_referrer


def article_link_codes(
    *, article_id: int, preview: bool = False
) -> dict[tuple[str, int], str]:
    """The codes of the links an article shows now, by (placement, offer id).

    Retired links are left out: after an author change and back, the former
    author's retired link has the same placement and offer as the current one and
    must never be shown (it would credit them)."""
    return {
        (placement, offer_id): code
        for placement, offer_id, code in TrackedLink.objects.filter(
            article_id=article_id,
            is_preview=preview,
            offer__isnull=False,
            retired_at__isnull=True,
        ).values_list("placement", "offer_id", "code")
    }


def links_current() -> QuerySet[TrackedLink]:
    """Tracked links an article shows readers now: not retired, not made for a
    preview (whose clicks are never billable)."""
    return TrackedLink.objects.filter(retired_at__isnull=True, is_preview=False)


def links_in_published_articles() -> QuerySet[TrackedLink]:
    """Tracked links that readers can follow from a published article: current, in a
    live page."""
    return links_current().filter(article__live=True, offer__isnull=False)


class LinkProblem(TextChoices):
    BROKEN = "broken", gettext_lazy("Broken link")
    OUT_OF_STOCK = Availability.OUT_OF_STOCK.value, Availability.OUT_OF_STOCK.label
    DISCONTINUED = Availability.DISCONTINUED.value, Availability.DISCONTINUED.label


_LINK_PROBLEM_CONDITIONS = {
    # A check of the offer's current URL: an editor who fixes the URL takes the
    # offer off the report at once.
    LinkProblem.BROKEN: Q(
        link_check__status=LinkStatus.BROKEN, link_check__url=F("url")
    ),
    LinkProblem.OUT_OF_STOCK: Q(availability=Availability.OUT_OF_STOCK),
    LinkProblem.DISCONTINUED: Q(availability=Availability.DISCONTINUED),
}


def link_problem_condition(*, problem: LinkProblem | str | None = None) -> Q:
    """The offers with ``problem``, or with any problem."""
    if problem:
        return _LINK_PROBLEM_CONDITIONS[LinkProblem(problem)]
    condition = Q()
    for each in _LINK_PROBLEM_CONDITIONS.values():
        condition |= each
    return condition


def offers_with_link_problems() -> QuerySet[Offer]:
    """Offers used in a published article that are out of stock, discontinued or
    whose URL the link checker found broken."""
    return (
        Offer.objects.filter(pk__in=links_in_published_articles().values("offer_id"))
        .filter(link_problem_condition())
        .select_related("product", "merchant", "link_check")
        .order_by("product__title", "merchant__name", "pk")
    )


@dataclass(frozen=True)
class ArticleRef:
    pk: int
    title: str


@dataclass(frozen=True)
class LinkHealthRow:
    """One offer of the link health report."""

    offer_pk: int
    product: str
    merchant: str
    url: str
    problem: str
    checked_at: datetime.datetime | None
    http_status: int | None
    articles: tuple[ArticleRef, ...]

    @property
    def article_titles(self) -> str:
        return "; ".join(article.title for article in self.articles)


def _offer_problems(offer: Offer) -> list[str]:
    problems = []
    check = getattr(offer, "link_check", None)
    if check is not None and check.url == offer.url:
        if check.status == LinkStatus.BROKEN:
            if check.consecutive_failures:
                problems.append(
                    _("Broken link: not found %(count)s times in a row")
                    % {"count": check.consecutive_failures}
                )
            else:
                problems.append(
                    _("Broken link: %(count)s errors in a row")
                    % {"count": check.consecutive_errors}
                )
    if offer.availability != Availability.IN_STOCK:
        problems.append(str(offer.get_availability_display()))
    return problems


def link_health_rows(*, offers: Iterable[Offer]) -> list[LinkHealthRow]:
    """The report's rows for ``offers`` (from offers_with_link_problems), each with
    the published articles that use the offer: one query, whatever the count."""
    offers = list(offers)
    articles: dict[int, list[ArticleRef]] = {}
    for offer_id, article_id, title in (
        links_in_published_articles()
        .filter(offer_id__in=[offer.pk for offer in offers])
        .values_list("offer_id", "article_id", "article__title")
        .distinct()
        .order_by("offer_id", "article__title", "article_id")
    ):
        articles.setdefault(offer_id, []).append(ArticleRef(article_id, title))
    rows = []
    for offer in offers:
        check = getattr(offer, "link_check", None)
        current = check if check is not None and check.url == offer.url else None
        rows.append(
            LinkHealthRow(
                offer_pk=offer.pk,
                product=str(offer.product),
                merchant=offer.merchant.name,
                url=offer.url,
                problem="; ".join(_offer_problems(offer)),
                checked_at=current.checked_at if current else None,
                http_status=current.http_status if current else None,
                articles=tuple(articles.get(offer.pk, ())),
            )
        )
    return rows
