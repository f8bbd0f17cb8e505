"""What the catalog does with a merchant's feed: each item brought to the offer it
matches, or proposed to an editor (docs/feeds.md).

Matching, for each item, among the merchant's offers, first hit wins:

1. the offer whose ``feed_item_id`` is the item's id;
2. an offer without a feed item id, on the product whose GTIN is the item's;
3. …whose SKU is the item's MPN, then the item's id;
4. …whose URL is the item's link.

A match by 2–4 gives the offer the item's id, so the next sync matches it by 1. A
match that names several offers (two offers of the merchant on products with the
same GTIN) is refused: an editor says which by setting the offer's feed item id.

A matched item is applied with ``products.services.offer_refresh`` (the offer's
validation, only changed fields saved, history appended when price or stock
changed): the price a reader pays now (the sale price while the sale is in
effect, the regular price then kept as ``list_price``), the availability, the
link. An item in another currency than its offer is refused. An item that matches
nothing becomes an ``OfferProposal`` (one per merchant and id, updated by each
sync); the editor accepts it (``offer_proposal_accept``) or dismisses it.

The merchant's offers are read once into an index of a few ids each (the catalog's
size, not the feed's), and items are applied in batches, so a sync holds one batch
of the feed in memory and makes a few queries per batch. Each batch's offers are
brought up to date in one transaction, so that a batch is one change to whatever
listens (one ``product.changed`` webhook event naming all its products); an item
that changes nothing writes nothing and tells nobody.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from products.models import (
    Merchant,
    Offer,
    OfferProposal,
    PriceSource,
    Product,
    ProposalStatus,
)
from products.selectors import offer_currency
from products.services import OfferState, offer_prices_record, offer_refresh
from products.slugs import slug_base, slug_unique
from products.validators import validate_gtin

from .parse import FeedEntry, FeedError, FeedItem, FeedRejection

BATCH_SIZE = 500
# The first refusals of a sync are kept with their reasons; the rest are counted.
REJECTIONS_KEPT = 50


@dataclass
class FeedSummary:
    """What one sync of a feed did, item by item."""

    read: int = 0
    matched: int = 0
    updated: int = 0
    unchanged: int = 0
    proposed: int = 0
    proposals_new: int = 0
    dismissed: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    # Why the feed could not be read to its end ("" when it was).
    error: str = ""

    def reject(self, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < REJECTIONS_KEPT:
            self.rejections.append(reason)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.read} items read: {self.matched} matched ({self.updated} "
            f"updated, {self.unchanged} unchanged), {self.proposed} proposed "
            f"({self.proposals_new} new), {self.dismissed} dismissed earlier, "
            f"{self.rejected} rejected"
        )


class _OfferIndex:
    """The merchant's offers by feed item id, and those without one by their
    product's GTIN and SKU and by URL: offer pks only."""

    def __init__(self, merchant: Merchant):
        self.by_feed_id: dict[str, int] = {}
        self.by_gtin: dict[str, list[int]] = {}
        self.by_sku: dict[str, list[int]] = {}
        self.by_url: dict[str, list[int]] = {}
        rows = Offer.objects.filter(merchant=merchant).values_list(
            "pk", "feed_item_id", "url", "product__gtin", "product__sku"
        )
        for pk, feed_item_id, url, gtin, sku in rows.iterator(chunk_size=2000):
            if feed_item_id:
                self.by_feed_id[feed_item_id] = pk
                continue
            for index, key in (
                (self.by_gtin, gtin),
                (self.by_sku, sku),
                (self.by_url, url),
            ):
                if key:
                    index.setdefault(key.strip(), []).append(pk)
        # Offers given an id during this sync: no longer candidates by 2–4.
        self.claimed: set[int] = set()

    def match(self, item: FeedItem) -> tuple[int | None, str]:
        """(the offer pk, "") or (None, why several match) or (None, "")."""
        if item.id in self.by_feed_id:
            return self.by_feed_id[item.id], ""
        for label, index, key in (
            ("GTIN", self.by_gtin, item.gtin),
            ("SKU", self.by_sku, item.mpn),
            ("SKU", self.by_sku, item.id),
            ("URL", self.by_url, item.link),
        ):
            if not key:
                continue
            candidates = [pk for pk in index.get(key, ()) if pk not in self.claimed]
            if len(candidates) == 1:
                return candidates[0], ""
            if len(candidates) > 1:
                return None, (
                    f"its {label} matches several offers "
                    f"({', '.join(f'#{pk}' for pk in sorted(candidates)[:5])}); set the feed "
                    "item id of the right one"
                )
        return None, ""

    def claim(self, item: FeedItem, pk: int) -> None:
        self.by_feed_id[item.id] = pk
        self.claimed.add(pk)


