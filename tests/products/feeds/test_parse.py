"""Reading Google Merchant Center feeds: products.feeds.parse."""

import datetime
import io
from decimal import Decimal

import pytest

from products.feeds.parse import (
    FeedError,
    FeedItem,
    FeedRejection,
    feed_entries,
    sale_dates_parse,
)
from products.models import Availability
from tests.products.feeds.samples import ATOM, RSS, TSV


def entries(body: bytes, feed_format: str = "auto") -> list:
    return list(feed_entries(io.BytesIO(body), feed_format=feed_format))


def test_rss_items_are_read_with_the_g_namespace_and_rss_own_elements():
    first, second, third, fourth, fifth = entries(RSS)
    assert isinstance(first, FeedItem)
    assert first.id == "MY-1001"
    assert first.title == "明月 Ceramic Pour-Over Kettle & Dripper"
    assert first.link == "https://www.shop.example/p/1001?utm_source=feed"
    assert (first.price, first.currency) == (Decimal("1299.00"), "CNY")
    assert first.sale_price == Decimal("999.00")
    # The shipping's nested g:price is not the item's price.
    assert first.gtin == "4006381333931"
    assert (first.mpn, first.brand) == ("KT-1001", "Mingyue")
    assert first.image_link == "https://img.shop.example/1001.jpg"
    assert second.availability == Availability.OUT_OF_STOCK  # "out of stock"
    assert second.link == "https://www.shop.example/p/1002"
    assert fifth.availability == Availability.IN_STOCK  # a preorder can be ordered


def test_malformed_items_are_rejected_with_their_number_and_the_rest_go_on():
    read = entries(RSS)
    rejected = [entry for entry in read if isinstance(entry, FeedRejection)]
    assert [str(entry) for entry in rejected] == [
        "item 3 (MY-1003): price: 'cheap' is not a number and a currency, as in "
        "1299.00 CNY",
        "item 4: id: missing",
    ]
    assert isinstance(read[4], FeedItem)
    assert read[4].position == "item 5"


def test_atom_entries_take_title_and_the_alternate_link():
    first, second = entries(ATOM)
    assert (first.id, first.title, first.link) == (
        "AT-1",
        "Atom Kettle",
        "https://www.shop.example/atom/1",
    )
    assert first.availability == Availability.IN_STOCK  # backorder
    assert isinstance(second, FeedRejection)
    assert second.position == "item 2"
    assert second.field == "availability"


def test_tsv_reads_headers_with_or_without_prefix_and_names_bad_lines():
    read = entries(TSV)
    assert [entry.position for entry in read] == [
        "line 2",
        "line 3",
        "line 4",
        "line 6",
    ]
    first, second, short, bad_gtin = read
    assert (first.id, first.title, first.mpn) == ("TS-1", "Tab Kettle", "TK-1")
    assert first.availability == Availability.IN_STOCK
    assert second.title == "Quoted title"  # a quoted tab is part of the value
    assert second.sale_price == Decimal("60.00")
    assert str(short) == "line 4 (TS-3): line: 3 columns, the header has 8"
    assert bad_gtin.field == "gtin"


def test_the_format_can_be_forced_and_a_text_feed_needs_an_id_column():
    with pytest.raises(FeedError, match="names no id column"):
        entries(b"title\tprice\nx\t1 CNY\n", "tsv")
    with pytest.raises(FeedError, match="neither RSS nor Atom"):
        entries(b"<html><body>Not a feed</body></html>")


def test_broken_xml_stops_where_it_breaks_after_the_items_before_it():
    body = RSS.replace(b"<g:id>MY-1005</g:id>", b"<g:id>MY-1005</g:idd>")
    stream = feed_entries(io.BytesIO(body))
    read = []
    with pytest.raises(FeedError, match=r"^line \d+, column \d+: .* after item 4"):
        for entry in stream:
            read.append(entry)
    assert len(read) == 4


def test_entity_expansion_and_external_entities_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item>'
        b"<g:id>&b;</g:id></item></channel></rss>"
    )
    with pytest.raises(FeedError, match="entities"):
        entries(laughs)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item>'
        b"<g:id>&x;</g:id></item></channel></rss>"
    )
    with pytest.raises(FeedError, match="entities"):
        entries(external)


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("1,299.00 CNY", "is not a number and a currency"),
        ("12.999 CNY", "more than two decimal places"),
        ("-5 CNY", "is not a number and a currency"),
        ("", "missing"),
    ],
)
def test_prices_that_cannot_be_read_are_refused(price, reason):
    body = (f"id\tprice\tavailability\nX\t{price}\tin_stock\n").encode()
    (entry,) = entries(body)
    assert entry.field == "price"
    assert reason in entry.message


def test_a_price_may_name_its_currency_first_and_a_sale_in_another_is_refused():
    body = b"id\tprice\tsale_price\tavailability\nA\tCNY 10\t\tin_stock\nB\t10 CNY\t8 USD\tin_stock\n"
    first, second = entries(body)
    assert (first.price, first.currency) == (Decimal("10.00"), "CNY")
    assert second.field == "sale_price"


def test_sale_dates_follow_google_reading_of_dates_and_zones():
    start, end = sale_dates_parse("2026-11-01/2026-11-11")
    assert start == datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 11, 12, tzinfo=datetime.UTC)  # whole day
    start, end = sale_dates_parse("2026-11-01T13:00-0800/2026-11-02T00:00Z")
    assert start == datetime.datetime(2026, 11, 1, 21, 0, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)


def test_the_sale_price_is_the_price_only_while_the_sale_runs():
    (item,) = [entry for entry in entries(RSS) if getattr(entry, "id", "") == "MY-1001"]
    during = datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC)
    after = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    assert item.prices_at(during) == (Decimal("999.00"), Decimal("1299.00"))
    assert item.prices_at(after) == (Decimal("1299.00"), None)
