"""The editors' Articles performance report: the hand-computed history of
tests/affiliates/conftest.py on screen and in the CSV and XLSX exports; its default
period, filters (days, author, type, tag) and pages."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from affiliates.services import rollups_rebuild
from tests.affiliates.conftest import noon

pytestmark = pytest.mark.django_db

URL = "/admin/reports/articles-performance/"


def all_days() -> str:
    """The whole history (its first click was 120 days ago): without days the report
    shows this month only."""
    return f"day_from={noon(200).date().isoformat()}"


# title: (author, currency, billable, bots, conversions, rate, sales, platform
# commission, creator commission, platform keeps, EPC = commission ÷ billable)
EXPECTED = {
    "Headphones A": (
        "Lulu",
        "CNY",
        "10",
        "1",
        "3",
        "30.00",
        "3500.00",
        "350.00",
        "210.00",
        "140.00",
        "35.0000",
    ),  # fmt: skip
    "Kettle B": (
        "Lulu",
        "USD",
        "3",
        "1",
        "1",
        "33.33",
        "50.00",
        "5.00",
        "3.00",
        "2.00",
        "1.6667",
    ),  # fmt: skip
    "Ann C": (
        "Ann",
        "CNY",
        "5",
        "2",
        "1",
        "20.00",
        "800.00",
        "80.00",
        "48.00",
        "32.00",
        "16.0000",
    ),  # fmt: skip
    # Mia's sale: her 60.00 and Lulu's 10.00 override are creator commission.
    "Mia D": (
        "Mia",
        "CNY",
        "1",
        "0",
        "1",
        "100.00",
        "1000.00",
        "100.00",
        "70.00",
        "30.00",
        "100.0000",
    ),  # fmt: skip
}


@pytest.fixture
def rolled_up(history):
    rollups_rebuild()
    return history


def csv_rows(client, query=None) -> dict:
    query = f"&{all_days()}" if query is None else query
    response = client.get(f"{URL}?export=csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert header[:4] == ["Article", "Author", "Currency", "Billable clicks"]
    return {row[0]: tuple(row[1:]) for row in reader}


def test_editors_see_every_article_per_currency(client, editor, rolled_up):
    client.force_login(editor)
    response = client.get(f"{URL}?{all_days()}")
    assert response.status_code == 200
    html = response.content.decode()
    for title, figures in EXPECTED.items():
        assert title in html
        for value in figures[5:]:
            assert value in html, (title, value)
    assert csv_rows(client) == EXPECTED


def test_xlsx_export_has_the_same_numbers(client, editor, rolled_up):
    client.force_login(editor)
    response = client.get(f"{URL}?export=xlsx&{all_days()}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Article"
    # Numbers are numbers in the workbook (30.00 reads back as 30).
    by_title = {
        row[0]: tuple(
            value if isinstance(value, str) else Decimal(str(value))
            for value in row[1:]
        )
        for row in rows[1:]
    }
    assert by_title == {
        title: figures[:2] + tuple(Decimal(value) for value in figures[2:])
        for title, figures in EXPECTED.items()
    }


def test_filters_by_author_and_days(client, editor, rolled_up):
    client.force_login(editor)
    ann = rolled_up["ann"]
    assert csv_rows(client, f"&{all_days()}&author={ann.pk}") == {
        "Ann C": EXPECTED["Ann C"]
    }
    since = noon(10).date().isoformat()
    recent = csv_rows(client, f"&day_from={since}")
    # Two days ago only: A had 3 billable clicks and the sale A-2.
    assert recent["Headphones A"] == (
        "Lulu", "CNY", "3", "1", "1", "33.33",
        "1000.00", "100.00", "60.00", "40.00", "33.3333",
    )  # fmt: skip
    until = noon(30).date().isoformat()
    old = csv_rows(client, f"&{all_days()}&day_to={until}")
    assert set(old) == {"Headphones A"}
    assert old["Headphones A"][2:5] == ("5", "0", "1")  # 60 and 120 days ago


def test_a_bad_date_is_named_and_nothing_listed(client, editor, rolled_up):
    client.force_login(editor)
    response = client.get(f"{URL}?day_from=not-a-date")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date." in html
    assert "Headphones A" not in html


def test_only_editors(client, creator, rolled_up):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(creator.user)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}?export=csv").status_code == 403
    assert client.get(f"{URL}results/").status_code == 403


def test_rows_without_sales_have_no_currency(client, editor, rolled_up):
    from affiliates.dashboards import articles_report

    rows = articles_report(since=noon(120).date(), until=noon(120).date())
    assert [(row.title, row.currency, row.billable_clicks) for row in rows] == [
        ("Headphones A", "", 1)
    ]
    assert rows[0].epc is None
    assert rows[0].conversion_rate == Decimal("0.00")