def _web_url(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else ""


def _proposal_values(item: FeedItem, *, at: datetime.datetime) -> dict:
    price, list_price = item.prices_at(at)
    return {
        "title": item.title[:300],
        "brand": item.brand[:120],
        "gtin": item.gtin,
        "mpn": item.mpn[:70],
        "url": _web_url(item.link),
        "image_url": _web_url(item.image_link),
        "price": price,
        "list_price": list_price,
        "currency": item.currency,
        "availability": item.availability,
    }


class _FeedApply:
    def __init__(self, *, merchant: Merchant, at: datetime.datetime):
        self.merchant = merchant
        self.at = at
        self.index = _OfferIndex(merchant)
        self.summary = FeedSummary()
        # An offer matched by one item is not matched by another (a duplicate id).
        self.applied: dict[int, str] = {}

    def batch(self, items: list[FeedItem]) -> None:
        matched: list[tuple[FeedItem, int]] = []
        unmatched: list[FeedItem] = []
        for item in items:
            pk, ambiguity = self.index.match(item)
            if ambiguity:
                self.summary.reject(f"{item.position} ({item.id}): {ambiguity}")
            elif pk is None:
                unmatched.append(item)
            elif pk in self.applied:
                self.summary.reject(
                    f"{item.position} ({item.id}): matches offer #{pk}, already "
                    f"brought up to date by {self.applied[pk]}"
                )
            else:
                matched.append((item, pk))
                self.applied[pk] = item.position
        offers = Offer.objects.select_related("merchant").in_bulk(
            [pk for _item, pk in matched]
        )
        # One transaction per batch: what listens to offer changes (the webhooks'
        # product.changed) hears the batch as one change, not one per offer. An
        # item refused by validation is refused before anything is written.
        with transaction.atomic():
            for item, pk in matched:
                offer = offers.get(pk)
                if offer is None:  # deleted since the index was read
                    unmatched.append(item)
                    continue
                self._offer_apply(item, offer)
        self._proposals_apply(unmatched)

    def _offer_apply(self, item: FeedItem, offer: Offer) -> None:
        currency = offer_currency(offer)
        if item.currency != currency:
            self.summary.reject(
                f"{item.position} ({item.id}): price: in {item.currency}, offer "
                f"#{offer.pk} is in {currency}"
            )
            return
        price, list_price = item.prices_at(self.at)
        state = OfferState(
            price=price,
            availability=item.availability,
            list_price=list_price,
            url=item.link or None,
            feed_item_id=item.id,
        )
        try:
            changed = offer_refresh(
                offer=offer, state=state, source=PriceSource.FEED, at=self.at
            )
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(texts)}"
                for name, texts in error.message_dict.items()
            )
            self.summary.reject(
                f"{item.position} ({item.id}): offer #{offer.pk}: {messages}"
            )
            return
        self.index.claim(item, offer.pk)
        self.summary.matched += 1
        if changed:
            self.summary.updated += 1
        else:
            self.summary.unchanged += 1

    def _proposals_apply(self, items: list[FeedItem]) -> None:
        if not items:
            return
        latest = {item.id: item for item in items}  # a duplicate id: the last wins
        with transaction.atomic():
            existing = {
                proposal.feed_item_id: proposal
                for proposal in OfferProposal.objects.select_for_update().filter(
                    merchant=self.merchant, feed_item_id__in=list(latest)
                )
            }
            new = []
            for item_id, item in latest.items():
                values = _proposal_values(item, at=self.at)
                proposal = existing.get(item_id)
                if proposal is None:
                    new.append(
                        OfferProposal(
                            merchant=self.merchant,
                            feed_item_id=item_id,
                            seen_at=self.at,
                            **values,
                        )
                    )
                    continue
                changed = [
                    name
                    for name, value in values.items()
                    if getattr(proposal, name) != value
                ]
                for name in changed:
                    setattr(proposal, name, values[name])
                if changed:
                    proposal.save(update_fields=changed)
            OfferProposal.objects.bulk_create(new, ignore_conflicts=True)
            OfferProposal.objects.filter(
                pk__in=[p.pk for p in existing.values()]
            ).update(seen_at=self.at)
        for item in items:
            proposal = existing.get(item.id)
            if proposal is None:
                self.summary.proposed += 1
            elif proposal.status == ProposalStatus.PENDING:
                self.summary.proposed += 1
            else:
                self.summary.dismissed += 1
        self.summary.proposals_new += len(new)


