"""Editors' reports in the admin's Reports menu: unattributed conversions, and
conversions held for review with Approve / Reject. Sales arrive the real way: a
reader's click through /go/ (a browser, a bot, a repeat) and the merchant's signed
postback."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from affiliates.models import (
    CommissionSettings,
    Conversion,
    EntryStatus,
    LedgerEntry,
    MerchantConnection,
    ReviewState,
    SelfPurchasePolicy,
)
from products.dates import datetime_display
from tests.affiliates.conftest import SECRET, click_id_for, flush, postback, sale

pytestmark = pytest.mark.django_db

UNATTRIBUTED = "affiliates_report_unattributed"
HELD = "affiliates_report_held"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def creator_client(creator):
    client = Client()
    client.force_login(creator.user)
    return client


@pytest.fixture
def usd_shop(network):
    """A second merchant, in USD, with a postback secret."""
    MerchantConnection.objects.create(
        merchant=network, postback_secret=SECRET, secret_created_at=timezone.now()
    )
    return network


def sell(merchant, **fields) -> Conversion:
    """A sale reported by the merchant's server through the postback endpoint."""
    response = postback(Client(), merchant, sale(**fields))
    assert response.status_code == 200, response.content
    return Conversion.objects.get(pk=response.json()["conversion_id"])


def ago(hours: float) -> str:
    return (timezone.now() - hours * HOUR).isoformat()


def go(link, *, method="get", address="203.0.113.77", **headers) -> str:
    """A reader's visit to the tracked link: the click id the merchant receives."""
    headers.setdefault("User-Agent", BROWSER)
    response = getattr(Client(), method)(
        f"/go/{link.code}", headers=headers, REMOTE_ADDR=address
    )
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["subid"][0]


