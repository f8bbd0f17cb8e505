"""A creator's own pages: their profile (theirs only, not anyone else's), the menu
items that lead there, and the earnings export (CSV with a byte order mark, and XLSX): every earning
of their own, as My earnings shows them, and nobody else's; checked against the
hand-computed history of tests/affiliates/conftest.py."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from affiliates.models import CreatorKind

# Slow: each test sets up a creator's sales history (tests/affiliates/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

URL = "affiliates_own_earnings_export"
PROFILE_URL = "affiliates_own_profile"


def download(client, export_format: str):
    response = client.get(reverse(URL), {"export": export_format})
    assert response.status_code == 200
    if response.streaming:
        return response, b"".join(response.streaming_content)
    return response, response.content


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    text = content.decode("utf-8-sig")
    assert not text.startswith("\ufeff")  # once only
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    heading, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(heading, row, strict=True)) for row in rows]


def test_a_creators_csv_holds_their_earnings(client, history):
    client.force_login(history["lulu"].user)
    response, content = download(client, "csv")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="earnings-lulu-'
    )
    rows = csv_rows(content)
    lines = {(row["Order"], row["Kind"], row["Amount"], row["Status"]) for row in rows}
    assert {
        ("A-2", "Author's commission", "60.00", "Pending"),
        ("A-20", "Author's commission", "30.00", "Approved"),
        ("A-60", "Author's commission", "120.00", "Paid"),
        ("B-2", "Author's commission", "3.00", "Pending"),
        ("D-2", "Referral override, level 1", "10.00", "Pending"),
        ("", "Adjustment", "5.00", "Approved"),
    } <= lines
    # Nothing of Ann's sale C-2, nor of Mia's own share of D-2 (60.00).
    assert not [row for row in rows if row["Order"] == "C-2"]
    assert [row["Amount"] for row in rows if row["Order"] == "D-2"] == ["10.00"]
    adjustment = next(row for row in rows if row["Kind"] == "Adjustment")
    assert adjustment["Note"] == "Bonus"
    a2 = next(row for row in rows if row["Order"] == "A-2")
    assert (a2["Merchant"], a2["Article"], a2["Sale"], a2["Currency"]) == (
        "Mingyue",
        "Headphones A",
        "1000.00",
        "CNY",
    )


def test_the_xlsx_holds_the_same_rows_with_numbers(client, history):
    client.force_login(history["lulu"].user)
    _response, content = download(client, "csv")
    in_csv = csv_rows(content)
    response, content = download(client, "xlsx")
    assert "spreadsheetml" in response["Content-Type"]
    in_xlsx = xlsx_rows(content)
    assert len(in_xlsx) == len(in_csv)
    a2 = next(row for row in in_xlsx if row["Order"] == "A-2")
    assert isinstance(a2["Amount"], (int, float, Decimal))
    assert Decimal(str(a2["Amount"])) == Decimal("60.00")


def test_another_creator_exports_only_their_own(client, history):
    client.force_login(history["ann"].user)
    _response, content = download(client, "csv")
    rows = csv_rows(content)
    assert [(row["Order"], row["Amount"]) for row in rows] == [("C-2", "48.00")]


def test_chinese_names_survive_the_csv(client, history, shop):
    shop.name = "明月家居"
    shop.save()
    client.force_login(history["lulu"].user)
    _response, content = download(client, "csv")
    assert "明月家居" in {row["Merchant"] for row in csv_rows(content)}


def test_an_editor_without_a_profile_has_no_export(client, editor, history):
    client.force_login(editor)
    assert client.get(reverse(URL), {"export": "csv"}).status_code == 404


def test_an_unknown_format_is_refused_by_name(client, history):
    client.force_login(history["lulu"].user)
    response = client.get(reverse(URL), {"export": "pdf"})
    assert response.status_code == 400
    assert "export" in response.content.decode()


def test_my_earnings_links_to_the_downloads(client, history):
    client.force_login(history["lulu"].user)
    html = client.get(reverse("affiliates_own_earnings")).content.decode()
    assert f"{reverse(URL)}?export=csv" in html
    assert f"{reverse(URL)}?export=xlsx" in html


def test_creator_edits_their_own_profile(client, creator, other_creator):
    client.force_login(creator.user)
    assert client.get(reverse(PROFILE_URL)).status_code == 200
    response = client.post(
        reverse(PROFILE_URL),
        {
            "public_name": "林小鹿",
            "bio": "Tries every rice cooker.",
            "avatar": "",
            "kind": CreatorKind.KOL,
            "referred_by": other_creator.pk,
            "slug": "hijack",
        },
    )
    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.public_name == "林小鹿"
    assert creator.bio == "Tries every rice cooker."
    assert creator.kind == CreatorKind.MEMBER  # not theirs to change
    assert creator.referred_by is None
    assert creator.slug == "lulu"
    other_creator.refresh_from_db()
    assert other_creator.public_name == "Ann"


def test_bad_input_is_a_form_error(client, creator):
    client.force_login(creator.user)
    response = client.post(reverse(PROFILE_URL), {"public_name": "", "bio": "x" * 501})
    assert response.status_code == 200
    assert {"public_name", "bio"} <= set(response.context["form"].errors)
    creator.refresh_from_db()
    assert creator.public_name == "Lulu"


def test_users_without_a_profile_get_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse(PROFILE_URL)).status_code == 404


def test_menu_shows_my_profile_only_to_creators(client, creator, editor):
    client.force_login(creator.user)
    assert (
        reverse(PROFILE_URL)
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    client.force_login(editor)
    assert (
        reverse(PROFILE_URL)
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("affiliates_own_profile", "My creator profile"),
        ("affiliates_own_earnings", "My earnings"),
    ],
)
def test_a_creators_own_pages_name_themselves_in_the_header(
    client, creator, url_name, title
):
    """The header's visible breadcrumb ends with the page's title, not "Home"."""
    client.force_login(creator.user)
    html = client.get(reverse(url_name)).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    breadcrumbs = header[header.index('aria-label="Breadcrumb"') :]
    last_item = breadcrumbs[breadcrumbs.rindex("<li") :]
    assert title in last_item