def merchant_feed_apply(
    *,
    merchant: Merchant,
    entries: Iterable[FeedEntry],
    at: datetime.datetime | None = None,
    progress: Callable[[FeedSummary], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> FeedSummary:
    """Bring the merchant's offers to the feed's ``entries`` (from
    ``parse.feed_entries``) and propose the items that match none; return what was
    done. ``at`` (default now) decides which sale prices are in effect and dates
    the history. ``progress`` is called after each batch. When the feed cannot be
    read to its end (a FeedError from ``entries``), the items before the break are
    applied (each stands on its own) and the summary's ``error`` says why."""
    run = _FeedApply(merchant=merchant, at=at or timezone.now())
    pending: list[FeedItem] = []
    try:
        for entry in entries:
            run.summary.read += 1
            if isinstance(entry, FeedRejection):
                run.summary.reject(str(entry))
            else:
                pending.append(entry)
            if len(pending) >= batch_size:
                run.batch(pending)
                pending = []
                if progress is not None:
                    progress(run.summary)
    except FeedError as error:
        run.summary.error = error.reason
    if pending:
        run.batch(pending)
    if progress is not None:
        progress(run.summary)
    return run.summary


# -- Proposals: an editor's decision -------------------------------------------------


def _pending_locked(proposal: OfferProposal) -> OfferProposal:
    locked = OfferProposal.objects.select_for_update().select_related("merchant")
    proposal = locked.get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(
            {
                "status": _("This proposal was already %(status)s.")
                % {"status": proposal.get_status_display().lower()}
            }
        )
    return proposal


def offer_proposal_accept(
    *,
    proposal: OfferProposal,
    product: Product | None = None,
    title: str = "",
) -> Offer:
    """Make the proposal an offer of its merchant on ``product``, or on a new
    product (titled ``title``, else the item's title) when None; its first price
    joins the history. Raises ValidationError naming the field (an offer URL off
    the merchant's domains, an offer of that feed item id already there), and then
    nothing is written."""
    with transaction.atomic():
        proposal = _pending_locked(proposal)
        merchant = proposal.merchant
        if Offer.objects.filter(
            merchant=merchant, feed_item_id=proposal.feed_item_id
        ).exists():
            raise ValidationError(
                {
                    "feed_item_id": _(
                        "An offer of %(merchant)s already has the feed item id %(id)s."
                    )
                    % {"merchant": merchant, "id": proposal.feed_item_id}
                }
            )
        if product is None:
            product_title = (title or proposal.title or proposal.feed_item_id).strip()
            gtin = proposal.gtin
            try:
                validate_gtin(gtin)
            except ValidationError:
                gtin = ""
            product = Product(
                title=product_title[:200],
                brand=proposal.brand,
                gtin=gtin,
                sku=proposal.mpn[:64],
                slug=slug_unique(
                    model=Product,
                    base=slug_base(product_title),
                    fallback="product",
                ),
            )
            product.full_clean()
            product.save()
        offer = Offer(
            product=product,
            merchant=merchant,
            url=proposal.url,
            price=proposal.price,
            list_price=proposal.list_price,
            currency=""
            if proposal.currency == merchant.currency
            else proposal.currency,
            availability=proposal.availability,
            feed_item_id=proposal.feed_item_id,
        )
        offer.full_clean()
        offer.save()
        offer_prices_record(offers=[offer], source=PriceSource.FEED)
        proposal.status = ProposalStatus.ACCEPTED
        proposal.offer = offer
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "offer", "decided_at"])
    return offer


def offer_proposal_dismiss(*, proposal: OfferProposal) -> OfferProposal:
    """The editor does not want this item: later syncs keep it dismissed."""
    with transaction.atomic():
        proposal = _pending_locked(proposal)
        proposal.status = ProposalStatus.DISMISSED
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_at"])
    return proposal
