"""The editors' Articles performance report: the hand-computed history of
tests/affiliates/conftest.py on screen and in the CSV and XLSX exports; its default
period, filters (days, author, type, tag) and pages."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from taggit.models import Tag

from affiliates.admin.reports.articles import ArticlesReportView
from affiliates.analytics.report_figures import articles_report
from affiliates.analytics.services import rollups_rebuild
from affiliates.models import TrackedLink
from content.models import ArticlePage, GuidePage, ReviewPage
from tests.affiliates.conftest import clicks_add, noon
from tests.conftest import guide_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

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
    rows = articles_report(since=noon(120).date(), until=noon(120).date())
    assert [(row.title, row.currency, row.billable_clicks) for row in rows] == [
        ("Headphones A", "", 1)
    ]
    assert rows[0].epc is None
    assert rows[0].conversion_rate == Decimal("0.00")


def test_without_days_it_shows_this_month_so_far(client, editor, rolled_up):
    client.force_login(editor)
    first = timezone.now().astimezone(datetime.UTC).date().replace(day=1)
    response = client.get(URL)
    assert response.status_code == 200
    # The form says which days are shown; the export without days is the same.
    assert f'value="{first.isoformat()}"' in response.content.decode()
    this_month = csv_rows(client, f"&day_from={first.isoformat()}")
    assert csv_rows(client, "") == this_month
    assert this_month != csv_rows(client)  # the history reaches 120 days back


def test_filters_by_type_and_tag(client, editor, rolled_up, articles, headphones):
    lulu = rolled_up["lulu"]
    guide = guide_create(
        parent=articles, author=lulu, products=[headphones], title="Guide E"
    )
    clicks_add(
        TrackedLink.objects.filter(article=guide, is_preview=False).first(),
        days_ago=2,
        billable=4,
    )
    for title, tag in (
        ("Headphones A", "audio"),
        ("Ann C", "audio"),
        ("Kettle B", "kitchen"),
    ):
        article = ArticlePage.objects.get(title=title)
        article.tags.add(tag)
        article.save()
    rollups_rebuild()
    client.force_login(editor)

    review_type = ContentType.objects.get_for_model(ReviewPage).pk
    guide_type = ContentType.objects.get_for_model(GuidePage).pk
    assert csv_rows(client, f"&{all_days()}&type={review_type}") == EXPECTED
    guides = csv_rows(client, f"&{all_days()}&type={guide_type}")
    assert guides == {
        # No sales: no currency and empty money cells (— on screen).
        "Guide E": ("Lulu", "", "4", "0", "0", "0.00", "", "", "", "", "")
    }
    audio = Tag.objects.get(name="audio")
    assert csv_rows(client, f"&{all_days()}&tag={audio.pk}") == {
        title: EXPECTED[title] for title in ("Headphones A", "Ann C")
    }
    # Filters combine; the form offers the types and tags there are.
    assert csv_rows(client, f"&{all_days()}&tag={audio.pk}&author={lulu.pk}") == {
        "Headphones A": EXPECTED["Headphones A"]
    }
    html = client.get(f"{URL}?{all_days()}").content.decode()
    for label in ("Review", "Buying guide", "audio", "kitchen"):
        assert f">{label}</option>" in html, label


def test_screen_pages_and_exports_hold_every_row(
    client, editor, rolled_up, monkeypatch
):
    monkeypatch.setattr(ArticlesReportView, "paginate_by", 3)
    client.force_login(editor)
    order = ["Headphones A", "Mia D", "Ann C", "Kettle B"]  # by currency, commission
    seen = []
    for page in (1, 2):
        html = client.get(f"{URL}?{all_days()}&p={page}").content.decode()
        seen.append([title for title in order if title in html])
    assert seen == [order[:3], order[3:]]
    assert list(csv_rows(client)) == order  # the export: every row, screen order


def test_rows_are_counted_and_sliced_in_the_database(rolled_up):
    report = articles_report(since=noon(200).date())
    every = list(report)
    assert report.count() == len(every) == 4
    assert report[0:2] + report[2:3] + report[3:10] == every
    assert report[1] == every[1]
    assert report[4:6] == []
    with pytest.raises(IndexError):
        report[4]  # noqa: B018 (indexing is the call)


def test_days_in_the_wrong_order_list_nothing(client, editor, rolled_up):
    client.force_login(editor)
    since, until = noon(2).date().isoformat(), noon(20).date().isoformat()
    response = client.get(f"{URL}?day_from={since}&day_to={until}")
    assert response.status_code == 200
    assert "Headphones A" not in response.content.decode()
    assert csv_rows(client, f"&day_from={since}&day_to={until}") == {}


def test_a_page_is_one_statement_whatever_the_page(
    client, editor, rolled_up, monkeypatch
):
    monkeypatch.setattr(ArticlesReportView, "paginate_by", 3)
    client.force_login(editor)
    for page in ("1", "2", "9"):  # 9: past the end, the last page is shown
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{URL}?{all_days()}&p={page}")
        assert response.status_code == 200
        reports = [q for q in captured if "WITH clicks AS" in q["sql"]]
        # Past the end: the page asked for (empty), the count, then the last page.
        assert len(reports) == (3 if page == "9" else 1), page
        assert "Kettle B" in response.content.decode() or page == "1"


def test_a_control_character_in_a_stored_name_does_not_break_the_xlsx(
    client, editor, published, creator, link
):
    """Names and titles saved before (or through forms that allow it) may hold a
    character XLSX cannot: it exports as U+FFFD instead of failing the export."""
    clicks_add(link, days_ago=2, billable=1)
    rollups_rebuild()
    type(creator).objects.filter(pk=creator.pk).update(public_name="Lu\x0blu")
    type(published).objects.filter(pk=published.pk).update(title="Review\x01")
    client.force_login(editor)
    response = client.get(f"{URL}?export=xlsx&{all_days()}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert ("Review\ufffd", "Lu\ufffdlu") in [row[:2] for row in rows[1:]]
