"""Sales credited by a tracking id (no link: the network carried only the id the
creator was given) count in the rollups: in the creator's totals and per article
where the id was given for one, in a row of their own where no article or link
can hold them, in the editors' reports; never twice, never another creator's."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from affiliates.analytics.dashboards import (
    TRACKING_ID_ROW,
    creator_summary,
    creator_tables,
    site_overview,
)
from affiliates.analytics.report_figures import (
    TRACKING_ID_KEY,
    articles_report,
    merchants_report,
    placements_report,
    products_report,
)
from affiliates.analytics.services import rollups_rebuild
from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import conversion_ingest
from affiliates.models import (
    AttributedBy,
    ConnectionKind,
    Conversion,
    EntryKind,
    LedgerEntry,
    NetworkConnection,
    TrackedLink,
    TrackingId,
)
from affiliates.tracking.trackingids import tracking_ids_import
from tests.affiliates.conftest import clicks_add, noon
from tests.conftest import review_create
from tests.factories import OfferFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

D = Decimal


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


@pytest.fixture
def pool(taobao):
    connection = NetworkConnection.objects.create(
        merchant=taobao, kind=ConnectionKind.TAOBAO_UNION
    )
    tracking_ids_import(connection=connection, values=["2701", "2702", "2703"])
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


def ingest(merchant, connection, *, order_id, amount, days_ago, **fields):
    body = {
        "order_id": order_id,
        "amount": amount,
        "currency": "CNY",
        "status": "pending",
        "occurred_at": (noon(days_ago) + datetime.timedelta(hours=1)).isoformat(),
        **fields,
    }
    return conversion_ingest(
        merchant=merchant,
        data=conversion_data_parse(body),
        source="pull",
        connection=connection,
    ).conversion


def given_long_ago() -> None:
    """The ids were given ten days ago: the sales below, purchased since, came
    after (a sale from before an id was given is not the creator's)."""
    TrackingId.objects.filter(creator__isnull=False).update(
        assigned_at=timezone.now() - datetime.timedelta(days=10)
    )


def world(*, articles, creator, other_creator, pool, kettle, taobao, scope):
    """Lulu's article (2 billable clicks, a sale by click of 123.00 and one by her
    tracking id of 199.00) and Ann's (a sale by her tracking id of 555.00), all
    purchased yesterday."""
    pool.settings = {"tracking_id_scope": scope}
    pool.save()
    mine = review_create(parent=articles, author=creator, product=kettle, title="A")
    theirs = review_create(
        parent=articles, author=other_creator, product=kettle, title="Hers"
    )
    given_long_ago()
    link = TrackedLink.objects.get(article=mine, placement="reviewed-product")
    [click_id, _other] = clicks_add(link, days_ago=1, billable=2)
    by_click = ingest(
        taobao, pool, order_id="C1", amount="123.00", days_ago=1, click_id=click_id
    )
    mine_id = TrackingId.objects.get(creator=creator).value
    theirs_id = TrackingId.objects.get(creator=other_creator).value
    by_id = ingest(
        taobao, pool, order_id="T1", amount="199.00", days_ago=1, tracking_id=mine_id
    )
    ann = ingest(
        taobao, pool, order_id="T2", amount="555.00", days_ago=1, tracking_id=theirs_id
    )
    assert (by_click.attributed_by, by_id.attributed_by, ann.attributed_by) == (
        AttributedBy.CLICK,
        AttributedBy.TRACKING_ID,
        AttributedBy.TRACKING_ID,
    )
    assert by_id.author == creator and ann.author == other_creator
    rollups_rebuild()
    return mine, theirs


def author_earnings(creator) -> Decimal:
    total = LedgerEntry.objects.filter(
        creator=creator, kind=EntryKind.AUTHOR
    ).aggregate(total=Sum("amount"))["total"]
    return total.quantize(D("0.01"))


@pytest.fixture
def by_creator(articles, creator, other_creator, pool, kettle, taobao):
    return world(
        articles=articles,
        creator=creator,
        other_creator=other_creator,
        pool=pool,
        kettle=kettle,
        taobao=taobao,
        scope="creator",
    )


@pytest.fixture
def by_article(articles, creator, other_creator, pool, kettle, taobao):
    return world(
        articles=articles,
        creator=creator,
        other_creator=other_creator,
        pool=pool,
        kettle=kettle,
        taobao=taobao,
        scope="article",
    )


def test_the_creators_totals_count_sales_by_tracking_id_once(
    by_creator, creator, django_assert_num_queries
):
    with django_assert_num_queries(3):
        summary = creator_summary(creator=creator, today=utc_today())
    week = summary.periods[0]
    assert week.conversions == 2
    assert week.billable_clicks == 2
    [cny] = week.currencies
    assert cny.sales == D("322.00")
    assert cny.earnings == author_earnings(creator) > 0


def test_an_id_given_to_the_creator_has_a_row_of_its_own(
    by_creator, creator, django_assert_num_queries
):
    mine, _theirs = by_creator
    with django_assert_num_queries(3):
        articles, placements = creator_tables(creator=creator)
    rows = {row.key: row for row in articles}
    assert set(rows) == {(mine.pk,), TRACKING_ID_ROW}
    article, by_id = rows[(mine.pk,)], rows[TRACKING_ID_ROW]
    assert (article.conversions, article.tracking_id_conversions) == (1, 0)
    assert article.money["CNY"].sales == D("123.00")
    assert (by_id.conversions, by_id.billable_clicks) == (1, 0)
    assert by_id.by_tracking_id_only and not article.by_tracking_id_only
    assert by_id.money["CNY"].sales == D("199.00")
    # The rows add up to the totals: nothing twice, nothing left out.
    assert article.money["CNY"].earnings + by_id.money["CNY"].earnings == (
        author_earnings(creator)
    )
    # No placement is known for a sale by tracking id.
    assert sum(row.conversions for row in placements) == 1


def test_an_id_given_for_an_article_counts_in_that_articles_row(
    by_article, creator, django_assert_num_queries
):
    mine, _theirs = by_article
    with django_assert_num_queries(3):
        articles, _placements = creator_tables(creator=creator)
    [row] = articles
    assert row.key == (mine.pk,)
    assert (row.conversions, row.tracking_id_conversions) == (2, 1)
    assert row.money["CNY"].sales == D("322.00")
    assert row.conversion_rate == D("100.00")  # 2 sales / 2 billable clicks


def test_the_editors_reports_show_sales_by_tracking_id_apart(
    by_creator, creator, other_creator
):
    rows = list(articles_report())
    by_id = [row for row in rows if row.by_tracking_id]
    assert sorted((row.author, row.sales) for row in by_id) == [
        ("Ann", D("555.00")),
        ("Lulu", D("199.00")),
    ]
    assert all(row.billable_clicks == 0 and row.article_id is None for row in by_id)
    assert {row.title for row in by_id} == {"Sales by tracking id (no article)"}
    # Every sale once: the report's sales are the conversions'.
    assert sum(row.sales or 0 for row in rows) == D("877.00")
    lulu = [row for row in rows if row.author == "Lulu" and not row.by_tracking_id]
    assert [(row.billable_clicks, row.sales) for row in lulu] == [(2, D("123.00"))]

    for report in (products_report(), placements_report()):
        [tracking] = [row for row in report if row.key == TRACKING_ID_KEY]
        assert (tracking.conversions, tracking.sales) == (2, D("754.00"))
        assert sum(row.sales or 0 for row in report) == D("877.00")
    [taobao] = merchants_report()
    assert (taobao.conversions, taobao.sales) == (3, D("877.00"))

    overview = site_overview(today=utc_today())
    creators = {row.name: row.conversions for row in overview.top_creators}
    assert creators == {"Lulu": 2, "Ann": 1}
    assert [row.name for row in overview.top_articles] == ["A"]


def test_the_articles_report_keeps_an_articles_sales_by_id_in_its_row(
    by_article, creator
):
    mine, theirs = by_article
    rows = {(row.article_id, row.author): row for row in articles_report()}
    assert not any(row.by_tracking_id for row in rows.values())
    assert (rows[mine.pk, "Lulu"].conversions, rows[mine.pk, "Lulu"].sales) == (
        2,
        D("322.00"),
    )
    assert rows[theirs.pk, "Ann"].sales == D("555.00")


def test_rebuilding_twice_counts_nothing_twice(by_creator, creator):
    rollups_rebuild()
    summary = creator_summary(creator=creator, today=utc_today())
    assert summary.periods[-1].conversions == 2
    assert summary.periods[-1].currencies[0].sales == D("322.00")


# -- Another creator's login: only their own -------------------------------------------


def test_another_creator_sees_only_their_own_on_the_dashboard(
    client, by_creator, other_creator
):
    client.force_login(other_creator.user)
    html = client.get("/admin/?dashboard_period=7").content.decode()
    assert "Sales by tracking id" in html
    assert "555.00 CNY" in html
    for text in ("199.00", "322.00", "123.00 CNY", ">A<"):
        assert text not in html, text


def test_another_creator_sees_only_their_own_in_the_api(
    client, by_creator, creator, other_creator
):
    client.force_login(other_creator.user)
    today = utc_today()
    stats = client.get(
        "/api/me/stats",
        {"start": (today - datetime.timedelta(days=6)).isoformat(), "end": today},
    )
    assert stats.status_code == 200
    body = stats.json()
    assert body["creator"] == "ann"
    assert body["conversions"] == 1
    assert [money["sales"] for money in body["currencies"]] == ["555.00"]

    earnings = client.get("/api/me/earnings").json()
    orders = {row["order_id"] for row in earnings["earnings"]}
    assert orders == {"T2"}
    assert {row["attributed_by"] for row in earnings["earnings"]} == {"tracking-id"}

    listed = client.get("/api/conversions", {"author": creator.slug})
    assert listed.status_code == 403  # editors only
    assert "T1" not in listed.content.decode()


def test_the_api_says_a_sale_was_credited_by_tracking_id(client, by_creator, editor):
    client.force_login(editor)
    body = client.get("/api/conversions", {"order_id": "T1"}).json()
    [item] = body["items"]
    assert item["attribution"]["attributed_by"] == "tracking-id"
    assert item["attribution"]["tracking_id"] == "2701"
    assert item["attribution"]["author"] == "lulu"
    assert Conversion.objects.get(order_id="C1").attributed_by == AttributedBy.CLICK
