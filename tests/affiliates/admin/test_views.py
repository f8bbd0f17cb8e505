"""Money in the Wagtail admin, through its own URLs: editors' conversions, ledger,
payouts and merchant connections, creators' own earnings, and who may open what."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.users.models import UserProfile

from affiliates.commissions.services.ledger import commissions_approve, ledger_adjust
from affiliates.commissions.services.payouts import payout_run_create
from affiliates.creators.services import payout_method_set
from affiliates.models import (
    CommissionSettings,
    Conversion,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutDetails,
    PayoutRun,
    PayoutStatus,
    ReviewState,
    SelfPurchasePolicy,
)
from tests.affiliates.conftest import SECRET, click_id_for, postback, sale
from tests.factories import MerchantFactory, TrackedLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

CONVERSIONS = "affiliates_conversions"
LEDGER = "affiliates_ledger"
PAYOUTS = "affiliates_payouts"
CONNECTIONS = "affiliates_merchant_connections"
EARNINGS = "affiliates_own_earnings"
FAR_FUTURE = datetime.timedelta(days=365)
BANK_DETAILS = PayoutDetails(
    holder_name="林小鹿",
    bank_name="招商银行 上海分行",
    account_number="6222021234561234",
)


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


def sell(merchant, *, link=None, **fields) -> Conversion:
    """A sale reported by the merchant's server through the postback endpoint."""
    if link is not None:
        fields.setdefault("click_id", click_id_for(link))
    response = postback(Client(), merchant, sale(**fields))
    assert response.status_code == 200, response.content
    return Conversion.objects.get(pk=response.json()["conversion_id"])


@pytest.fixture
def held(connected, link, creator) -> Conversion:
    """The author bought through their own link, and the policy holds that."""
    settings = CommissionSettings.load()
    settings.self_purchase_policy = SelfPurchasePolicy.HOLD
    settings.save()
    creator.customer_refs = "buyer-1"
    creator.save()
    return sell(connected, link=link, order_id="OWN-1", customer_ref="buyer-1")


@pytest.fixture
def other_link(connected, other_creator):
    return TrackedLinkFactory(author=other_creator, offer__merchant=connected)


@pytest.fixture
def due(connected, link, other_link):
    """Both creators' approved CNY balances reach the payout minimum (CNY 100)."""
    sell(connected, link=link, order_id="BIG-1", amount="5000.00")
    sell(connected, link=other_link, order_id="BIG-2", amount="2500.00")
    commissions_approve(now=timezone.now() + FAR_FUTURE)


@pytest.fixture
def run(due, editor) -> PayoutRun:
    return payout_run_create(run_date=datetime.date(2026, 1, 31), user=editor)


