"""`manage.py import_conversions <merchant-slug> <file>`: import a sales report (CSV or XLSX)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from affiliates.commissions.postbacks import ReportFileError
from affiliates.commissions.reportfiles import report_file_rows
from affiliates.commissions.services.conversions import (
    ImportSummary,
    conversions_import,
    merchant_connection_ensure,
)
from products.models import Merchant


class Command(BaseCommand):
    help = (
        "Import a merchant's or network's report of sales (CSV in UTF-8, or XLSX). Columns map through the "
        "merchant's connection (Settings → Merchant connections). Bad rows are reported "
        "with their line numbers; the rest are imported. Importing a file again changes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant_slug")
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, merchant_slug, path, no_progress, **options):
        merchant = Merchant.objects.filter(slug=merchant_slug).first()
        if merchant is None:
            raise CommandError(f"No merchant with the slug {merchant_slug!r}.")
        connection = merchant_connection_ensure(merchant=merchant)
        try:
            with report_file_rows(path, columns=connection.columns()) as (total, rows):
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
