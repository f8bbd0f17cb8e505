"""Loads the demo data (the JSON files of content/demo/data/, read by
content.demo.dataset): accounts, catalog, articles, curation.

The demo is loaded once: when the database already has users or merchants, nothing
is loaded, so a second `make run` keeps whatever the user changed or deleted.
"""

import copy
import datetime
import io
import itertools
import random
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images.models import Image

from affiliates.analytics.services import rollups_rebuild
from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import (
    clicks_store_settling,
    conversion_ingest,
    merchant_connection_ensure,
)
from affiliates.commissions.services.ledger import LedgerError, commissions_approve
from affiliates.commissions.services.payouts import payout_decide, payout_run_create
from affiliates.creators.services import creator_create
from affiliates.models import ConversionSource, CreatorProfile, TrackedLink
from affiliates.roles import EDITORS_GROUP
from affiliates.tracking.clickids import click_id_make
from affiliates.tracking.clicks import PendingClick
from content.demo import dataset as demo_data
from content.demo.images import product_scene, shape_for
from content.models import (
    ArticleCollection,
    ArticleCollectionItem,
    ArticleIndexPage,
    ArticlePage,
    GuidePage,
    HomePage,
    HomePageCollection,
    HomePageFeaturedArticle,
    ReviewPage,
)
from content.services import site_structure_ensure
from products.models import Availability, Merchant, Offer, PriceSource, Product
from products.searchterms import CJK_RUN
from products.services import offer_prices_record

DEMO_USERNAMES = ["editor", *(creator["username"] for creator in demo_data.CREATORS)]


def demo_password(username: str) -> str:
    return f"{username}-demo"


def demo_data_present() -> bool:
    user_model = get_user_model()
    return (
        user_model.objects.filter(username__in=DEMO_USERNAMES).exists()
        or Merchant.objects.exists()
    )


def _image(*, title: str, products: list[tuple[str, str]], name: str) -> Image:
    """A drawn studio picture of ``products`` (shape, colour: content.demo.images)."""
    buffer = io.BytesIO()
    product_scene(products).save(buffer, format="PNG", optimize=True)
    image = Image(title=title)
    image.file = ImageFile(buffer, name=f"demo-{name}.png")
    image.save()
    return image


def _look(data: dict) -> tuple[str, str]:
    """How a demo product is drawn: its shape and colour."""
    return shape_for(slug=data["slug"], tags=data["tags"]), data["color"]


def _merchants() -> dict[str, Merchant]:
    merchants = {}
    for data in demo_data.MERCHANTS:
        merchant = Merchant(
            **{key: value for key, value in data.items() if key != "allowed_domains"},
            allowed_domains="\n".join(data["allowed_domains"]),
        )
        merchant.full_clean()
        merchant.save()
        merchants[merchant.slug] = merchant
    return merchants


def _products(merchants: dict[str, Merchant]) -> dict[str, Product]:
    products = {}
    patterns = itertools.cycle(PRICE_PASTS)
    for data in demo_data.PRODUCTS:
        product = Product(
            title=data["title"],
            slug=data["slug"],
            brand=data["brand"],
            description=data["description"],
            gtin=data["gtin"],
            sku=data["sku"],
            image=_image(
                title=data["title"], products=[_look(data)], name=data["slug"]
            ),
        )
        product.full_clean()
        product.save()
        product.tags.add(*data["tags"])
        product.save()
        for offer_data in data["offers"]:
            offer = Offer(
                product=product,
                merchant=merchants[offer_data["merchant"]],
                url=offer_data["url"],
                price=Decimal(offer_data["price"]),
                currency=offer_data["currency"],
                availability=offer_data["availability"],
                commission_rate=(
                    Decimal(offer_data["commission_rate"])
                    if offer_data["commission_rate"] is not None
                    else None
                ),
            )
            offer.full_clean()
            offer.save()
            _offer_past(offer, pattern=next(patterns))
        products[product.slug] = product
    return products


# A believable year of prices for each demo offer (docs/price-history.md), so that
# charts, "lowest in 30 days" and "when written · now" show something the first
# hour: each state is (days ago, price and regular price as factors of the price
# now, in stock); the last is the state now, begun that many days ago.
PRICE_PASTS = (
    # A sale now: the lowest price of the year, after a 618 dip and a stock-out.
    (
        (380, "1.25", None, True),
        (230, "1.15", None, True),
        (170, "1.05", "1.25", True),
        (150, "1.2", None, True),
        (95, "1.2", None, False),
        (80, "1.18", None, True),
        (12, "1", "1.25", True),
    ),
    # A price jump: cheaper two months ago than now.
    (
        (380, "0.95", None, True),
        (200, "0.9", None, True),
        (60, "0.82", "0.95", True),
        (20, "1", None, True),
    ),
    # Steady, with a short sale in the autumn and a small cut lately.
    (
        (380, "1", None, True),
        (150, "0.9", "1", True),
        (135, "1", None, True),
        (40, "1.05", None, True),
        (5, "1", None, True),
    ),
)
# An offer out of stock (or discontinued) now was in stock before.
PRICE_PAST_UNAVAILABLE = (
    (380, "1.15", None, True),
    (120, "1", None, True),
    (25, "1", None, None),
)


