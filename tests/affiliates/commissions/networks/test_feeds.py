"""Merchant feed connections, read from a local HTTP server speaking HTTP as a
merchant's would: `manage.py connection … --kind merchant-feed`, `sync_offers`, the
schedule, the health of each sync, and the outbound rule on a feed's URL."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from affiliates.commissions.networks.feeds import connection_feed_sync
from affiliates.models import ConnectionKind, NetworkConnection, RunState
from affiliates.tasks import sync_due_offer_feeds
from products.models import Availability, OfferPrice, OfferProposal
from tests.factories import MerchantFactory, OfferFactory, ProductFactory
from tests.feedserver import FeedServer
from tests.products.feeds.samples import ATOM, RSS, TSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(local_servers_allowed):
    with FeedServer() as server:
        server.feeds.update({"/rss.xml": RSS, "/atom.xml": ATOM, "/feed.tsv": TSV})
        yield server


@pytest.fixture
def shop():
    return MerchantFactory(slug="mingyue")


def connect(merchant, url: str, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "connection",
        merchant.slug,
        "--kind",
        "merchant-feed",
        "--set",
        f"url={url}",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def sync(*args: str) -> str:
    out = io.StringIO()
    call_command("sync_offers", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_a_feed_connected_from_the_command_line_is_synced_with_a_summary(feeds, shop):
    kettle = OfferFactory(merchant=shop, product=ProductFactory(gtin="4006381333931"))
    printed = connect(shop, feeds.url("/rss.xml"))
    assert "Created connection" in printed
    assert f"feed URL: {feeds.url('/rss.xml')}" in printed
    output = sync("mingyue")
    assert "matched 1 (updated 1, unchanged 0), proposed 2 (new 2)" in output
    assert "rejected 2; 5 items read." in output
    assert "rejected item 3 (MY-1003): price: 'cheap' is not a number" in output
    assert "rejected item 4: id: missing" in output
    kettle.refresh_from_db()
    assert (kettle.feed_item_id, kettle.price) == ("MY-1001", Decimal("1299.00"))
    run = NetworkConnection.objects.get(merchant=shop).runs.get()
    assert (run.state, run.lines_seen, run.lines_applied) == (RunState.SUCCEEDED, 5, 1)
    assert (run.lines_proposed, run.lines_rejected) == (2, 2)
    assert run.rejections[1] == "item 4: id: missing"


def test_a_second_sync_changes_nothing_and_appends_no_history(feeds, shop):
    OfferFactory(merchant=shop, product=ProductFactory(gtin="4006381333931"))
    connect(shop, feeds.url("/rss.xml"))
    sync("mingyue")
    history = OfferPrice.objects.count()
    proposals = list(OfferProposal.objects.values("pk", "price", "title"))
    output = sync("mingyue")
    assert "matched 1 (updated 0, unchanged 1), proposed 2 (new 0)" in output
    assert OfferPrice.objects.count() == history
    assert list(OfferProposal.objects.values("pk", "price", "title")) == proposals


@pytest.mark.parametrize(
    ("path", "format_setting", "item_id", "price", "list_price"),
    [
        ("/atom.xml", "auto", "AT-1", "199.00", None),
        ("/feed.tsv", "tsv", "TS-1", "120.00", None),
        ("/feed.tsv", "auto", "TS-2", "60.00", "80.00"),  # a sale without dates
    ],
)
def test_atom_and_text_feeds(
    feeds, shop, path, format_setting, item_id, price, list_price
):
    offer = OfferFactory(
        merchant=shop,
        feed_item_id=item_id,
        price=Decimal("1.00"),
        availability=Availability.OUT_OF_STOCK,
    )
    connect(shop, feeds.url(path), "--set", f"format={format_setting}")
    sync("mingyue")
    offer.refresh_from_db()
    assert offer.availability == Availability.IN_STOCK
    assert offer.price == Decimal(price)
    assert offer.list_price == (Decimal(list_price) if list_price else None)


def test_a_feed_url_inside_the_network_is_refused_when_set_and_when_fetched(
    shop, settings, trap
):
    with pytest.raises(CommandError, match="inside the network"):
        connect(shop, "http://127.0.0.1:9/feed.xml")
    assert not NetworkConnection.objects.exists()
    # A name that resolves inside (or a setting made before the rule) is refused
    # at connect time: nothing reaches the trap.
    connection = NetworkConnection.objects.create(
        merchant=shop,
        kind=ConnectionKind.MERCHANT_FEED,
        settings={"url": f"http://localhost:{trap.port}/feed.xml"},
    )
    run, summary = connection_feed_sync(connection=connection)
    assert run.state == RunState.FAILED
    assert run.error == "Refused by policy: internal address."
    assert trap.connections == 0
    connection.refresh_from_db()
    assert connection.last_error == "Refused by policy: internal address."


def test_a_feed_that_fails_is_on_its_health_and_others_are_still_synced(feeds, shop):
    feeds.statuses["/gone.xml"] = 404
    other = MerchantFactory(slug="other")
    offer = OfferFactory(merchant=other, feed_item_id="MY-1002")
    connect(shop, feeds.url("/gone.xml"))
    connect(other, feeds.url("/rss.xml"))
    with pytest.raises(CommandError, match="1 of 2 feeds failed"):
        sync()
    failed = NetworkConnection.objects.get(merchant=shop)
    assert failed.last_error == "The feed's server answered HTTP 404, not 200."
    offer.refresh_from_db()
    assert offer.availability == Availability.OUT_OF_STOCK
    printed = io.StringIO()
    call_command("connection", "mingyue", "--show", stdout=printed)
    assert "last error" in printed.getvalue()
    assert "HTTP 404" in printed.getvalue()


def test_a_feed_cut_short_keeps_the_items_before_the_break(feeds, shop):
    offer = OfferFactory(merchant=shop, feed_item_id="MY-1002")
    feeds.feeds["/cut.xml"] = RSS[: RSS.index(b"<g:id>MY-1005")]
    connect(shop, feeds.url("/cut.xml"))
    with pytest.raises(CommandError):
        sync("mingyue")
    offer.refresh_from_db()
    assert offer.availability == Availability.OUT_OF_STOCK
    run = NetworkConnection.objects.get().runs.get()
    assert run.state == RunState.FAILED
    assert "not well-formed after item 4" in run.error


def test_a_feed_larger_than_the_limit_is_cut_off(feeds, shop):
    connect(shop, feeds.url("/rss.xml"))
    connection = NetworkConnection.objects.get()
    run, _summary = connection_feed_sync(connection=connection, limit=1000)
    assert run.state == RunState.FAILED
    assert run.error == "The feed is larger than 1000 bytes; the rest was not read."


def test_redirects_are_followed_within_the_rule(feeds, shop):
    feeds.redirects["/old.xml"] = "/rss.xml"
    connect(shop, feeds.url("/old.xml"))
    sync("mingyue")
    assert feeds.requests == ["/old.xml", "/rss.xml"]


def test_bad_feed_settings_are_refused_by_name(shop, feeds):
    with pytest.raises(CommandError, match="needs its url"):
        call_command("connection", shop.slug, "--kind", "merchant-feed")
    with pytest.raises(CommandError, match="format: “csv” is not auto, xml or tsv"):
        connect(shop, feeds.url("/rss.xml"), "--set", "format=csv")
    with pytest.raises(CommandError, match="no product feed"):
        sync("mingyue")


def test_the_schedule_syncs_each_feed_once_per_interval(feeds, shop):
    offer = OfferFactory(merchant=shop, feed_item_id="MY-1002")
    connect(shop, feeds.url("/rss.xml"))
    assert NetworkConnection.objects.get().pull_every_minutes == 60
    assert sync_due_offer_feeds.call() == 1  # the tests' backend runs it at once
    offer.refresh_from_db()
    assert offer.availability == Availability.OUT_OF_STOCK
    assert sync_due_offer_feeds.call() == 0  # not due again within the hour


ITEM = (
    "<item><g:id>BIG-{n}</g:id><title>Generated product number {n}, a long enough "
    "title to weigh what a real one does</title>"
    "<link>https://www.shop.example/p/{n}?utm_source=feed&amp;utm_medium=cpc</link>"
    "<description>{description}</description>"
    "<g:price>{n}.00 CNY</g:price><g:availability>in_stock</g:availability>"
    "<g:image_link>https://img.shop.example/{n}.jpg</g:image_link></item>\n"
)
DESCRIPTION = "A description as merchants write them, " * 8


def big_feed(count: int):
    def chunks():
        yield (
            b'<?xml version="1.0"?><rss version="2.0" '
            b'xmlns:g="http://base.google.com/ns/1.0"><channel><title>Big</title>\n'
        )
        for start in range(1, count + 1, 1000):
            yield "".join(
                ITEM.format(n=n, description=DESCRIPTION)
                for n in range(start, min(start + 1000, count + 1))
            ).encode()
        yield b"</channel></rss>"

    return chunks


@pytest.mark.slow
def test_a_feed_of_100000_items_is_read_in_bounded_memory(feeds, shop):
    import tracemalloc

    count = 100_000
    feeds.feeds["/big.xml"] = big_feed(count)
    size = sum(len(chunk) for chunk in big_feed(count)())
    OfferFactory(merchant=shop, feed_item_id="BIG-7")
    connect(shop, feeds.url("/big.xml"))
    connection = NetworkConnection.objects.get()
    seen = []
    tracemalloc.start()
    try:
        run, summary = connection_feed_sync(
            connection=connection,
            progress=lambda _run, current: seen.append(current.read),
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert run.state == RunState.SUCCEEDED, run.error
    assert (summary.read, summary.matched, summary.proposed) == (count, 1, count - 1)
    assert OfferProposal.objects.count() == count - 1
    assert len(seen) > 100  # progress after every batch, as it went
    # The feed is about 70 MB; the reader held a small part of it at any moment.
    assert size > 60 * 1024 * 1024
    assert peak < 24 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"


def test_the_health_page_shows_each_sync_and_sync_now_runs_one(
    feeds, shop, client, editor
):
    from django.urls import reverse

    OfferFactory(merchant=shop, feed_item_id="MY-1002")
    connect(shop, feeds.url("/rss.xml"))
    connection = NetworkConnection.objects.get()
    client.force_login(editor)
    inspect = reverse("affiliates_network_connections:inspect", args=[connection.pk])
    page = client.get(inspect).content.decode()
    assert "Sync now" in page
    assert "No sync yet." in page
    answer = client.post(
        reverse("affiliates_network_connections:pull", args=[connection.pk])
    )
    assert answer.status_code == 302
    run = connection.runs.get()  # the tests' task backend ran it at once
    assert (run.state, run.lines_applied, run.lines_proposed) == (
        RunState.SUCCEEDED,
        1,
        2,
    )
    page = client.get(inspect).content.decode()
    assert "Recent syncs" in page
    assert "item 4: id: missing" in page
