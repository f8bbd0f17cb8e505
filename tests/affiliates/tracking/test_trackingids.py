"""Tracking ids for networks that carry no sub-id (affiliates.tracking.trackingids):
imported into a connection's pool, given to a creator when their article first
links to the network's merchant, filled into their links by the redirect, and
crediting them when an order carries the id back, with a click id winning over it."""

import datetime
from decimal import Decimal
from itertools import permutations
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import (
    clicks_store_settling,
    conversion_ingest,
    conversions_click_settle,
)
from affiliates.commissions.services.ledger import items_current
from affiliates.models import (
    AttributedBy,
    CommissionSettings,
    ConnectionKind,
    EntryKind,
    EntryStatus,
    HoldReason,
    NetworkConnection,
    ReviewState,
    SelfPurchasePolicy,
    TrackedLink,
    TrackingId,
    UnattributedReason,
)
from affiliates.tracking.trackingids import (
    POOL_EMPTY,
    TrackingIdInvalid,
    tracking_ids_import,
)
from tests.affiliates.conftest import click_id_for
from tests.conftest import review_create
from tests.factories import (
    CreatorProfileFactory,
    OfferFactory,
    ProductFactory,
    pending_click,
)

pytestmark = pytest.mark.django_db

# 60 % of 19.90: the author share of a member (CommissionSettings), by hand.
EXPECTED_AUTHOR_SHARE = Decimal("11.94")


@pytest.fixture
def pool(taobao):
    connection = NetworkConnection.objects.create(
        merchant=taobao, kind=ConnectionKind.TAOBAO_UNION
    )
    tracking_ids_import(connection=connection, values=["2701", "2702"])
    return connection


@pytest.fixture
def kettle(taobao):
    product = ProductFactory(title="Kettle")
    OfferFactory(
        product=product,
        merchant=taobao,
        url="https://item.taobao.com/item.htm?id=42",
        price="199.00",
        currency="CNY",
    )
    return product