class _Rows(HTMLParser):
    """The text of each table row's cells, and each form's hidden fields."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
            self.links.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []
        elif tag == "a" and self.cell is not None:
            self.links[-1].append(dict(attrs).get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def screen(response) -> list[dict]:
    """The report's rows as an editor reads them: header label → cell text (and
    the links of the row under "links")."""
    assert response.status_code == 200
    parser = _Rows()
    parser.feed(response.content.decode())
    labels = [
        str(column.label) for column in response.context["table"].columns.values()
    ]
    header = parser.rows.index(labels)
    body = [
        (row, links)
        for row, links in zip(
            parser.rows[header + 1 :], parser.links[header + 1 :], strict=True
        )
        if len(row) == len(labels)
    ]
    return [
        {**dict(zip(labels, row, strict=True)), "links": links} for row, links in body
    ]


def totals(response) -> list[list[str]]:
    parser = _Rows()
    parser.feed(response.content.decode())
    header = parser.rows.index(["Currency", "Conversions", "Sales", "Commission"])
    rows = []
    for row in parser.rows[header + 1 :]:
        if len(row) != 4:
            break
        rows.append(row)
    return rows


def exported_csv(client, path: str, query: str = "") -> list[dict]:
    separator = "&" if query else ""
    response = client.get(f"{path}?{query}{separator}export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def exported_xlsx(client, path: str) -> list[dict]:
    response = client.get(f"{path}?export=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# -- Unattributed conversions -----------------------------------------------------------


@pytest.fixture
def unattributed(connected, usd_shop, link):
    """Three sales nobody is credited for, one that is, in two currencies."""
    # Purchases through a real click come after it: now.
    sell(connected, order_id="CREDITED", click_id=go(link))
    return [
        sell(connected, order_id="DIRECT-1", amount="50.00", occurred_at=ago(1)),
        sell(
            connected,
            order_id="FORGED-1",
            amount="1000.00",
            click_id="not-a-click-id-of-ours",
            occurred_at=ago(2),
        ),
        sell(
            connected,
            order_id="LATE-1",
            amount="333.33",
            click_id=click_id_for(link, at=timezone.now() - 40 * 24 * HOUR),
            occurred_at=ago(3),
        ),
        sell(
            usd_shop,
            order_id="US-1",
            amount="19.99",
            currency="USD",
            commission="2.50",
            occurred_at=ago(4),
        ),
    ]


def test_unattributed_report_lists_who_was_not_credited_and_why(
    editor_client, unattributed
):
    rows = screen(editor_client.get(reverse(UNATTRIBUTED)))
    assert [row["Order"] for row in rows] == ["DIRECT-1", "FORGED-1", "LATE-1", "US-1"]
    direct, forged, late, usd = rows
    assert direct["Merchant"] == "Mingyue"
    assert direct["Sale"] == "50.00 CNY" and direct["Commission"] == "4.00 CNY"
    assert direct["Click id received"] == ""
    assert direct["Why unattributed"] == "No click id"
    assert forged["Click id received"] == "not-a-click-id-of-ours"
    assert forged["Why unattributed"] == "Click id not ours or altered"
    assert forged["Commission"] == "80.00 CNY"
    assert late["Sale"] == "333.33 CNY" and late["Commission"] == "26.67 CNY"
    assert late["Why unattributed"] == "Purchase after the attribution window"
    assert usd["Merchant"] == "LinkHub"
    assert usd["Sale"] == "19.99 USD" and usd["Commission"] == "2.50 USD"
    # Each order links to its conversion page.
    conversion = unattributed[0]
    assert (
        reverse("affiliates_conversions:inspect", args=[conversion.pk])
        in (direct["links"])
    )


def test_unattributed_totals_are_per_currency(editor_client, unattributed):
    response = editor_client.get(reverse(UNATTRIBUTED))
    assert totals(response) == [
        ["CNY", "3", "1383.33 CNY", "110.67 CNY"],
        ["USD", "1", "19.99 USD", "2.50 USD"],
    ]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"reason": "no_click_id"}, ["DIRECT-1", "US-1"]),
        ({"reason": "invalid_click_id"}, ["FORGED-1"]),
        ({"reason": "outside_window"}, ["LATE-1"]),
        ({"merchant": "usd"}, ["US-1"]),
        ({"merchant": "usd", "reason": "invalid_click_id"}, []),
        ({"purchased_from": "today", "purchased_to": "today"}, "today's"),
        ({"purchased_to": "yesterday"}, "before today"),
    ],
)
def test_unattributed_filters(editor_client, unattributed, usd_shop, query, shown):
    today = timezone.localdate()
    days = {"today": today, "yesterday": today - datetime.timedelta(days=1)}
    query = {
        key: str(usd_shop.pk) if value == "usd" else str(days.get(value, value))
        for key, value in query.items()
    }
    if shown == "today's":  # purchases of the last hours may fall before midnight
        shown = [c.order_id for c in unattributed if c.occurred_at.date() == today]
    elif shown == "before today":
        shown = [c.order_id for c in unattributed if c.occurred_at.date() < today]
    response = editor_client.get(reverse(UNATTRIBUTED) + "?" + urlencode(query))
    assert [c.order_id for c in response.context["object_list"]] == shown
    # The export takes the same filters.
    exported = exported_csv(editor_client, reverse(UNATTRIBUTED), urlencode(query))
    assert [row["Order"] for row in exported] == shown


def test_a_bad_filter_shows_nothing_and_the_export_refuses_it(
    editor_client, unattributed
):
    response = editor_client.get(reverse(UNATTRIBUTED) + "?purchased_from=not-a-day")
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert "purchased" in response.context["filters"].errors
    export = editor_client.get(
        reverse(UNATTRIBUTED) + "?purchased_from=not-a-day&export=csv"
    )
    assert export.status_code == 400
    assert "purchased" in export.content.decode()
    unknown = editor_client.get(reverse(UNATTRIBUTED) + "?reason=made-up")
    assert list(unknown.context["object_list"]) == []


def test_unattributed_csv_export_equals_the_screen(editor_client, unattributed):
    rows = screen(editor_client.get(reverse(UNATTRIBUTED)))
    exported = exported_csv(editor_client, reverse(UNATTRIBUTED))
    assert len(exported) == len(rows) == 4
    for shown, row in zip(rows, exported, strict=True):
        assert row["Order"] == shown["Order"]
        assert row["Merchant"] == shown["Merchant"]
        assert f"{row['Sale']} {row['Currency']}" == shown["Sale"]
        assert f"{row['Commission']} {row['Currency']}" == shown["Commission"]
        purchased = datetime.datetime.fromisoformat(row["Purchased"])
        assert datetime_display(purchased) == shown["Purchased"]
        assert re.fullmatch(
            r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", shown["Purchased"]
        )
        assert row["Click id received"] == shown["Click id received"]
        assert row["Why unattributed"] == shown["Why unattributed"]
    # Numbers, not text: a spreadsheet sums them (per currency).
    assert sum(Decimal(r["Sale"]) for r in exported if r["Currency"] == "CNY") == (
        Decimal("1383.33")
    )


def test_unattributed_xlsx_export_has_the_same_rows(editor_client, unattributed):
    exported = exported_xlsx(editor_client, reverse(UNATTRIBUTED))
    from_csv = exported_csv(editor_client, reverse(UNATTRIBUTED))
    assert [row["Order"] for row in exported] == [row["Order"] for row in from_csv]
    assert [Decimal(str(row["Sale"])) for row in exported] == [
        Decimal(row["Sale"]) for row in from_csv
    ]
    assert [Decimal(str(row["Commission"])) for row in exported] == [
        Decimal(row["Commission"]) for row in from_csv
    ]


def test_a_formula_in_an_order_id_stays_text_in_the_csv(editor_client, connected):
    sell(connected, order_id="=HYPERLINK(1)")
    exported = exported_csv(editor_client, reverse(UNATTRIBUTED))
    assert exported[0]["Order"] == "'=HYPERLINK(1)"


# -- Held for review -------------------------------------------------------------------


@pytest.fixture
def held(connected, link, creator):
    """Four sales through the author's link: a bot's click, a reader's repeated
    click, the author's own purchase (the policy holds it) and a clean one."""
    settings = CommissionSettings.load()
    settings.self_purchase_policy = SelfPurchasePolicy.HOLD
    settings.save()
    creator.customer_refs = "buyer-self"
    creator.save()

    bot_click = go(link, method="head")
    go(link, address="198.51.100.20")
    repeat_click = go(link, address="198.51.100.20")
    clean_click = go(link, address="198.51.100.30")
    own_click = go(link, address="198.51.100.40")
    assert flush() == 5
    # Sold in this order (each purchase after its click): newest first is the reverse.
    return {
        "bot": sell(connected, order_id="BOT-1", click_id=bot_click),
        "duplicate": sell(
            connected, order_id="DUP-1", click_id=repeat_click, amount="250.00"
        ),
        "self": sell(
            connected,
            order_id="OWN-1",
            click_id=own_click,
            customer_ref="buyer-self",
            amount="99.99",
        ),
        "clean": sell(connected, order_id="CLEAN-1", click_id=clean_click),
    }


