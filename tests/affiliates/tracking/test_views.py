"""The /go/ redirect: where it sends the reader, which clicks it bills, and what it keeps."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from affiliates.models import Click
from affiliates.tracking.clickids import click_id_make, click_id_parse
from tests.affiliates.conftest import flush, out_of_stock
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


# GET /go/<code>: the tracked redirect.

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
READER_IP = "203.0.113.77"


def go(client, link, method="get", query="", **headers):
    headers.setdefault("User-Agent", BROWSER)
    return getattr(client, method)(
        f"/go/{link.code}{query}", headers=headers, REMOTE_ADDR=READER_IP
    )


def test_redirect_is_a_302_to_the_offer_with_the_click_id_as_subid(client, link):
    response = go(client, link)
    assert response.status_code == 302
    destination = urlsplit(response["Location"])
    assert destination.netloc == "www.mingyuehome.cn"
    assert destination.path == "/item/1"
    query = parse_qs(destination.query)
    assert query["color"] == ["black"]
    facts = click_id_parse(query["subid"][0])
    assert facts.link_id == link.pk
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] != "unsafe-url"  # the default stays

    assert flush() == 1
    click = Click.objects.get()
    assert click.click_id == query["subid"][0]
    assert click.link == link and click.is_billable
    assert click.user_agent == BROWSER


def test_network_template_wraps_the_url_and_sends_the_referrer(
    client, articles, creator, network
):
    product = OfferFactory(
        merchant=network, url="https://kettleandpour.com/p/gooseneck", currency="USD"
    ).product
    from tests.conftest import review_create

    page = review_create(
        parent=articles, author=creator, product=product, title="Kettle"
    )
    from affiliates.models import TrackedLink

    link = TrackedLink.objects.get(article=page)
    response = go(client, link)
    destination = urlsplit(response["Location"])
    assert destination.netloc == "go.linkhub-network.com"
    query = parse_qs(destination.query)
    assert query["u"] == ["https://kettleandpour.com/p/gooseneck"]
    assert click_id_parse(query["sid"][0]).link_id == link.pk
    assert response["Referrer-Policy"] == "unsafe-url"


def test_query_parameters_change_neither_destination_nor_credit(client, link):
    response = go(
        client,
        link,
        query="?url=https://evil.example/&author=999&subid=forged&next=//evil.example",
    )
    destination = urlsplit(response["Location"])
    assert destination.netloc == "www.mingyuehome.cn"
    assert "evil" not in response["Location"]
    assert parse_qs(destination.query)["subid"] != ["forged"]
    flush()
    assert Click.objects.get().link == link


def test_a_changed_character_is_a_404_and_records_nothing(client, link):
    code = link.code
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    for path in (
        f"/go/{tampered}",
        f"/go/{code}x",
        f"/go/{code[:-1]}",
        "/go/not-a-code!",
        f"/go/{code.lower() if code.lower() != code else code.upper()}",
    ):
        response = client.get(path, headers={"User-Agent": BROWSER})
        assert response.status_code == 404, path
        assert b"does not exist" in response.content
    assert flush() == 0
    assert not Click.objects.exists()


def test_out_of_stock_offer_falls_back_to_the_cheapest_in_stock_offer(
    client, link, shop, network, headphones
):
    original = link.offer
    cheaper_cny = OfferFactory(
        product=headphones,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/2",
        price="999.00",
        currency="CNY",
    )
    OfferFactory(
        product=headphones,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/3",
        price="1099.00",
        currency="CNY",
    )
    OfferFactory(
        product=headphones,
        merchant=network,
        url="https://kettleandpour.com/p/9",
        price="10.00",
        currency="USD",
    )
    out_of_stock(original)
    response = go(client, link)
    assert urlsplit(response["Location"]).path == "/item/2"
    flush()
    click = Click.objects.get()
    assert click.link == link  # still credited to the same article, author, placement
    assert click.destination_offer_id == cheaper_cny.pk


def test_fallback_to_another_currency_then_to_the_original(
    client, link, network, headphones
):
    out_of_stock(link.offer)
    usd = OfferFactory(
        product=headphones,
        merchant=network,
        url="https://kettleandpour.com/p/9",
        price="150.00",
        currency="USD",
    )
    assert urlsplit(go(client, link)["Location"]).netloc == "go.linkhub-network.com"
    from affiliates.tracking.runtime import tracking_runtime

    out_of_stock(usd)
    tracking_runtime().link_targets.clear()
    assert urlsplit(go(client, link)["Location"]).path == "/item/1"


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("head", {}),
        (
            "get",
            {
                "User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            },
        ),
        (
            "get",
            {
                "User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
            },
        ),
        ("get", {"Sec-Purpose": "prefetch"}),
        ("get", {"Purpose": "prefetch"}),
        ("get", {"User-Agent": ""}),
    ],
)
def test_bots_are_redirected_but_not_billable(client, link, method, headers):
    response = go(client, link, method=method, **headers)
    assert response.status_code == 302
    flush()
    click = Click.objects.get()
    assert click.is_bot and not click.is_billable


def test_a_crawler_named_past_what_a_click_keeps_is_still_a_bot(client, link):
    # The click keeps 400 characters of the user agent; the redirect checks the
    # whole of a longer one itself.
    user_agent = BROWSER + " " * (420 - len(BROWSER)) + "Googlebot/2.1"
    go(client, link, **{"User-Agent": user_agent})
    go(client, link, **{"User-Agent": BROWSER + " " * 420})
    flush()
    bot, reader = Click.objects.order_by("-is_bot")
    assert bot.is_bot and "Googlebot" not in bot.user_agent
    assert len(bot.user_agent) == 400
    assert not reader.is_bot and reader.is_billable


def test_five_identical_clicks_make_one_billable(client, link):
    for _ in range(5):
        assert go(client, link).status_code == 302
    assert flush() == 5
    assert Click.objects.count() == 5
    assert Click.objects.filter(is_billable=True).count() == 1
    assert Click.objects.filter(is_duplicate=True).count() == 4


def test_repeats_across_flushes_are_still_duplicates(client, link):
    go(client, link)
    flush()
    go(client, link)
    flush()
    assert list(
        Click.objects.order_by("clicked_at").values_list("is_billable", flat=True)
    ) == [True, False]


def test_another_visitor_is_billable(client, link):
    go(client, link)
    client.get(
        f"/go/{link.code}", headers={"User-Agent": BROWSER}, REMOTE_ADDR="198.51.100.9"
    )
    flush()
    assert Click.objects.filter(is_billable=True).count() == 2


@pytest.mark.parametrize("header", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_privacy_signals_bill_once_an_hour_and_keep_nothing_past_it(
    client, link, header
):
    """A reader who opts out (GPC or DNT) is told apart from others only within the
    clock hour, by the hour's salt: a repeat within it is a duplicate like anyone's,
    and once the hour's salt is purged nothing can link the hash to the reader."""
    from affiliates.models import HourlySalt, VisitorSalt
    from affiliates.tasks import purge_hourly_salts

    first, repeat = go(client, link, **header), go(client, link, **header)
    everyone_else = go(client, link)  # the same address and browser, not opted out
    flush()
    by_id = {click.click_id: click for click in Click.objects.all()}

    def click(response):
        return by_id[parse_qs(urlsplit(response["Location"]).query)["subid"][0]]

    assert click(first).is_billable
    assert click(repeat).is_duplicate and not click(repeat).is_billable
    assert click(first).visitor_hash == click(repeat).visitor_hash != ""
    # Another hash than the day's: the day's salt never sees an opted-out click.
    assert click(everyone_else).is_billable
    assert click(everyone_else).visitor_hash != click(first).visitor_hash
    [salt] = HourlySalt.objects.all()
    assert VisitorSalt.objects.count() == 1

    # The hour is over: its salt goes, and nothing hashes the reader that way again.
    HourlySalt.objects.update(hour=salt.hour - datetime.timedelta(hours=1))
    purge_hourly_salts.call()
    assert not HourlySalt.objects.exists()
    assert VisitorSalt.objects.count() == 1