def _demo_price(price: Decimal, factor: str) -> Decimal:
    """``price`` × ``factor`` as a shop writes it: ¥1,619 (a nine after the tens)
    from a hundred up, a whole amount below."""
    amount = price * Decimal(factor)
    if factor == "1":
        return price
    if amount >= 100:
        return (amount / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10 - 1
    return amount.quantize(Decimal(1), ROUND_HALF_UP)


def _offer_past(offer: Offer, *, pattern: tuple) -> None:
    """Record ``offer``'s past prices, then its price now (with a regular price when
    the pattern puts it on sale), through offer_prices_record as editors' are."""
    now = timezone.now()
    if offer.availability != Availability.IN_STOCK:
        pattern = PRICE_PAST_UNAVAILABLE
    *past, (days_ago, _factor, list_factor, _in_stock) = pattern
    for days, factor, past_list_factor, in_stock in past:
        state = copy.copy(offer)
        state.price = _demo_price(offer.price, factor)
        state.list_price = (
            _demo_price(offer.price, past_list_factor) if past_list_factor else None
        )
        state.availability = (
            Availability.IN_STOCK if in_stock else Availability.OUT_OF_STOCK
        )
        offer_prices_record(
            offers=[state],
            source=PriceSource.EDITOR,
            at=now - datetime.timedelta(days=days),
        )
    if list_factor:
        offer.list_price = _demo_price(offer.price, list_factor)
        offer.save(update_fields=["list_price"])
    offer_prices_record(
        offers=[offer],
        source=PriceSource.EDITOR,
        at=now - datetime.timedelta(days=days_ago),
    )


def _users() -> tuple[object, dict[str, CreatorProfile]]:
    user_model = get_user_model()
    editor = user_model.objects.create_user(
        username="editor",
        password=demo_password("editor"),
        email="editor@zhongcao.example",
        first_name="Mei",
        last_name="Editor",
    )
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    creators: dict[str, CreatorProfile] = {}
    for data in demo_data.CREATORS:
        creators[data["username"]] = creator_create(
            username=data["username"],
            password=demo_password(data["username"]),
            email=f"{data['username']}@zhongcao.example",
            public_name=data["public_name"],
            slug=data["slug"],
            kind=data["kind"],
            bio=data["bio"],
            referred_by=creators.get(data["referred_by"])
            if data["referred_by"]
            else None,
            language=data.get("language", ""),
        )
    return editor, creators


def _body(blocks: list[list], products: dict[str, Product]) -> list[dict]:
    """Demo blocks ([block type, value] pairs, with product slugs) turned into the
    StreamField's raw form."""
    raw = []
    for block_type, value in blocks:
        if block_type == "product_card":
            value = {**value, "product": products[value["product"]].pk}
        elif block_type in ("product_grid", "comparison_table"):
            value = {
                **value,
                "products": [products[slug].pk for slug in value["products"]],
            }
        raw.append({"type": block_type, "value": value})
    return raw


def _hero_looks(data: dict, colors) -> list[tuple[str, str]]:
    """What an article's hero picture shows: a review's product, a guide's first
    three picks (their shapes and colours)."""
    looks = {product["slug"]: _look(product) for product in demo_data.PRODUCTS}
    slugs = [data["product"]] if data.get("product") else []
    slugs += [pick["product"] for pick in data.get("picks", [])][:3]
    return [looks[slug] for slug in slugs if slug in looks] or [("phone", next(colors))]


def _article(data: dict, *, products, creators, colors) -> ArticlePage:
    author = creators[data["author"]]
    common = {
        "title": data["title"],
        "slug": data["slug"],
        "author": author,
        "owner": author.user,
        "summary": data["summary"],
        "body": _body(data["body"], products),
        "hero_image": _image(
            title=data["title"], products=_hero_looks(data, colors), name=data["slug"]
        ),
        "live": data["status"] == "published",
        "language": "zh-hans" if CJK_RUN.search(data["summary"]) else "en",
    }
    if data["type"] == "review":
        return ReviewPage(
            **common,
            product=products[data["product"]],
            rating=Decimal(data["rating"]),
            verdict=data["verdict"],
            pros=[{"type": "point", "value": point} for point in data["pros"]],
            cons=[{"type": "point", "value": point} for point in data["cons"]],
        )
    return GuidePage(
        **common,
        intro=data["intro"],
        picks=[
            {"type": "pick", "value": {**pick, "product": products[pick["product"]].pk}}
            for pick in data["picks"]
        ],
        show_comparison_table=data.get("show_comparison_table", False),
        comparison_rows=[
            {"type": "row", "value": row} for row in data.get("comparison_rows", [])
        ],
    )


def _articles(*, products, creators, editor) -> dict[str, ArticlePage]:
    index = ArticleIndexPage.objects.first()
    palette = [
        "#2f4858",
        "#33658a",
        "#86bbd8",
        "#758e4f",
        "#f6ae2d",
        "#f26419",
        "#8e5572",
    ]
    colors = iter(palette * 4)
    articles = {}
    now = timezone.now()
    for data in demo_data.ARTICLES:
        page = _article(data, products=products, creators=creators, colors=colors)
        index.add_child(instance=page)
        page.tags.add(*data["tags"])
        revision = page.save_revision(user=page.owner, log_action=True)
        if data["status"] == "published":
            revision.publish(user=editor)
            published_at = now - datetime.timedelta(days=data["published_days_ago"])
            ArticlePage.objects.filter(pk=page.pk).update(
                first_published_at=published_at, last_published_at=published_at
            )
        else:
            page.get_workflow().start(page, page.owner)
        articles[page.slug] = page
    return articles


def _curation(articles: dict[str, ArticlePage]) -> None:
    home = HomePage.objects.first()
    for sort_order, slug in enumerate(demo_data.HOME_FEATURED):
        HomePageFeaturedArticle.objects.create(
            page=home, article=articles[slug], sort_order=sort_order
        )
    for sort_order, data in enumerate(demo_data.COLLECTIONS):
        collection = ArticleCollection.objects.create(
            name=data["name"], slug=data["slug"], description=data["description"]
        )
        for item_order, slug in enumerate(data["articles"]):
            ArticleCollectionItem.objects.create(
                collection=collection, article=articles[slug], sort_order=item_order
            )
        HomePageCollection.objects.create(
            page=home, collection=collection, sort_order=sort_order
        )
    home.save_revision().publish()


def demo_data_load() -> bool:
    """Load the demo once; return False (and change nothing) if data is already there."""
    if not settings.ZHONGCAO_DEMO_DATA_ALLOWED:
        raise ImproperlyConfigured(
            "Demo data is never loaded with production settings."
        )
    if demo_data_present():
        return False
    with transaction.atomic():
        site_structure_ensure()
        merchants = _merchants()
        products = _products(merchants)
        editor, creators = _users()
        articles = _articles(products=products, creators=creators, editor=editor)
        _curation(articles)
        _sales(merchants=merchants, editor=editor)
        rollups_rebuild()  # the dashboards read rollups; no need to wait for the task
    return True


def _sales(*, merchants: dict[str, Merchant], editor) -> None:
    """90 days of clicks and sales on the published articles' links, through the
    same services as real traffic: some approved, one refunded, one payout paid."""
    rng = random.Random(7)  # noqa: S311 (demo figures, not secrets)
    for merchant in merchants.values():
        merchant_connection_ensure(merchant=merchant)
    now = timezone.now()
    links = list(
        TrackedLink.objects.filter(is_preview=False, offer__isnull=False)
        .select_related("offer__merchant")
        .order_by("pk")
    )
    clicks = []
    for link in links:
        for _ in range(rng.randint(3, 40)):
            clicked_at = now - datetime.timedelta(minutes=rng.randint(60, 90 * 24 * 60))
            clicks.append(
                PendingClick(
                    click_id=click_id_make(
                        link_id=link.pk, clicked_at=clicked_at, offer_id=link.offer_id
                    ),
                    link_id=link.pk,
                    offer_id=link.offer_id,
                    clicked_at=clicked_at,
                    visitor_hash=f"{rng.getrandbits(128):032x}",
                    user_agent="Mozilla/5.0 (demo reader)",
                    referrer="",
                    is_bot=rng.random() < 0.05,
                    is_preview=False,
                )
            )
    clicks_store_settling(clicks=clicks)
    offers = {link.pk: link.offer for link in links}
    for number, click in enumerate(rng.sample(clicks, k=min(60, len(clicks))), 1):
        offer = offers[click.link_id]
        occurred_at = min(
            click.clicked_at + datetime.timedelta(minutes=rng.randint(2, 600)), now
        )
        sale = {
            "order_id": f"DEMO-{number:04d}",
            "click_id": click.click_id,
            "amount": str(offer.price),
            "currency": offer.currency,
            "status": "pending",
            "occurred_at": occurred_at.isoformat(),
        }
        conversion_ingest(
            merchant=offer.merchant,
            data=conversion_data_parse(sale),
            source=ConversionSource.POSTBACK,
        )
        if number % 15 == 0:
            conversion_ingest(
                merchant=offer.merchant,
                data=conversion_data_parse({**sale, "status": "refunded"}),
                source=ConversionSource.POSTBACK,
            )
    commissions_approve(now=now)
    try:
        run = payout_run_create(
            run_date=(now - datetime.timedelta(days=1)).date(), user=editor
        )
    except LedgerError:
        return
    first = run.payouts.order_by("pk").first()
    if first is not None:
        payout_decide(payout=first, paid=True, user=editor)
