"""The editors' Products, Merchants, Placements and Quiet merchants reports: the
hand-computed history of tests/affiliates/conftest.py (two currencies) on screen
and in the CSV and XLSX exports; editors only."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from affiliates.analytics.report_figures import placements_report, position_bucket
from affiliates.analytics.services import rollups_rebuild
from affiliates.models import TrackedLink
from tests.affiliates.conftest import clicks_add, noon, sale_ingest
from tests.conftest import guide_create
from tests.factories import OfferFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PRODUCTS = "/admin/reports/products-performance/"
MERCHANTS = "/admin/reports/merchants-performance/"
PLACEMENTS = "/admin/reports/placements-performance/"
QUIET = "/admin/reports/quiet-merchants/"

# The headphones (from Mingyue, CNY) are reviewed in A, C and D: billable clicks
# 10 + 5 + 1 = 16, bots 1 + 2 + 0 = 3; sales A-2 1000, A-20 500, A-60 2000, C-2 800,
# D-2 1000 (A-20-R refunded, not counted): 5 conversions, 5300.00, commission
# 100 + 50 + 200 + 80 + 100 = 530.00, creators 210.00 (Lulu's 60 % on A) + 48.00
# (Ann on C) + 70.00 (Mia 60.00 and Lulu's override 10.00 on D) = 328.00.
# (currency, billable, bots, conversions, rate, sales, platform commission,
# creator commission, EPC = commission ÷ billable)
HEADPHONES = ("CNY", "16", "3", "5", "31.25", "5300.00", "530.00", "328.00", "33.1250")
# The kettle (through LinkHub, USD) in B: 3 billable clicks, 1 bot, one sale of 50.00.
KETTLE = ("USD", "3", "1", "1", "33.33", "50.00", "5.00", "3.00", "1.6667")


@pytest.fixture
def rolled_up(history):
    rollups_rebuild()
    return history


def export_rows(client, url, query="", *, columns=1) -> dict:
    """The CSV export as {first ``columns`` cells: the rest}."""
    response = client.get(f"{url}?export=csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    reader = csv.reader(io.StringIO(text))
    next(reader)
    rows = {}
    for row in reader:
        key = tuple(row[:columns]) if columns > 1 else row[0]
        assert key not in rows, key
        rows[key] = tuple(row[columns:])
    return rows


def test_products_per_currency(client, editor, rolled_up):
    client.force_login(editor)
    response = client.get(PRODUCTS)
    assert response.status_code == 200
    html = response.content.decode()
    for value in ("WH-7", "Pour-over kettle", *HEADPHONES[4:], *KETTLE[4:]):
        assert value in html, value
    assert export_rows(client, PRODUCTS) == {
        "WH-7": HEADPHONES,
        "Pour-over kettle": KETTLE,
    }


def test_products_filtered_by_merchant_and_days(client, editor, rolled_up, network):
    client.force_login(editor)
    assert export_rows(client, PRODUCTS, f"&merchant={network.pk}") == {
        "Pour-over kettle": KETTLE
    }
    since = noon(10).date().isoformat()
    # Two days ago: A 3/1, C 5/2, D 1/0 clicks; sales A-2, C-2, D-2.
    assert export_rows(client, PRODUCTS, f"&day_from={since}")["WH-7"] == (
        "CNY", "9", "3", "3", "33.33", "2800.00", "280.00", "178.00", "31.1111",
    )  # fmt: skip


def test_merchants_per_currency(client, editor, rolled_up):
    client.force_login(editor)
    assert export_rows(client, MERCHANTS) == {"Mingyue": HEADPHONES, "LinkHub": KETTLE}
    response = client.get(f"{MERCHANTS}?export=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Merchant", "Currency", "Billable clicks")
    assert {
        row[0]: tuple(
            value if isinstance(value, str) else Decimal(str(value))
            for value in row[1:]
        )
        for row in rows[1:]
    } == {
        "Mingyue": ("CNY", *(Decimal(value) for value in HEADPHONES[1:])),
        "LinkHub": ("USD", *(Decimal(value) for value in KETTLE[1:])),
    }


def test_placements_per_currency(client, editor, rolled_up):
    client.force_login(editor)
    # Every history link is a review's product, position 1: 19 billable clicks.
    assert export_rows(client, PLACEMENTS, columns=3) == {
        ("Review", "1", "CNY"): (
            "19", "4", "5", "26.32", "5300.00", "530.00", "328.00", "27.8947",
        ),
        ("Review", "1", "USD"): (
            "19", "4", "1", "5.26", "50.00", "5.00", "3.00", "0.2632",
        ),
    }  # fmt: skip
    html = client.get(PLACEMENTS).content.decode()
    for value in ("Review", "26.32", "27.8947", "0.2632"):
        assert value in html, value


def test_placements_bucket_positions(
    articles, creator, shop, django_assert_num_queries
):
    products = []
    for number in range(8):
        product = ProductFactory(title=f"Pick {number + 1}")
        OfferFactory(
            product=product,
            merchant=shop,
            url=f"https://www.mingyuehome.cn/item/{number}",
            currency="CNY",
        )
        products.append(product)
    guide = guide_create(parent=articles, author=creator, products=products)
    links = list(TrackedLink.objects.filter(article=guide).order_by("position"))
    assert [link.position for link in links] == [1, 2, 3, 4, 5, 6, 7, 8]
    # Positions 4 and 5 share a bucket; 7 and 8 too; position 2 sells nothing.
    ids = [
        clicks_add(link, days_ago=1, billable=billable)
        for link, billable in zip(links, (1, 2, 0, 3, 1, 0, 2, 2), strict=True)
    ]
    sale_ingest(
        shop, order_id="P-4", click_id=ids[3][0], days_ago=1, commission="20.00"
    )
    rollups_rebuild()
    with django_assert_num_queries(2):
        rows = placements_report()
    assert [
        (row.name, row.position, row.currency, row.billable_clicks, row.conversions)
        for row in rows
    ] == [
        ("Pick", "1", "", 1, 0),
        ("Pick", "2", "", 2, 0),
        ("Pick", "4–6", "CNY", 4, 1),  # 3 + 1 + 0
        ("Pick", "7+", "", 4, 0),
    ]
    assert rows[2].conversion_rate == Decimal("25.00")
    assert rows[2].epc == Decimal("5.0000")  # 20.00 ÷ 4
    assert [position_bucket(value) for value in (None, 1, 3, 4, 6, 7, 40)] == [
        "", "1", "3", "4–6", "4–6", "7+", "7+",
    ]  # fmt: skip


def test_quiet_merchants(client, editor, rolled_up):
    client.force_login(editor)

    def quiet(first, last):
        query = f"&day_from={noon(first).date()}&day_to={noon(last).date()}"
        return export_rows(client, QUIET, query, columns=2)

    # 120 days ago the headphones had a click; Mingyue reported nothing until the
    # sale of 60 days ago, more than 30 days after it.
    rows = quiet(125, 100)
    last_sale = (noon(2) + datetime.timedelta(hours=1)).isoformat(sep=" ")
    assert list(rows) == [("Mingyue", "WH-7")]
    merchant_url, billable, articles, first, last, last_report = rows[
        ("Mingyue", "WH-7")
    ]
    assert merchant_url == "https://www.mingyuehome.cn/item/1?color=black"
    assert (billable, articles) == ("1", "1")
    assert first == last == noon(120).date().isoformat()
    assert last_report.startswith(last_sale[:16])
    # With the clicks of 60 days ago in the window, the sale that day answers them.
    assert quiet(125, 60) == {}
    assert quiet(60, 31) == {}
    # The default window (59 to 30 days ago) has no clicks.
    assert export_rows(client, QUIET, columns=2) == {}
    html = client.get(f"{QUIET}?day_from={noon(125).date()}&day_to={noon(100).date()}")
    assert "WH-7" in html.content.decode()


def test_quiet_merchants_need_their_30_days(client, editor, rolled_up):
    client.force_login(editor)
    response = client.get(f"{QUIET}?day_to={noon(2).date()}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The last day must be" in html
    assert "30 days after a click" in html
    assert "WH-7" not in html


def test_a_bad_date_is_named_and_nothing_listed(client, editor, rolled_up):
    client.force_login(editor)
    for url in (PRODUCTS, MERCHANTS, PLACEMENTS, QUIET):
        html = client.get(f"{url}?day_from=not-a-date").content.decode()
        assert "Enter a valid date." in html, url
        assert "WH-7" not in html and "Mingyue</td>" not in html, url


@pytest.mark.parametrize("url", [PRODUCTS, MERCHANTS, PLACEMENTS, QUIET])
def test_only_editors(client, creator, rolled_up, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(creator.user)
    for suffix in ("", "?export=csv", "?export=xlsx", "results/"):
        assert client.get(f"{url}{suffix}").status_code == 403, suffix


def test_editors_see_the_reports_in_the_menu(client, editor, creator, rolled_up):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    for url in (PRODUCTS, MERCHANTS, PLACEMENTS, QUIET):
        assert url in html, url
    client.force_login(creator.user)
    html = client.get("/admin/").content.decode()
    for url in (PRODUCTS, MERCHANTS, PLACEMENTS, QUIET):
        assert url not in html, url


def test_a_fallback_click_and_sale_count_for_the_merchant_the_reader_went_to(
    client, editor, link, headphones, network
):
    """The link's offer (Mingyue) is out of stock, so the reader is sent to LinkHub's
    offer of the same product, and LinkHub reports the sale: the click and the sale
    are LinkHub's in the Merchants and Products reports, not Mingyue's."""
    from urllib.parse import parse_qs, urlsplit

    from affiliates.analytics.report_figures import merchants_report, products_report
    from tests.affiliates.conftest import flush, out_of_stock
    from tests.affiliates.tracking.test_views import go

    out_of_stock(link.offer)
    OfferFactory(
        product=headphones,
        merchant=network,
        url="https://kettleandpour.com/p/9",
        price="150.00",
        currency="USD",
    )
    location = urlsplit(go(client, link)["Location"])
    assert location.netloc == "go.linkhub-network.com"
    click_id = parse_qs(location.query)["sid"][0]
    flush()
    # Bought after the click (sale_ingest's fixed hour of the day could fall
    # before a click made now).
    from affiliates.commissions.postbacks import conversion_data_parse
    from affiliates.commissions.services.conversions import conversion_ingest
    from affiliates.models import ConversionSource
    from tests.affiliates.conftest import sale

    conversion_ingest(
        merchant=network,
        data=conversion_data_parse(
            sale(order_id="LH-1", click_id=click_id, amount="150.00", currency="USD")
        ),
        source=ConversionSource.POSTBACK,
    )
    rollups_rebuild()

    rows = {row.name: row for row in merchants_report()}
    assert set(rows) == {"LinkHub"}
    assert (rows["LinkHub"].billable_clicks, rows["LinkHub"].conversions) == (1, 1)
    assert (rows["LinkHub"].currency, rows["LinkHub"].sales) == (
        "USD",
        Decimal("150.00"),
    )
    assert [row.name for row in products_report(merchant_id=network.pk)] == ["WH-7"]
    assert products_report(merchant_id=link.offer.merchant_id) == []
    client.force_login(editor)
    assert export_rows(client, MERCHANTS)["LinkHub"][:5] == (
        "USD", "1", "0", "1", "100.00",
    )  # fmt: skip