def test_an_opted_out_reader_bills_again_in_the_next_hour(link):
    """The hour's salt, not a rolling window: the next hour's first click bills."""
    from affiliates.commissions.services.conversions import clicks_store_settling
    from affiliates.tracking.clicks import hour_of, hourly_visitor_hash
    from affiliates.tracking.runtime import tracking_runtime
    from tests.factories import pending_click

    hour = hour_of(timezone.now()) - datetime.timedelta(hours=1)
    clicks = []
    for minute in (58, 59, 61):  # two in the past hour, one in this one
        at = hour + datetime.timedelta(minutes=minute)
        clicks.append(
            pending_click(
                link=link,
                click_id=click_id_make(link_id=link.pk, clicked_at=at),
                clicked_at=at,
                visitor=hourly_visitor_hash(
                    salts=tracking_runtime().hourly_salts,
                    ip=READER_IP,
                    user_agent=BROWSER,
                    hour=hour_of(at),
                ),
            )
        )
    clicks_store_settling(clicks=clicks)
    assert list(
        Click.objects.order_by("clicked_at").values_list("is_billable", flat=True)
    ) == [True, False, True]


def test_no_raw_ip_in_any_column(client, link):
    go(client, link, Referer="https://zhongcao.example/articles/x/")
    go(client, link, **{"Sec-GPC": "1"})
    flush()
    table = Click._meta.db_table
    columns = [field.column for field in Click._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table}"  # noqa: S608
        )
        rows = cursor.fetchall()
    assert len(rows) == 2
    for row in rows:
        for value in row:
            assert READER_IP not in str(value)
            assert READER_IP.replace(".", "") not in str(value)


def test_reader_is_redirected_when_the_click_store_fails(client, link):
    """The database refuses every click insert; readers still get their 302, and the
    clicks are written once the database is back."""
    from django.db import OperationalError

    def refuse_click_inserts(execute, sql, params, many, context):
        # Any statement on the clicks table: the flush reads it (duplicates) before
        # it writes, through Django, on every database.
        if Click._meta.db_table in sql:
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_click_inserts):
        for _ in range(3):
            assert go(client, link).status_code == 302
        with pytest.raises(OperationalError):
            flush()
    assert not Click.objects.exists()
    from affiliates.tracking.runtime import tracking_runtime

    assert len(tracking_runtime().click_buffer) == 3  # kept, not lost
    assert flush() == 3
    assert Click.objects.count() == 3


def test_unknown_link_is_a_small_404_not_an_error(client, db):
    response = client.get("/go/AbCdEfGh12")
    assert response.status_code == 404
    assert b"<h1>" in response.content


def test_a_warm_redirect_makes_no_database_query(
    client, link, django_assert_num_queries
):
    go(client, link)  # first click of the day reads the link and the day's salt
    with django_assert_num_queries(0):
        for _ in range(3):
            assert go(client, link).status_code == 302