def url(viewset: str, view: str, *args) -> str:
    return reverse(f"{viewset}:{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


# -- Conversions ------------------------------------------------------------------------


def test_editor_lists_conversions_with_their_attribution(
    editor_client, connected, link
):
    sell(connected, link=link, order_id="A-1", amount="1000.00")
    sell(connected, order_id="U-1", amount="50.00")  # no click id: unattributed
    response = editor_client.get(url(CONVERSIONS, "index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A-1" in page and "U-1" in page
    assert "1000.00 CNY" in page and "80.00 CNY" in page  # sale and commission
    assert "Lulu" in page  # the author
    assert link.article.title in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", {"A-1", "U-1", "OWN-1"}),
        ("?attributed=true", {"A-1", "OWN-1"}),
        ("?attributed=false", {"U-1"}),
        ("?review=held", {"OWN-1"}),
        ("?status=approved", {"U-1"}),
    ],
)
def test_conversion_filters(editor_client, connected, link, held, query, shown):
    sell(connected, link=link, order_id="A-1")
    sell(connected, order_id="U-1", status="approved")
    response = editor_client.get(url(CONVERSIONS, "index") + query)
    orders = {row.order_id for row in response.context["object_list"]}
    assert orders == shown


def test_conversion_filter_by_merchant(editor_client, connected, link):
    sell(connected, link=link, order_id="A-1")
    elsewhere = MerchantFactory()
    MerchantConnection.objects.create(
        merchant=elsewhere, postback_secret=SECRET, secret_created_at=timezone.now()
    )
    sell(elsewhere, order_id="B-1")
    response = editor_client.get(
        url(CONVERSIONS, "index") + f"?merchant={elsewhere.pk}"
    )
    assert [row.order_id for row in response.context["object_list"]] == ["B-1"]


def test_conversion_search_by_order_id(editor_client, connected, link):
    sell(connected, link=link, order_id="TM-2026-0001")
    sell(connected, link=link, order_id="JD-7")
    response = editor_client.get(url(CONVERSIONS, "index") + "?q=tm-2026")
    assert [row.order_id for row in response.context["object_list"]] == ["TM-2026-0001"]


def test_the_conversion_list_reads_a_fixed_number_of_queries(
    editor_client, connected, link, django_assert_max_num_queries
):
    sell(connected, link=link, order_id="A-0")
    editor_client.get(url(CONVERSIONS, "index"))  # warm caches (settings, site)
    with django_assert_max_num_queries(30) as few:
        editor_client.get(url(CONVERSIONS, "index"))
    baseline = len(few)  # counted now: the postbacks below reset the query log
    for number in range(1, 15):
        sell(connected, link=link, order_id=f"A-{number}")
    with django_assert_max_num_queries(baseline):
        editor_client.get(url(CONVERSIONS, "index"))


def test_conversion_page_shows_attribution_and_ledger_entries(
    editor_client, connected, link
):
    conversion = sell(connected, link=link, order_id="A-1")
    response = editor_client.get(url(CONVERSIONS, "inspect", conversion.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert conversion.click_id in page
    assert "reviewed-product" in page  # placement
    assert link.article.title in page
    assert "Lulu" in page
    assert list(response.context["entries"]) == list(conversion.entries.all())
    assert "48.00 CNY" in page and "32.00 CNY" in page  # author, platform
    assert not response.context["can_review"]
    assert 'value="approve"' not in page


def test_unattributed_conversion_page_says_why(editor_client, connected):
    conversion = sell(connected, order_id="U-1")
    page = editor_client.get(url(CONVERSIONS, "inspect", conversion.pk)).content
    assert "No click id" in page.decode()


def confirmation_form(client, link: str) -> tuple[str, dict]:
    """Follow a money action's link to its confirmation page: the form's action and
    fields (hidden ones and the Yes button's), as a browser would send them."""
    response = client.get(link)
    assert response.status_code == 200, link
    page = response.content.decode()
    form = re.search(r'<form action="([^"]+)" method="POST">(.*?)</form>', page, re.S)
    assert form, f"no confirmation form at {link}"
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[2])
    )
    return unescape(form[1]), {name: unescape(v) for name, v in fields.items()}


def action_links(page: str, path: str) -> list[str]:
    """The links on ``page`` that lead to the action at ``path``."""
    return [
        unescape(href) for href in re.findall(rf'href="({re.escape(path)}[^"]*)"', page)
    ]


def test_editor_approves_a_held_conversion(editor_client, editor, held):
    page = editor_client.get(url(CONVERSIONS, "inspect", held.pk)).content.decode()
    review = url(CONVERSIONS, "review", held.pk)
    # No form on the page acts at once: Approve and Reject lead to a question.
    assert f'action="{review}"' not in page
    assert action_links(page, review) == [
        f"{review}?outcome=approve",
        f"{review}?outcome=reject",
    ]
    assert "Self-purchase" in page

    confirm = editor_client.get(f"{review}?outcome=approve")
    text = confirm.content.decode()
    assert "Approve conversion OWN-1?" in text
    # What will move: whose held money, how much, in which currency.
    assert "Lulu" in text and "CNY" in text
    held.refresh_from_db()
    assert held.review == ReviewState.HELD  # asking changes nothing

    action, data = confirmation_form(editor_client, f"{review}?outcome=approve")
    assert (action, data["outcome"]) == (review, "approve")
    response = editor_client.post(action, data, follow=True)
    held.refresh_from_db()
    assert held.review == ReviewState.RELEASED
    assert held.reviewed_by == editor
    assert set(held.entries.values_list("status", flat=True)) >= {EntryStatus.PENDING}
    assert "approved" in messages_of(response)[0]
    assert not response.context["can_review"]


def test_editor_rejects_a_held_conversion(editor_client, held):
    editor_client.post(url(CONVERSIONS, "review", held.pk), {"outcome": "reject"})
    held.refresh_from_db()
    assert held.review == ReviewState.REJECTED
    assert sum(entry.amount for entry in held.entries.all()) == 0


def test_reviewing_twice_is_refused_with_a_message(editor_client, held):
    editor_client.post(url(CONVERSIONS, "review", held.pk), {"outcome": "approve"})
    entries = held.entries.count()
    response = editor_client.post(
        url(CONVERSIONS, "review", held.pk), {"outcome": "reject"}, follow=True
    )
    assert messages_of(response)[-1] == "This conversion is not held for review."
    held.refresh_from_db()
    assert held.review == ReviewState.RELEASED
    assert held.entries.count() == entries


def test_an_unknown_review_outcome_is_400(editor_client, held):
    response = editor_client.post(url(CONVERSIONS, "review", held.pk), {"outcome": ""})
    assert response.status_code == 400
    held.refresh_from_db()
    assert held.review == ReviewState.HELD


def test_the_review_question_says_what_moves(editor_client, held):
    shares = held.entries.filter(status=EntryStatus.HELD, creator__isnull=False)
    amount = sum(entry.amount for entry in shares)
    assert amount > 0
    response = editor_client.get(
        url(CONVERSIONS, "review", held.pk) + "?outcome=reject"
    )
    rows = response.context["confirmation"].rows
    assert ("Lulu", f"{amount:.2f} CNY") in rows
    assert response.context["confirmation"].title == "Reject conversion OWN-1?"
    assert response.context["confirmation"].serious


def test_a_question_on_a_decided_conversion_offers_no_button(editor_client, held):
    review = url(CONVERSIONS, "review", held.pk)
    editor_client.post(review, {"outcome": "approve"})
    page = editor_client.get(review + "?outcome=reject").content.decode()
    assert "This conversion is not held for review." in page
    assert 'method="POST"' not in page


def test_an_unknown_outcome_is_400_on_the_question_too(editor_client, held):
    response = editor_client.get(url(CONVERSIONS, "review", held.pk) + "?outcome=x")
    assert response.status_code == 400


def test_review_needs_the_csrf_token(editor, held):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(url(CONVERSIONS, "review", held.pk), {"outcome": "approve"})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.review == ReviewState.HELD


@pytest.mark.parametrize("viewset", [CONVERSIONS, LEDGER])
@pytest.mark.parametrize("view", ["edit", "delete", "copy", "history"])
def test_conversions_and_ledger_have_no_edit_or_delete_pages(viewset, view):
    with pytest.raises(NoReverseMatch):
        url(viewset, view, 1)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/money/conversions/new/",
        "/admin/money/conversions/edit/{conversion}/",
        "/admin/money/conversions/delete/{conversion}/",
        "/admin/money/ledger/edit/{entry}/",
        "/admin/money/ledger/delete/{entry}/",
        "/admin/money/payouts/edit/{run}/",
        "/admin/money/payouts/delete/{run}/",
        "/admin/money/merchant-connections/delete/{connection}/",
    ],
)
def test_edit_and_delete_paths_do_not_exist(editor_client, run, path):
    entry = LedgerEntry.objects.first()
    path = path.format(
        conversion=entry.conversion_id,
        entry=entry.pk,
        run=run.pk,
        connection=MerchantConnection.objects.get().pk,
    )
    assert editor_client.get(path).status_code == 404
    assert editor_client.post(path).status_code == 404