def destination(article) -> str:
    link = TrackedLink.objects.get(article=article, placement="reviewed-product")
    response = Client().get(
        f"/go/{link.code}",
        headers={"User-Agent": "Mozilla/5.0 Chrome/130.0"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    return response["Location"]


def relation_id(url: str) -> str:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)["relationId"][0]


def order(**fields):
    body = {
        "order_id": "TB-1",
        "amount": "199.00",
        "commission": "19.90",
        "currency": "CNY",
        "status": "pending",
        "occurred_at": timezone.now().isoformat(),
    }
    body.update(fields)
    return conversion_data_parse(body)


def test_a_creator_gets_one_id_for_good_and_their_links_carry_it(
    articles, creator, other_creator, pool, kettle
):
    first = review_create(parent=articles, author=creator, product=kettle, title="A")
    second = review_create(parent=articles, author=creator, product=kettle, title="B")
    other = review_create(
        parent=articles, author=other_creator, product=kettle, title="C"
    )
    assert relation_id(destination(first)) == "2701"
    assert (
        relation_id(destination(second)) == "2701"
    )  # the creator's, not the article's
    assert relation_id(destination(other)) == "2702"
    assert TrackingId.objects.get(value="2701").creator == creator

    # The pool is empty: a third creator's link still leads to the shop, without an
    # id, and the connection's health says why.
    third = review_create(
        parent=articles,
        author=CreatorProfileFactory(user__username="kol3", slug="third"),
        product=kettle,
        title="D",
    )
    assert relation_id(destination(third)) == ""
    pool.refresh_from_db()
    assert pool.last_error == POOL_EMPTY


def test_one_id_per_article_when_the_connection_says_so(
    articles, creator, pool, kettle
):
    pool.settings = {"tracking_id_scope": "article"}
    pool.save()
    first = review_create(parent=articles, author=creator, product=kettle, title="A")
    second = review_create(parent=articles, author=creator, product=kettle, title="B")
    assert relation_id(destination(first)) == "2701"
    assert relation_id(destination(second)) == "2702"
    assert TrackingId.objects.get(value="2702").article.pk == second.pk


def test_an_order_carrying_the_id_credits_its_creator(
    articles, creator, pool, kettle, taobao
):
    article = review_create(parent=articles, author=creator, product=kettle)
    result = conversion_ingest(
        merchant=taobao,
        data=order(tracking_id="2701"),
        source="pull",
        connection=pool,
    )
    sale = result.conversion
    assert sale.author == creator
    assert sale.attributed_by == AttributedBy.TRACKING_ID
    assert sale.link is None and sale.tracking_id == "2701"
    assert sale.article_id is None  # given per creator, not per article
    kinds = {item.entry.kind for item in items_current(conversion=sale)}
    assert EntryKind.AUTHOR in kinds
    assert article.pk  # the article made the id be given


def test_an_id_nobody_was_given_leaves_the_sale_unattributed(pool, taobao):
    sale = conversion_ingest(
        merchant=taobao, data=order(tracking_id="2702"), source="pull", connection=pool
    ).conversion
    assert sale.author is None
    assert sale.unattributed_reason == UnattributedReason.UNKNOWN_TRACKING_ID


def test_a_click_id_wins_over_a_tracking_id(
    articles, creator, other_creator, pool, kettle, taobao
):
    review_create(parent=articles, author=creator, product=kettle, title="A")
    theirs = review_create(
        parent=articles, author=other_creator, product=kettle, title="B"
    )
    link = TrackedLink.objects.get(article=theirs, placement="reviewed-product")
    click_id = click_id_for(link, at=timezone.now() - datetime.timedelta(minutes=5))
    sale = conversion_ingest(
        merchant=taobao,
        data=order(tracking_id="2701", click_id=click_id),
        source="pull",
        connection=pool,
    ).conversion
    assert sale.author == other_creator
    assert sale.attributed_by == AttributedBy.CLICK


def test_the_creators_own_purchase_by_tracking_id_is_held(
    articles, creator, pool, kettle, taobao
):
    creator.customer_refs = "buyer-7"
    creator.save()
    settings = CommissionSettings.load()
    settings.self_purchase_policy = SelfPurchasePolicy.HOLD
    settings.save()
    review_create(parent=articles, author=creator, product=kettle)
    sale = conversion_ingest(
        merchant=taobao,
        data=order(tracking_id="2701", customer_ref="buyer-7"),
        source="pull",
        connection=pool,
    ).conversion
    assert (sale.review, sale.hold_reason) == (
        ReviewState.HELD,
        HoldReason.SELF_PURCHASE,
    )


def test_a_bad_id_is_told_in_the_editors_language(pool, chinese_says):
    chinese_says(
        "Line %(line)s: %(value)s is not a tracking id "
        "(at most %(limit)s characters, no spaces).",
        "第 %(line)s 行：%(value)s 不是推广位 ID（至多 %(limit)s 个字符，不含空格）。",
    )
    with pytest.raises(TrackingIdInvalid) as error:
        tracking_ids_import(connection=pool, values=["2704", "has space"])
    assert str(error.value) == (
        "第 2 行：'has space' 不是推广位 ID（至多 64 个字符，不含空格）。"
    )


def test_importing_ids_twice_adds_them_once_and_a_bad_line_adds_none(pool):
    assert tracking_ids_import(connection=pool, values=["2702", "2703", " "]) == (1, 1)
    with pytest.raises(TrackingIdInvalid, match="Line 2"):
        tracking_ids_import(connection=pool, values=["2704", "has space", "2705"])
    assert set(pool.tracking_ids.values_list("value", flat=True)) == {
        "2701",
        "2702",
        "2703",
    }


# -- A network faster than us: the order of arrival decides nothing --------------------
#
# A network's order may arrive before the creator's click row is written, before
# or after another creator takes an id from the pool, before or after the id it
# carries is given. Every order of those events must credit the same creator the
# same money (the click-id race itself: tests/affiliates/commissions/
# test_redteam_attr.py).


def credited(sale) -> tuple:
    """Who a sale credits and with what: the author, how, and the ledger's
    current items by creator, kind and status."""
    sale.refresh_from_db()
    return (
        sale.author.slug if sale.author else None,
        sale.attributed_by,
        sale.commission,
        sorted(
            (
                item.entry.creator.slug if item.entry.creator else "",
                item.entry.kind,
                item.status,
                item.amount,
            )
            for item in items_current(conversion=sale)
        ),
    )


def ann_publishes(articles, other_creator, kettle) -> None:
    review_create(parent=articles, author=other_creator, product=kettle, title="Z")


@pytest.mark.parametrize(
    "events",
    list(permutations(["report", "give", "ann"])),
    ids="-".join,
)
def test_a_sale_from_before_the_id_was_given_credits_nobody_whatever_came_first(
    articles, creator, other_creator, pool, kettle, taobao, events
):
    """The sale was made before the id was given (someone's use of it before it was
    imported): it credits nobody, whether it arrives before the id is given, or
    after, and whoever took which id from the pool first."""
    purchased = timezone.now() - datetime.timedelta(hours=1)
    sale = None
    for event in events:
        if event == "give":
            review_create(parent=articles, author=creator, product=kettle, title="A")
        elif event == "ann":
            ann_publishes(articles, other_creator, kettle)
        else:
            sale = conversion_ingest(
                merchant=taobao,
                data=order(tracking_id="2701", occurred_at=purchased.isoformat()),
                source="pull",
                connection=pool,
            ).conversion
    assert TrackingId.objects.filter(creator__isnull=False).count() == 2
    assert credited(sale) == (
        None,
        "",
        Decimal("19.90"),
        [("", EntryKind.PLATFORM, EntryStatus.PENDING, Decimal("19.90"))],
    )
    assert sale.unattributed_reason in {
        UnattributedReason.UNKNOWN_TRACKING_ID,
        UnattributedReason.BEFORE_TRACKING_ID,
    }


@pytest.mark.parametrize("with_click_id", [True, False], ids=["click-id", "id-only"])
@pytest.mark.parametrize(
    "events",
    list(permutations(["report", "click", "ann"])),
    ids="-".join,
)
def test_a_sale_after_the_id_was_given_credits_its_creator_whatever_came_first(
    articles, creator, other_creator, pool, kettle, taobao, events, with_click_id
):
    """Lulu's article is published (her id given); a reader clicks her link and
    buys. The network's order (carrying her id, and her click id where the network
    has a sub-id) may arrive before the click's row is written and before or after
    Ann takes an id from the pool: Lulu is credited the same money every time, by
    click where the order carries one (it wins), else by her tracking id."""
    mine = review_create(parent=articles, author=creator, product=kettle, title="A")
    link = TrackedLink.objects.get(article=mine, placement="reviewed-product")
    clicked_at = timezone.now()
    click_id = click_id_for(link, at=clicked_at, written=False)
    sale = None
    for event in events:
        if event == "click":
            # The writer stores the click's row, and settles what waited for it.
            clicks_store_settling(
                clicks=[
                    pending_click(
                        link=link,
                        click_id=click_id,
                        clicked_at=clicked_at,
                        visitor="reader-1",
                    )
                ]
            )
        elif event == "ann":
            ann_publishes(articles, other_creator, kettle)
        else:
            fields = {"click_id": click_id} if with_click_id else {}
            sale = conversion_ingest(
                merchant=taobao,
                data=order(
                    tracking_id="2701",
                    occurred_at=(
                        clicked_at + datetime.timedelta(minutes=1)
                    ).isoformat(),
                    **fields,
                ),
                source="pull",
                connection=pool,
            ).conversion
    conversions_click_settle()  # what the writer does after every batch
    by = AttributedBy.CLICK if with_click_id else AttributedBy.TRACKING_ID
    author, attributed_by, commission, items = credited(sale)
    assert (author, attributed_by, commission) == ("lulu", by, Decimal("19.90"))
    assert sale.hold_reason == "" and sale.review == ReviewState.NONE
    assert sum(amount for *_rest, amount in items) == Decimal("19.90")
    assert [(who, kind, status) for who, kind, status, _amount in items] == [
        ("", EntryKind.PLATFORM, EntryStatus.PENDING),
        ("lulu", EntryKind.AUTHOR, EntryStatus.PENDING),
    ]
    assert items[1][3] == EXPECTED_AUTHOR_SHARE
