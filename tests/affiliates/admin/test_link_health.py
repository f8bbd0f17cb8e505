"""The link health report (Reports → Link health): offers in published articles that
are out of stock, discontinued or broken by the link checker, for editors only."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from affiliates.models import TrackedLink
from affiliates.tracking.services import article_links_sync
from products.models import Availability
from products.services import offers_check
from tests.conftest import review_create
from tests.factories import OfferFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

REPORT = "affiliates_link_health"
HEADINGS = [
    "Product",
    "Merchant",
    "Offer URL",
    "Problem",
    "Last checked",
    "HTTP code",
    "Articles",
]


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def broken_offer(link_server, product, path="/gone"):
    """An offer of ``product`` whose URL the checker has found gone twice."""
    offer = OfferFactory(product=product, url=link_server.url(path))
    for _ in range(2):
        offers_check(offers=[offer], timeout=0.5)
    return offer


@pytest.fixture
def troubles(articles, creator, other_creator, headphones, published, link_server):
    """Published articles whose offers have each kind of problem, and offers that
    must stay off the report."""
    sold_out = headphones.offers.get()
    sold_out.availability = Availability.OUT_OF_STOCK
    sold_out.save()
    second = review_create(
        parent=articles, author=other_creator, product=headphones, title="Again"
    )

    kettle = ProductFactory(title="Kettle")
    broken = broken_offer(link_server, kettle)
    OfferFactory(product=kettle, url=link_server.url("/ok"))  # fine: not listed
    kettle_review = review_create(
        parent=articles, author=creator, product=kettle, title="Kettle review"
    )

    lamp = ProductFactory(title="Lamp")
    discontinued = OfferFactory(product=lamp, availability=Availability.DISCONTINUED)
    lamp_review = review_create(
        parent=articles, author=creator, product=lamp, title="Lamp review"
    )

    # Problems that readers cannot meet: a draft, a retired link, a preview link.
    draft_product = ProductFactory(title="Draft only")
    broken_offer(link_server, draft_product)
    review_create(
        parent=articles,
        author=creator,
        product=draft_product,
        title="Draft",
        publish=False,
    )
    retired_product = ProductFactory(title="Retired")
    broken_offer(link_server, retired_product, "/not-found")
    retired_review = review_create(
        parent=articles, author=creator, product=retired_product, title="Retired"
    )
    article_links_sync(article=retired_review, author=creator, embeds=[])
    article_links_sync(
        article=retired_review,
        author=creator,
        embeds=[("reviewed-product", retired_product.pk)],
        preview=True,
    )
    assert TrackedLink.objects.filter(article=retired_review, is_preview=True).exists()
    return {
        "sold_out": sold_out,
        "broken": broken,
        "discontinued": discontinued,
        "articles": {
            "published": published,
            "second": second,
            "kettle": kettle_review,
            "lamp": lamp_review,
        },
    }


def report_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_report_lists_each_offer_with_a_problem_and_its_articles(
    editor_client, troubles
):
    response = editor_client.get(reverse(REPORT))
    assert response.status_code == 200
    rows = response.context["table"].data
    assert [(row.product, row.problem, row.http_status) for row in rows] == [
        ("Acme Kettle", "Broken link: not found 2 times in a row", 410),
        ("Acme Lamp", "Discontinued", None),
        ("Acme WH-7", "Out of stock", None),
    ]
    by_product = {row.product: row for row in rows}
    assert [a.title for a in by_product["Acme WH-7"].articles] == ["A review", "Again"]
    assert by_product["Acme Kettle"].url == troubles["broken"].url
    assert by_product["Acme Kettle"].checked_at is not None
    html = response.content.decode()
    for article in troubles["articles"].values():
        assert reverse("wagtailadmin_pages:edit", args=[article.pk]) in html
    assert troubles["broken"].url in html


def test_the_csv_export_has_the_same_rows(editor_client, troubles):
    screen = editor_client.get(reverse(REPORT)).context["table"].data
    response = editor_client.get(reverse(REPORT), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    header, *rows = report_rows(response)
    assert header == HEADINGS
    assert [row[:4] + row[5:] for row in rows] == [
        [
            row.product,
            row.merchant,
            row.url,
            row.problem,
            str(row.http_status or ""),
            row.article_titles,
        ]
        for row in screen
    ]
    assert rows[-1][-1] == "A review; Again"
    assert rows[0][4]  # the time of the last check
    assert rows[1][4] == ""  # never checked


def test_the_xlsx_export_has_the_same_rows(editor_client, troubles):
    response = editor_client.get(reverse(REPORT), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.values)
    assert list(header) == HEADINGS
    assert [(row[0], row[3], row[5], row[6]) for row in rows] == [
        (
            "Acme Kettle",
            "Broken link: not found 2 times in a row",
            410,
            "Kettle review",
        ),
        ("Acme Lamp", "Discontinued", None, "Lamp review"),
        ("Acme WH-7", "Out of stock", None, "A review; Again"),
    ]


def test_fixing_the_url_or_the_stock_takes_an_offer_off(
    editor_client, troubles, link_server
):
    troubles["broken"].url = link_server.url("/ok")
    troubles["broken"].save()
    troubles["sold_out"].availability = Availability.IN_STOCK
    troubles["sold_out"].save()
    rows = editor_client.get(reverse(REPORT)).context["table"].data
    assert [row.product for row in rows] == ["Acme Lamp"]


def test_the_report_reads_the_same_number_of_queries_for_more_rows(
    editor_client, troubles, articles, creator, django_assert_max_num_queries
):
    editor_client.get(reverse(REPORT))
    with django_assert_max_num_queries(30) as few:
        editor_client.get(reverse(REPORT))
    for number in range(5):
        product = ProductFactory(title=f"Gone {number}")
        OfferFactory(product=product, availability=Availability.OUT_OF_STOCK)
        review_create(
            parent=articles, author=creator, product=product, title=f"Gone {number}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor_client.get(reverse(REPORT))
    assert len(response.context["table"].data) == 8


def test_creators_are_refused(client, creator, troubles):
    client.force_login(creator.user)
    for url in (
        reverse(REPORT),
        reverse(REPORT) + "?export=csv",
        reverse(REPORT) + "?export=xlsx",
        reverse("affiliates_link_health_results"),
    ):
        assert client.get(url).status_code == 403


def test_only_editors_see_it_in_the_reports_menu(client, editor_client, creator):
    assert (
        "Link health"
        in editor_client.get(reverse("wagtailadmin_home")).content.decode()
    )
    client.force_login(creator.user)
    assert (
        "Link health" not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_the_report_filters_by_problem_and_merchant(editor_client, troubles, shop):
    def products(**query):
        response = editor_client.get(reverse(REPORT), query)
        return [row.product for row in response.context["table"].data]

    assert products(problem="broken") == ["Acme Kettle"]
    assert products(problem="discontinued") == ["Acme Lamp"]
    assert products(problem="out_of_stock") == ["Acme WH-7"]
    assert products(merchant=shop.pk) == ["Acme WH-7"]
    assert products(merchant=shop.pk, problem="broken") == []
    export = editor_client.get(reverse(REPORT), {"problem": "broken", "export": "csv"})
    assert [row[0] for row in report_rows(export)[1:]] == ["Acme Kettle"]


def test_a_control_character_in_a_stored_title_does_not_break_the_xlsx(
    editor_client, troubles, headphones
):
    type(headphones).objects.filter(pk=headphones.pk).update(title="WH\x027")
    response = editor_client.get(reverse(REPORT), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "Acme WH\ufffd7" in [row[0] for row in sheet.values]