def test_admin_links_to_conversions_and_entries_lead_to_their_pages(
    editor, creator, connected, link
):
    conversion = sell(connected, link=link, order_id="A-1")
    entry = conversion.entries.first()
    assert AdminURLFinder(editor).get_edit_url(conversion) == url(
        CONVERSIONS, "inspect", conversion.pk
    )
    assert AdminURLFinder(editor).get_edit_url(entry) == url(
        LEDGER, "inspect", entry.pk
    )
    assert AdminURLFinder(creator.user).get_edit_url(entry) is None
    connection = connected.connection
    assert AdminURLFinder(editor).get_edit_url(connection) == url(
        CONNECTIONS, "edit", connection.pk
    )


# -- Ledger ---------------------------------------------------------------------------


def test_editor_lists_and_filters_ledger_entries(
    editor_client, connected, link, creator
):
    conversion = sell(connected, link=link, order_id="A-1")
    response = editor_client.get(url(LEDGER, "index"))
    assert response.status_code == 200
    assert {entry.pk for entry in response.context["object_list"]} == set(
        conversion.entries.values_list("pk", flat=True)
    )
    page = response.content.decode()
    assert "A-1" in page and "48.00 CNY" in page
    # No edit or delete anywhere on the page, and no default "Add" of raw entries.
    assert "/edit/" not in page and "/delete/" not in page
    assert url(LEDGER, "add") in page  # the "Add adjustment" button

    mine = editor_client.get(url(LEDGER, "index") + f"?creator={creator.pk}")
    assert [entry.kind for entry in mine.context["object_list"]] == [EntryKind.AUTHOR]
    platform = editor_client.get(url(LEDGER, "index") + "?kind=platform")
    assert [entry.creator for entry in platform.context["object_list"]] == [None]


def test_ledger_entry_page(editor_client, connected, link):
    conversion = sell(connected, link=link, order_id="A-1")
    entry = conversion.entries.get(kind=EntryKind.AUTHOR)
    response = editor_client.get(url(LEDGER, "inspect", entry.pk))
    assert response.status_code == 200
    assert "48.00 CNY" in response.content.decode()


