"""`manage.py rebuild_rollups [--days N]`: recompute the daily and monthly rollups."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from affiliates.analytics.services import rollups_rebuild, rollups_refresh


class Command(BaseCommand):
    help = (
        "Recompute the daily rollups of clicks and sales, and the monthly ones of "
        "their months, that dashboards and reports "
        "read, from the first click or conversion to today (click rollups of days "
        "past the click retention period are kept where they exist). With --days N, "
        "only the last N days (what the refresh_rollups task does every minute "
        "with 2). Safe to run at any time, and twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="Recompute only the last N days (today included)."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, days, no_progress, **options):
        if days is not None:
            if days < 1:
                raise CommandError("--days must be 1 or more.")
            count = rollups_refresh(days=days)
        else:
            count = rollups_rebuild(
                progress=lambda all_days: tqdm(
                    all_days, unit="day", disable=no_progress, file=self.stderr
                )
            )
        self.stdout.write(f"Recomputed {count} day{'s' if count != 1 else ''}.")
