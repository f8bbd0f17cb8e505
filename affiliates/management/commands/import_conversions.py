"""`manage.py import_conversions <merchant-slug> <file>`: import a sales report (CSV or XLSX)."""

import zoneinfo
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from affiliates.commissions.postbacks import ReportFileError
from affiliates.commissions.reportfiles import amazon_earnings_rows, report_file_rows
from affiliates.commissions.services.conversions import (
    ImportSummary,
    conversions_import,
    merchant_connection_ensure,
)
from products.models import Merchant


@contextmanager
def _amazon_report(path: Path, *, currency: str, zone: str):
    yield None, amazon_earnings_rows(path, currency=currency, time_zone=zone)


class Command(BaseCommand):
    help = (
        "Import a merchant's or network's report of sales (CSV in UTF-8, or XLSX). "
        "Columns map through the merchant's connection (Settings → Merchant "
        "connections); --format amazon-earnings reads Amazon Associates' earnings "
        "report as it is downloaded. Bad rows are reported with their line numbers; "
        "the rest are imported. Importing a file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant_slug")
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )
        parser.add_argument(
            "--format",
            choices=["columns", "amazon-earnings"],
            default="columns",
            help="columns (the connection's column map; the default) or "
            "amazon-earnings (Amazon Associates' Fee-Earnings report).",
        )
        parser.add_argument(
            "--time-zone",
            default="America/Los_Angeles",
            help="The time zone of an Amazon report's days (default: Amazon.com's).",
        )

    def handle(
        self, *args, merchant_slug, path, no_progress, format, time_zone, **options
    ):
        merchant = Merchant.objects.filter(slug=merchant_slug).first()
        if merchant is None:
            raise CommandError(f"No merchant with the slug {merchant_slug!r}.")
        connection = merchant_connection_ensure(merchant=merchant)
        if format == "amazon-earnings":
            try:
                zoneinfo.ZoneInfo(time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
                raise CommandError(f"{time_zone!r} is not a time zone.") from error
            opened = _amazon_report(path, currency=merchant.currency, zone=time_zone)
        else:
            opened = report_file_rows(path, columns=connection.columns())
        try:
            with opened as (total, rows):
                progress = tqdm(
                    rows,
                    total=total,
                    unit="row",
                    disable=no_progress,
                    file=self.stderr,
                )
                summary = conversions_import(
                    connection=connection, rows=progress, summary=ImportSummary()
                )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except ReportFileError as error:
            raise CommandError(str(error)) from error
        for line, field, reason in summary.rejected:
            self.stderr.write(f"Line {line}: {field}: {reason}")
        self.stdout.write(
            f"Imported {summary.imported}, unchanged {summary.unchanged}, "
            f"rejected {len(summary.rejected)}."
        )