def test_editor_adds_an_adjustment(editor_client, editor, creator):
    response = editor_client.post(
        url(LEDGER, "add"),
        {
            "creator": creator.pk,
            "amount": "-20.50",
            "currency": "CNY",
            "note": "Duplicate order",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(LEDGER, "index")
    entry = LedgerEntry.objects.get()
    assert (entry.creator, entry.amount, entry.currency) == (
        creator,
        Decimal("-20.50"),
        "CNY",
    )
    assert (entry.kind, entry.status) == (EntryKind.ADJUSTMENT, EntryStatus.APPROVED)
    assert entry.created_by == editor
    assert entry.note == "Duplicate order"


@pytest.mark.parametrize(
    ("amount", "currency", "note", "error_field"),
    [
        ("0", "CNY", "Nothing", None),  # the service refuses it
        ("10.001", "CNY", "Too precise", None),
        ("10.5", "JPY", "JPY has no minor units", None),
        ("10", "XXX", "Not a currency", "currency"),
        ("10", "CNY", "", "note"),
        ("ten", "CNY", "Not a number", "amount"),
    ],
)
def test_a_refused_adjustment_is_a_form_error(
    editor_client, creator, amount, currency, note, error_field
):
    response = editor_client.post(
        url(LEDGER, "add"),
        {"creator": creator.pk, "amount": amount, "currency": currency, "note": note},
    )
    assert response.status_code == 200
    form = response.context["form"]
    if error_field is None:
        assert form.non_field_errors()
        assert escape(form.non_field_errors()[0]) in response.content.decode()
    else:
        assert error_field in form.errors
    assert not LedgerEntry.objects.exists()


# -- Payouts --------------------------------------------------------------------------


def test_a_payout_run_with_nobody_due_is_a_form_error(editor_client, connected, link):
    sell(connected, link=link, order_id="SMALL")  # 48.00 CNY, below CNY 100
    commissions_approve(now=timezone.now() + FAR_FUTURE)
    response = editor_client.post(url(PAYOUTS, "add"), {"run_date": "2026-01-31"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "No creator's approved balance reaches the payout minimum."
    ]
    assert not PayoutRun.objects.exists()


def test_editor_creates_a_payout_run_and_sees_its_payouts(
    editor_client, editor, due, creator, other_creator
):
    assert editor_client.get(url(PAYOUTS, "add")).status_code == 200
    response = editor_client.post(url(PAYOUTS, "add"), {"run_date": "2026-01-31"})
    run = PayoutRun.objects.get()
    assert response["Location"] == url(PAYOUTS, "inspect", run.pk)
    assert run.created_by == editor
    page = editor_client.get(response["Location"])
    assert [(p.creator, p.amount) for p in page.context["payouts"]] == [
        (other_creator, Decimal("120.00")),
        (creator, Decimal("240.00")),
    ]
    html = page.content.decode()
    assert "240.00 CNY" in html and "120.00 CNY" in html
    # Each payout and the whole run: links to a question, no form that pays.
    assert len(action_links(html, url(PAYOUTS, "decide_run", run.pk))) == 1
    for payout in run.payouts.all():
        assert action_links(html, url(PAYOUTS, "decide", payout.pk)) == [
            url(PAYOUTS, "decide", payout.pk) + "?outcome=paid",
            url(PAYOUTS, "decide", payout.pk) + "?outcome=failed",
        ]
    assert 'method="post"' not in html.lower().split('id="payouts-heading"')[1]
    listing = editor_client.get(url(PAYOUTS, "index"))
    assert [r.payouts_open for r in listing.context["object_list"]] == [2]


def test_editor_marks_payouts_paid_and_failed(editor_client, editor, run, creator):
    mine = run.payouts.get(creator=creator)
    other = run.payouts.exclude(creator=creator).get()
    question = editor_client.get(url(PAYOUTS, "decide", mine.pk) + "?outcome=paid")
    confirmation = question.context["confirmation"]
    assert confirmation.title == "Mark the payout to Lulu paid?"
    assert ("Creator", "Lulu") in confirmation.rows
    assert ("Amount", "240.00 CNY") in confirmation.rows
    mine.refresh_from_db()
    assert mine.status == PayoutStatus.OPEN  # asking pays nobody
    action, data = confirmation_form(
        editor_client, url(PAYOUTS, "decide", mine.pk) + "?outcome=paid"
    )
    response = editor_client.post(action, data, follow=True)
    assert response.redirect_chain[-1][0] == url(PAYOUTS, "inspect", run.pk)
    editor_client.post(url(PAYOUTS, "decide", other.pk), {"outcome": "failed"})
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, mine.decided_by) == (PayoutStatus.PAID, editor)
    assert other.status == PayoutStatus.FAILED
    # Deciding again is refused by the service, shown as a message.
    response = editor_client.post(
        url(PAYOUTS, "decide", mine.pk), {"outcome": "failed"}, follow=True
    )
    assert messages_of(response)[-1] == "This payout is already paid."
    mine.refresh_from_db()
    assert mine.status == PayoutStatus.PAID


def test_a_decision_shows_who_and_when_in_the_readers_language_and_zone(
    editor_client, editor, run, creator
):
    editor.first_name, editor.last_name = "Mei", "Wang"
    editor.save()
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language, profile.current_time_zone = "zh-hans", "Asia/Shanghai"
    profile.save()
    mine = run.payouts.get(creator=creator)
    editor_client.post(url(PAYOUTS, "decide", mine.pk), {"outcome": "paid"})
    Payout.objects.filter(pk=mine.pk).update(
        decided_at=datetime.datetime(2026, 12, 4, 17, 30, tzinfo=datetime.UTC)
    )
    page = editor_client.get(url(PAYOUTS, "inspect", run.pk)).content.decode()
    # Shanghai's day and time, in the one Chinese format; the editor's name.
    assert "2026年12月5日 01:30, Mei Wang" in page
    assert "editor" not in page.split('id="payouts-heading"')[1]


def test_editor_marks_a_whole_run_paid(editor_client, run):
    link = url(PAYOUTS, "decide_run", run.pk) + "?outcome=paid"
    confirmation = editor_client.get(link).context["confirmation"]
    assert (
        confirmation.title
        == "Mark all 2 open payouts of Payout run of 31 Jan 2026 paid?"
    )
    assert ("Total (2 payouts)", "360.00 CNY") in confirmation.rows
    assert {"Lulu", "Ann"} <= {label for label, _value in confirmation.rows}
    assert set(run.payouts.values_list("status", flat=True)) == {PayoutStatus.OPEN}
    action, data = confirmation_form(editor_client, link)
    response = editor_client.post(action, data, follow=True)
    assert messages_of(response) == ["2 payouts marked paid."]
    assert set(run.payouts.values_list("status", flat=True)) == {PayoutStatus.PAID}
    paid = LedgerEntry.objects.filter(status=EntryStatus.PAID)
    assert sum(entry.amount for entry in paid) == Decimal("360.00")
    assert "outcome=paid" not in response.content.decode()
    # The same confirmation sent again (a double click, a reload) pays nobody twice.
    entries = LedgerEntry.objects.count()
    response = editor_client.post(action, data, follow=True)
    assert messages_of(response)[-1] == "0 payouts marked paid."
    assert LedgerEntry.objects.count() == entries
    again = editor_client.get(link).content.decode()
    assert "This run has no open payouts." in again and 'method="POST"' not in again


def test_a_run_cannot_be_marked_failed_wholesale(editor_client, run):
    response = editor_client.post(url(PAYOUTS, "decide_run", run.pk), {"outcome": ""})
    assert response.status_code == 400
    assert set(run.payouts.values_list("status", flat=True)) == {PayoutStatus.OPEN}


def test_payout_run_csv(editor_client, run, creator, other_creator):
    other_creator.public_name = '=HYPERLINK("http://evil.example")'
    other_creator.save()
    creator.public_name = "林小鹿"
    creator.save()
    payout_method_set(creator=creator, kind="bank", details=BANK_DETAILS)
    response = editor_client.get(url(PAYOUTS, "export", run.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="payouts-2026-01-31-{run.pk}.csv"'
    )
    body = b"".join(response.streaming_content)
    # A byte order mark first: without it Excel shows 林小鹿 as mojibake.
    assert body.startswith(b"\xef\xbb\xbfpayout_id,")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "payout_id",
        "creator_public_name",
        "creator_slug",
        "username",
        "email",
        "currency",
        "amount",
        "run_date",
        "status",
        "payout_method",
        "account_holder",
        "account",
        "bank",
    ]
    mine = run.payouts.get(creator=creator)
    assert [str(mine.pk), "林小鹿", "lulu", "kol1", "kol1@example.com", "CNY"] == (
        rows[2][:6]
    )
    # The bank's file carries the account in full.
    assert rows[2][6:] == [
        "240.00",
        "2026-01-31",
        "open",
        "bank",
        "林小鹿",
        "6222021234561234",
        "招商银行 上海分行",
    ]
    # Nobody's account yet: its columns are empty, not invented.
    assert rows[1][9:] == ["", "", "", ""]
    # A public name that a spreadsheet would run as a formula is written as text.
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'


def test_payout_run_xlsx(editor_client, run, creator):
    creator.public_name = "林小鹿"
    creator.save()
    payout_method_set(creator=creator, kind="bank", details=BANK_DETAILS)
    response = editor_client.get(url(PAYOUTS, "export", run.pk) + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="payouts-2026-01-31-{run.pk}.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("payout_id", "creator_public_name")
    mine = next(row for row in rows if row[1] == "林小鹿")
    assert mine[9:] == ("bank", "林小鹿", "6222021234561234", "招商银行 上海分行")
    assert Decimal(str(mine[6])) == Decimal("240.00")


def test_an_unknown_export_format_is_400(editor_client, run):
    response = editor_client.get(url(PAYOUTS, "export", run.pk) + "?export=pdf")
    assert response.status_code == 400


def test_editors_see_payout_accounts_masked(editor_client, run, creator):
    payout_method_set(creator=creator, kind="bank", details=BANK_DETAILS)
    mine = run.payouts.get(creator=creator)
    for path in (
        url(PAYOUTS, "inspect", run.pk),
        url(PAYOUTS, "decide", mine.pk) + "?outcome=paid",
    ):
        page = editor_client.get(path).content.decode()
        assert "6222 **** **** 1234" in page, path
        assert "6222021234561234" not in page and "林小鹿" not in page, path
    run_page = editor_client.get(url(PAYOUTS, "inspect", run.pk)).content.decode()
    # Ann has none: the page says so before anyone exports the file for the bank.
    assert "1 creator has no payout method yet" in run_page


# -- Merchant connections -------------------------------------------------------------


def test_editor_connects_a_merchant_and_the_secret_is_generated(editor_client, shop):
    connected_already = MerchantFactory(name="Already")
    MerchantConnection.objects.create(
        merchant=connected_already,
        postback_secret=SECRET,
        secret_created_at=timezone.now(),
    )
    form = editor_client.get(url(CONNECTIONS, "add")).context["form"]
    assert list(form.fields["merchant"].queryset) == [shop]

    response = editor_client.post(
        url(CONNECTIONS, "add"), {"merchant": shop.pk, "postback_secret": "typed"}
    )
    connection = MerchantConnection.objects.get(merchant=shop)
    assert response["Location"] == url(CONNECTIONS, "edit", connection.pk)
    assert connection.postback_secret.startswith("whsec_")
    assert connection.postback_secret != "typed"
    page = editor_client.get(response["Location"]).content.decode()
    assert connection.postback_secret in page
    # An already connected merchant cannot be connected again.
    refused = editor_client.post(
        url(CONNECTIONS, "add"), {"merchant": connected_already.pk}
    )
    assert "merchant" in refused.context["form"].errors
    assert MerchantConnection.objects.get(
        merchant=connected_already
    ).postback_secret == (SECRET)


def connection_data(**overrides) -> dict:
    data = {
        "order_id_column": "订单号",
        "click_id_column": "sub_id",
        "amount_column": "amount",
        "currency_column": "currency",
        "status_column": "state",
        "occurred_at_column": "time",
        "commission_column": "",
        "customer_ref_column": "",
        "status_values": "Declined = cancelled\nPaid = approved",
    }
    data.update(overrides)
    return data


def test_editor_edits_the_report_columns_but_not_the_secret(editor_client, connected):
    connection = connected.connection
    response = editor_client.post(
        url(CONNECTIONS, "edit", connection.pk),
        connection_data(postback_secret="typed-in", merchant=MerchantFactory().pk),
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.columns()["order_id"] == "订单号"
    assert connection.status_mapping()["declined"] == "cancelled"
    assert connection.postback_secret == SECRET
    assert connection.merchant == connected


def test_bad_status_values_are_a_form_error(editor_client, connected):
    connection = connected.connection
    response = editor_client.post(
        url(CONNECTIONS, "edit", connection.pk),
        connection_data(status_values="Declined = gone"),
    )
    assert response.status_code == 200
    assert "status_values" in response.context["form"].errors
    connection.refresh_from_db()
    assert connection.status_values == ""


def test_editor_rotates_the_secret(editor_client, connected):
    connection = connected.connection
    edit = editor_client.get(url(CONNECTIONS, "edit", connection.pk)).content.decode()
    # A secret given before is shown masked, never again in full.
    assert SECRET not in edit and SECRET[-4:] in edit
    assert url(CONNECTIONS, "rotate", connection.pk) in edit
    action, data = confirmation_form(
        editor_client, url(CONNECTIONS, "rotate", connection.pk)
    )
    connection.refresh_from_db()
    assert connection.postback_secret == SECRET  # asking rotates nothing
    response = editor_client.post(action, data)
    assert response["Location"] == url(CONNECTIONS, "edit", connection.pk)
    connection.refresh_from_db()
    assert connection.postback_secret.startswith("whsec_")
    assert connection.postback_secret != SECRET
    # The new secret is shown in full once, on the page the rotation leads to.
    shown = editor_client.get(response["Location"]).content.decode()
    assert connection.postback_secret in shown
    again = editor_client.get(response["Location"]).content.decode()
    assert connection.postback_secret not in again
    # The old secret no longer signs a postback.
    assert postback(Client(), connected, sale()).status_code == 401
    history = editor_client.get(url(CONNECTIONS, "history", connection.pk))
    assert "Postback secret rotated" in history.content.decode()


def test_connections_are_listed(editor_client, connected):
    response = editor_client.get(url(CONNECTIONS, "index"))
    assert response.status_code == 200
    assert "Mingyue" in response.content.decode()
    assert url(CONNECTIONS, "add") in response.content.decode()


# -- Creators' own earnings -----------------------------------------------------------


def test_creator_sees_their_balances_sales_and_payouts(
    creator_client, connected, link, creator, run
):
    sell(connected, link=link, order_id="NEW-1")  # pending, after the run
    response = creator_client.get(reverse(EARNINGS))
    assert response.status_code == 200
    balances = {
        (row["currency"], row["status"]): row["amount"]
        for row in response.context["balances"]
    }
    assert balances == {
        ("CNY", EntryStatus.PENDING): Decimal("48.00"),
        ("CNY", EntryStatus.PROCESSING): Decimal("240.00"),
    }
    rows = response.context["earnings"]
    assert [row["earning"].conversion.order_id for row in rows] == ["NEW-1", "BIG-1"]
    assert [row["status_label"] for row in rows] == ["Pending", "In a payout"]
    page = response.content.decode()
    assert f"<td>{link.placement_label()}</td>" in page  # "Review #1", not a block id
    assert link.placement_label() == "Review #1"
    assert "240.00 CNY" in page and "5000.00 CNY" in page  # share and sale
    assert "WH-7" in page  # the product
    assert [payout.amount for payout in response.context["payouts"]] == [
        Decimal("240.00")
    ]


def test_creator_never_sees_another_creators_earnings(
    creator_client, creator, other_creator, run
):
    response = creator_client.get(
        reverse(EARNINGS) + f"?creator={other_creator.pk}&user={other_creator.user_id}"
    )
    orders = {
        row["earning"].conversion.order_id for row in response.context["earnings"]
    }
    assert orders == {"BIG-1"}
    assert {payout.creator for payout in response.context["payouts"]} == {creator}
    assert "BIG-2" not in response.content.decode()
    assert "120.00 CNY" not in response.content.decode()


def test_earnings_are_paginated(creator_client, connected, link):
    for number in range(21):
        sell(connected, link=link, order_id=f"O-{number:02d}")
    first = creator_client.get(reverse(EARNINGS))
    second = creator_client.get(reverse(EARNINGS) + "?p=2")
    assert len(first.context["earnings"]) == 20
    assert len(second.context["earnings"]) == 1
    assert second.context["earnings"][0]["earning"].conversion.order_id == "O-00"


def test_earnings_read_a_fixed_number_of_queries(
    creator_client, connected, link, django_assert_max_num_queries
):
    sell(connected, link=link, order_id="O-0")
    creator_client.get(reverse(EARNINGS))
    with django_assert_max_num_queries(40) as few:
        creator_client.get(reverse(EARNINGS))
    baseline = len(few)  # counted now: the postbacks below reset the query log
    for number in range(1, 10):
        sell(connected, link=link, order_id=f"O-{number}")
    with django_assert_max_num_queries(baseline):
        creator_client.get(reverse(EARNINGS))


def test_earnings_404_without_a_creator_profile(editor_client):
    assert editor_client.get(reverse(EARNINGS)).status_code == 404


def test_my_earnings_is_in_the_menu_only_for_creators(creator_client, editor_client):
    home = reverse("wagtailadmin_home")
    assert reverse(EARNINGS) in creator_client.get(home).content.decode()
    assert reverse(EARNINGS) not in editor_client.get(home).content.decode()


# -- Who may open what ----------------------------------------------------------------


def editor_urls(
    run, conversion, entry, connection, spare_merchant
) -> dict[str, tuple[str, str, dict]]:
    """Every editor money URL by name: the method, and data that would act on it."""
    payout = run.payouts.first()
    adjustment = {
        "creator": entry.creator_id,
        "amount": "1000",
        "currency": "CNY",
        "note": "Mine",
    }
    return {
        "conversions": ("get", url(CONVERSIONS, "index"), {}),
        "conversions results": ("get", url(CONVERSIONS, "index_results"), {}),
        "conversion": ("get", url(CONVERSIONS, "inspect", conversion.pk), {}),
        "conversion review question": (
            "get",
            url(CONVERSIONS, "review", conversion.pk) + "?outcome=approve",
            {},
        ),
        "conversion review": (
            "post",
            url(CONVERSIONS, "review", conversion.pk),
            {"outcome": "approve"},
        ),
        "ledger": ("get", url(LEDGER, "index"), {}),
        "ledger results": ("get", url(LEDGER, "index_results"), {}),
        "ledger entry": ("get", url(LEDGER, "inspect", entry.pk), {}),
        "adjustment form": ("get", url(LEDGER, "add"), {}),
        "adjustment": ("post", url(LEDGER, "add"), adjustment),
        "payout runs": ("get", url(PAYOUTS, "index"), {}),
        "payout runs results": ("get", url(PAYOUTS, "index_results"), {}),
        "payout run form": ("get", url(PAYOUTS, "add"), {}),
        "payout run create": ("post", url(PAYOUTS, "add"), {"run_date": "2026-02-28"}),
        "payout run": ("get", url(PAYOUTS, "inspect", run.pk), {}),
        "payout run csv": ("get", url(PAYOUTS, "export", run.pk), {}),
        "payout decide question": (
            "get",
            url(PAYOUTS, "decide", payout.pk) + "?outcome=paid",
            {},
        ),
        "payout run decide question": (
            "get",
            url(PAYOUTS, "decide_run", run.pk) + "?outcome=paid",
            {},
        ),
        "payout decide": (
            "post",
            url(PAYOUTS, "decide", payout.pk),
            {"outcome": "paid"},
        ),
        "payout run decide": (
            "post",
            url(PAYOUTS, "decide_run", run.pk),
            {"outcome": "paid"},
        ),
        "connections": ("get", url(CONNECTIONS, "index"), {}),
        "connections results": ("get", url(CONNECTIONS, "index_results"), {}),
        "connection form": ("get", url(CONNECTIONS, "add"), {}),
        "connection create": (
            "post",
            url(CONNECTIONS, "add"),
            {"merchant": spare_merchant.pk},
        ),
        "connection": ("get", url(CONNECTIONS, "edit", connection.pk), {}),
        "connection edit": (
            "post",
            url(CONNECTIONS, "edit", connection.pk),
            connection_data(),
        ),
        "connection history": ("get", url(CONNECTIONS, "history", connection.pk), {}),
        "connection usage": ("get", url(CONNECTIONS, "usage", connection.pk), {}),
        "connection rotate question": (
            "get",
            url(CONNECTIONS, "rotate", connection.pk),
            {},
        ),
        "connection rotate": ("post", url(CONNECTIONS, "rotate", connection.pk), {}),
    }


ENDPOINTS = [
    "conversions",
    "conversions results",
    "conversion",
    "conversion review question",
    "conversion review",
    "ledger",
    "ledger results",
    "ledger entry",
    "adjustment form",
    "adjustment",
    "payout runs",
    "payout runs results",
    "payout run form",
    "payout run create",
    "payout run",
    "payout run csv",
    "payout decide question",
    "payout run decide question",
    "payout decide",
    "payout run decide",
    "connections",
    "connections results",
    "connection form",
    "connection create",
    "connection",
    "connection edit",
    "connection history",
    "connection usage",
    "connection rotate question",
    "connection rotate",
]


@pytest.fixture
def everything(run, held):
    """One of each: a run with payouts, a held conversion, entries, a connection,
    and a merchant without one."""
    return {
        "run": run,
        "conversion": held,
        "entry": held.entries.filter(creator__isnull=False).first(),
        "connection": MerchantConnection.objects.get(),
        "spare_merchant": MerchantFactory(name="Spare"),
    }


def state() -> tuple:
    """Everything an editor action could change."""
    return (
        list(Conversion.objects.values_list("pk", "review")),
        LedgerEntry.objects.count(),
        list(Payout.objects.values_list("pk", "status")),
        PayoutRun.objects.count(),
        list(
            MerchantConnection.objects.values_list(
                "pk", "postback_secret", "order_id_column"
            )
        ),
    )


def test_every_editor_url_is_listed(everything):
    assert sorted(editor_urls(**everything)) == sorted(ENDPOINTS)


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_creators_get_403_on_every_editor_money_url(
    creator_client, everything, endpoint
):
    method, path, data = editor_urls(**everything)[endpoint]
    before = state()
    response = getattr(creator_client, method)(path, data)
    assert response.status_code == 403
    assert "Lulu" not in response.content.decode()
    assert state() == before


def test_the_same_posts_act_for_editors(editor_client, everything):
    """The data the denial tests post is data that works: what fails for creators
    fails because of who they are."""
    urls = editor_urls(**everything)
    before = state()
    # In this order: the new run pays the adjustment once the old run is decided.
    posts = [
        "conversion review",
        "adjustment",
        "payout decide",
        "payout run decide",
        "payout run create",
        "connection create",
        "connection edit",
        "connection rotate",
    ]
    assert set(posts) == {
        name for name, (method, *_) in urls.items() if method == "post"
    }
    for endpoint in posts:
        _method, path, data = urls[endpoint]
        response = editor_client.post(path, data)
        assert response.status_code == 302, endpoint
        levels = {m.level_tag for m in get_messages(response.wsgi_request)}
        assert levels == {"success"}, endpoint
    after = state()
    assert all(old != new for old, new in zip(before, after, strict=True))


def test_other_signed_in_users_get_403_too(everything):
    plain = get_user_model().objects.create_user("reader", password="x")
    # Admin access alone (as a creator has) is not enough.
    plain.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(plain)
    before = state()
    for method, path, data in editor_urls(**everything).values():
        assert getattr(client, method)(path, data).status_code == 403, (method, path)
    assert state() == before


def test_anonymous_users_are_sent_to_the_login(everything):
    client = Client()
    before = state()
    for method, path, data in editor_urls(**everything).values():
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert state() == before


def test_editors_open_every_money_page(editor_client, everything):
    for method, path, _data in editor_urls(**everything).values():
        if method == "get":
            assert editor_client.get(path).status_code == 200, path


def test_superusers_count_as_editors(everything):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    assert client.get(url(CONVERSIONS, "index")).status_code == 200
    assert client.get(url(PAYOUTS, "export", everything["run"].pk)).status_code == 200


def test_creators_do_not_see_the_money_menu(creator_client, editor_client):
    home = reverse("wagtailadmin_home")
    money_urls = [url(name, "index") for name in (CONVERSIONS, LEDGER, PAYOUTS)]
    creator_page = creator_client.get(home).content.decode()
    editor_page = editor_client.get(home).content.decode()
    for path in money_urls:
        assert path not in creator_page
        assert path in editor_page


def test_commission_settings_render(db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    path = reverse("wagtailsettings:edit", args=["affiliates", "commissionsettings"])
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "payout_minimums" in response.content.decode()


def test_adjustments_show_in_the_creators_balance(creator_client, creator, editor):
    ledger_adjust(
        creator=creator,
        amount=Decimal("15.00"),
        currency="USD",
        note="Bonus",
        user=editor,
    )
    balances = creator_client.get(reverse(EARNINGS)).context["balances"]
    assert [(row["currency"], row["amount"]) for row in balances] == [
        ("USD", Decimal("15.00"))
    ]


def test_overrides_that_leave_a_creator_less_than_their_own_share_are_refused(
    editor_client, creator
):
    creator.author_share = Decimal("85")
    creator.save()
    url = editor_client.get("/admin/settings/affiliates/commissionsettings/").url
    form = {
        "kol_author_share": "80",
        "member_author_share": "60",
        "override_level_1": "10",
        "override_level_2": "6",
        "self_purchase_policy": "earn",
        "payout_minimums": "CNY 100",
        "payout_day": "15",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 200  # the form again, with its error
    assert "leave authors 84%, less than the own share of" in escape_free(response)
    assert f"{creator.public_name} (85%)" in escape_free(response)
    assert CommissionSettings.load().override_level_2 == Decimal("5")
    assert editor_client.post(url, {**form, "override_level_2": "5"}).status_code == 302


def test_a_creators_own_share_beside_the_overrides_is_at_most_100(
    editor_client, creator
):
    url = reverse("wagtailsnippets_affiliates_creatorprofile:edit", args=[creator.pk])
    form = {
        "user": creator.user.pk,
        "public_name": creator.public_name,
        "slug": creator.slug,
        "bio": "",
        "kind": creator.kind,
        "referred_by": "",
        "author_share": "85.01",  # 10 % and 5 % overrides leave 85 %
        "customer_refs": "",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 200
    assert "an author&#x27;s share is at most 85%" in response.content.decode()
    creator.refresh_from_db()
    assert creator.author_share is None
    assert editor_client.post(url, {**form, "author_share": "85"}).status_code == 302
    creator.refresh_from_db()
    assert creator.author_share == Decimal("85")


def test_a_new_creators_own_share_beside_the_overrides_is_at_most_100(editor_client):
    user = UserFactory(username="newcomer")
    form = {
        "user": user.pk,
        "public_name": "新人",
        "slug": "xinren",
        "bio": "",
        "kind": "member",
        "referred_by": "",
        "author_share": "90",
        "customer_refs": "",
    }
    url = reverse("wagtailsnippets_affiliates_creatorprofile:add")
    response = editor_client.post(url, form)
    assert response.status_code == 200
    assert "an author's share is at most 85%" in escape_free(response)
    assert not CreatorProfile.objects.filter(slug="xinren").exists()
    assert editor_client.post(url, {**form, "author_share": "85"}).status_code == 302
    assert CreatorProfile.objects.get(slug="xinren").author_share == Decimal("85")


def escape_free(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_editors_change_commission_settings_and_bad_shares_are_refused(editor_client):
    from affiliates.models import CommissionSettings

    url = editor_client.get("/admin/settings/affiliates/commissionsettings/").url
    assert editor_client.get(url).status_code == 200
    form = {
        "kol_author_share": "85",
        "member_author_share": "60",
        "override_level_1": "10",
        "override_level_2": "5",
        "self_purchase_policy": "hold",
        "payout_minimums": "CNY 100\nUSD 10\nJPY 1000",
        "payout_day": "10",
    }
    response = editor_client.post(url, {**form, "kol_author_share": "90"})
    assert response.status_code == 200  # the form again, with its error
    assert "cannot exceed 100%" in response.content.decode()
    assert CommissionSettings.load().kol_author_share == Decimal("80")
    response = editor_client.post(url, {**form, "payout_minimums": "CNY lots"})
    assert "Line 1" in response.content.decode()
    for day in ("0", "29", "31", "15th"):
        response = editor_client.post(url, {**form, "payout_day": day})
        assert response.status_code == 200, day  # the form again, with its error
        assert CommissionSettings.load().payout_day == 15, day
    editor_client.post(url, form)
    settings = CommissionSettings.load()
    assert settings.kol_author_share == Decimal("85")
    assert settings.payout_day == 10
    assert settings.minimum_for("JPY") == Decimal("1000")
