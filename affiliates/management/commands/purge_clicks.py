"""`manage.py purge_clicks [--days N]`: delete old clicks that nothing refers to."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from affiliates.tracking.services import clicks_purge


class Command(BaseCommand):
    help = (
        "Delete clicks older than --days (default ZHONGCAO_CLICK_RETENTION_DAYS, 400) "
        "that no conversion refers to, and visitor salts older than yesterday. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=settings.ZHONGCAO_CLICK_RETENTION_DAYS
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        deleted = clicks_purge(older_than_days=days)
        self.stdout.write(
            f"Deleted {deleted} click{'s' if deleted != 1 else ''} older than {days} days."
        )