def test_held_report_lists_held_conversions_with_author_and_article(
    editor_client, held, link
):
    rows = screen(editor_client.get(reverse(HELD)))
    assert [row["Order"] for row in rows] == ["OWN-1", "DUP-1", "BOT-1"]
    own, duplicate, bot = rows
    assert [bot["Held because"], duplicate["Held because"], own["Held because"]] == [
        "Click by a bot",
        "Duplicate click",
        "Self-purchase",
    ]
    assert {row["Author"] for row in rows} == {"Lulu"}
    assert {row["Article"] for row in rows} == {link.article.title}
    edit = reverse("wagtailadmin_pages:edit", args=[link.article_id])
    assert all(edit in row["links"] for row in rows)
    assert bot["Sale"] == "1000.00 CNY" and bot["Commission"] == "80.00 CNY"
    assert duplicate["Sale"] == "250.00 CNY" and duplicate["Commission"] == "20.00 CNY"
    assert own["Sale"] == "99.99 CNY" and own["Commission"] == "8.00 CNY"


def test_held_totals_and_filters(editor_client, held):
    response = editor_client.get(reverse(HELD))
    assert totals(response) == [["CNY", "3", "1349.99 CNY", "108.00 CNY"]]
    for reason, order in [
        ("bot", "BOT-1"),
        ("duplicate", "DUP-1"),
        ("self_purchase", "OWN-1"),
        ("preview", None),
    ]:
        response = editor_client.get(reverse(HELD) + f"?reason={reason}")
        orders = [c.order_id for c in response.context["object_list"]]
        assert orders == ([order] if order else [])


def test_held_csv_and_xlsx_exports_equal_the_screen(editor_client, held):
    rows = screen(editor_client.get(reverse(HELD)))
    exported = exported_csv(editor_client, reverse(HELD))
    assert len(exported) == len(rows) == 3
    for shown, row in zip(rows, exported, strict=True):
        for heading in ("Order", "Author", "Article", "Merchant", "Held because"):
            assert row[heading] == shown[heading]
        assert f"{row['Sale']} {row['Currency']}" == shown["Sale"]
        assert f"{row['Commission']} {row['Currency']}" == shown["Commission"]
        purchased = datetime.datetime.fromisoformat(row["Purchased"])
        assert datetime_display(purchased) == shown["Purchased"]
        assert re.fullmatch(
            r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", shown["Purchased"]
        )
    workbook = exported_xlsx(editor_client, reverse(HELD))
    assert [(r["Order"], Decimal(str(r["Commission"]))) for r in workbook] == [
        (r["Order"], Decimal(r["Commission"])) for r in exported
    ]


def review_form(response, order_id: str, outcome: str = "approve") -> dict:
    """The confirmation form behind one row's Approve (or Reject) link: its action
    and hidden fields, as the editor's browser would send them."""
    page = response.content.decode()
    conversion = Conversion.objects.get(order_id=order_id)
    action = reverse("affiliates_conversions:review", args=[conversion.pk])
    link = re.search(rf'<a href="({re.escape(action)}\?outcome={outcome}[^"]*)"', page)
    assert link, f"no {outcome} link for {order_id}"
    # The row acts on nothing itself: no form of the report posts to the review.
    assert f'action="{action}"' not in page
    question = response.client.get(unescape(link[1]))
    assert question.status_code == 200
    form = re.search(
        r'<form action="([^"]+)" method="POST">(.*?)</form>',
        question.content.decode(),
        re.S,
    )
    assert form and unescape(form[1]) == action, f"no confirmation for {order_id}"
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[2])
    )
    return {"action": action, **{k: unescape(v) for k, v in fields.items()}}


def messages_of(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


def balances(conversion: Conversion) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in LedgerEntry.objects.filter(conversion=conversion):
        totals[entry.status] = totals.get(entry.status, Decimal(0)) + entry.amount
    return {status: total for status, total in totals.items() if total}


def test_approve_from_the_report_moves_the_commission_to_pending(editor, held):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    report = client.get(reverse(HELD) + "?reason=bot")
    form = review_form(report, "BOT-1")
    assert form["next"] == reverse(HELD) + "?reason=bot"
    response = client.post(form["action"], {**form, "outcome": "approve"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(HELD) + "?reason=bot"
    assert messages_of(response) == [
        "Conversion BOT-1 approved: its commission is pending."
    ]
    bot = held["bot"]
    bot.refresh_from_db()
    assert bot.review == ReviewState.RELEASED and bot.reviewed_by == editor
    assert balances(bot) == {EntryStatus.PENDING: Decimal("80.00")}
    # It leaves the report; the others stay.
    orders = [row["Order"] for row in screen(client.get(reverse(HELD)))]
    assert orders == ["OWN-1", "DUP-1"]


def test_reject_from_the_report_reverses_the_commission(editor_client, held):
    form = review_form(editor_client.get(reverse(HELD)), "DUP-1", "reject")
    response = editor_client.post(form["action"], {**form, "outcome": "reject"})
    assert response.status_code == 302 and response["Location"] == reverse(HELD)
    duplicate = held["duplicate"]
    duplicate.refresh_from_db()
    assert duplicate.review == ReviewState.REJECTED
    assert balances(duplicate) == {}
    assert LedgerEntry.objects.filter(conversion=duplicate).count() > 0  # reversed
    orders = [row["Order"] for row in screen(editor_client.get(reverse(HELD)))]
    assert orders == ["OWN-1", "BOT-1"]


def test_a_conversion_no_longer_held_shows_a_message(editor_client, held):
    stale = editor_client.get(reverse(HELD))  # two editors open the same page
    form = review_form(stale, "OWN-1")
    editor_client.post(form["action"], {**form, "outcome": "approve"})
    entries = LedgerEntry.objects.count()
    response = editor_client.post(
        form["action"], {**form, "outcome": "reject"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(HELD)
    assert messages_of(response)[-1] == "This conversion is not held for review."
    own = held["self"]
    own.refresh_from_db()
    assert own.review == ReviewState.RELEASED
    assert LedgerEntry.objects.count() == entries


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/admin/", "javascript:x"]
)
def test_review_never_returns_off_the_site(editor_client, held, elsewhere):
    bot = held["bot"]
    response = editor_client.post(
        reverse("affiliates_conversions:review", args=[bot.pk]),
        {"outcome": "approve", "next": elsewhere},
    )
    assert response["Location"] == reverse(
        "affiliates_conversions:inspect", args=[bot.pk]
    )


def test_the_held_report_reads_a_fixed_number_of_queries(
    editor_client, held, connected, link, django_assert_max_num_queries
):
    editor_client.get(reverse(HELD))  # warm caches (settings, site)
    with django_assert_max_num_queries(40) as few:
        editor_client.get(reverse(HELD))
    baseline = len(few)
    creator = link.author
    for number in range(5):
        sell(
            connected,
            order_id=f"OWN-{number + 10}",
            click_id=go(link, address=f"198.51.100.{number + 100}"),
            customer_ref=creator.customer_refs,
        )
    assert Conversion.objects.filter(review=ReviewState.HELD).count() == 8
    with django_assert_max_num_queries(baseline):
        editor_client.get(reverse(HELD))


# -- Who may open them ------------------------------------------------------------------


def report_urls(conversion: Conversion) -> list[tuple[str, str, dict]]:
    review = reverse("affiliates_conversions:review", args=[conversion.pk])
    urls = []
    for name in (UNATTRIBUTED, HELD):
        for path in (reverse(name), reverse(f"{name}_results")):
            urls += [
                ("get", path, {}),
                ("get", path, {"export": "csv"}),
                ("get", path, {"export": "xlsx"}),
            ]
    urls.append(("post", review, {"outcome": "approve", "next": reverse(HELD)}))
    return urls


def test_creators_get_403_on_every_report_url(creator_client, held, connected):
    sell(connected, order_id="DIRECT-9")  # something to leak in the other report
    for method, path, data in report_urls(held["self"]):
        response = getattr(creator_client, method)(path, data)
        assert response.status_code == 403, (method, path, data)
        assert b"DIRECT-9" not in response.content and b"OWN-1" not in response.content
    held["self"].refresh_from_db()
    assert held["self"].review == ReviewState.HELD


def test_anonymous_visitors_are_sent_to_the_login(client, held):
    for method, path, data in report_urls(held["bot"]):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, (method, path, data)
        assert response["Location"].startswith(reverse("wagtailadmin_login"))
    held["bot"].refresh_from_db()
    assert held["bot"].review == ReviewState.HELD


def test_the_same_urls_answer_editors(editor_client, held):
    for method, path, data in report_urls(held["bot"]):
        response = getattr(editor_client, method)(path, data)
        assert response.status_code in (200, 302), (method, path, data)
    held["bot"].refresh_from_db()
    assert held["bot"].review == ReviewState.RELEASED


def test_the_reports_menu_shows_them_to_editors_only(editor_client, creator_client):
    home = reverse("wagtailadmin_home")
    for name in (UNATTRIBUTED, HELD):
        assert reverse(name) in editor_client.get(home).content.decode()
        assert reverse(name) not in creator_client.get(home).content.decode()


def test_a_sale_through_a_preview_link_is_held_with_its_draft(
    editor_client, connected, articles, creator, headphones
):
    from affiliates.models import TrackedLink
    from tests.conftest import review_create

    draft = review_create(
        parent=articles,
        author=creator,
        product=headphones,
        title="Draft review",
        publish=False,
    )
    # An editor previews the draft: its links are preview links.
    editor_client.get(reverse("wagtailadmin_pages:view_draft", args=[draft.pk]))
    preview_link = TrackedLink.objects.get(article=draft, is_preview=True)
    sell(connected, order_id="PREVIEW-1", click_id=go(preview_link))

    rows = screen(editor_client.get(reverse(HELD) + "?reason=preview"))
    assert [row["Order"] for row in rows] == ["PREVIEW-1"]
    assert rows[0]["Held because"] == "Click from a preview"
    assert rows[0]["Article"] == "Draft review"
    assert reverse("wagtailadmin_pages:edit", args=[draft.pk]) in rows[0]["links"]


def test_a_control_character_stored_in_an_order_id_does_not_break_the_xlsx(
    editor_client, connected, link
):
    """Postbacks refuse control characters now; a value stored before still exports,
    as U+FFFD (XLSX cannot hold it; the CSV goes through the same one path,
    zhongcao.spreadsheets)."""
    sell(connected, order_id="OLD-1")
    bot_click = go(link, method="head")
    flush()
    assert sell(connected, order_id="OLD-2", click_id=bot_click).hold_reason
    # NUL where the database stores it (SQLite); PostgreSQL's text refuses NUL.
    control = "\x01" if connection.vendor == "postgresql" else "\x00"
    Conversion.objects.filter(order_id="OLD-1").update(order_id=f"OLD{control}1")
    Conversion.objects.filter(order_id="OLD-2").update(order_id="OLD\x1b2")
    exported = exported_xlsx(editor_client, reverse(UNATTRIBUTED))
    assert [row["Order"] for row in exported] == ["OLD\ufffd1"]
    exported = exported_xlsx(editor_client, reverse(HELD))
    assert [row["Order"] for row in exported] == ["OLD\ufffd2"]
    exported = exported_csv(editor_client, reverse(UNATTRIBUTED))
    assert [row["Order"] for row in exported] == ["OLD\ufffd1"]
