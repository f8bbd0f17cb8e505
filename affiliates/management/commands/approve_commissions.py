"""`manage.py approve_commissions [--as-of TIME]`: approve what has waited long enough."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from affiliates.commissions.services.ledger import commissions_approve


class Command(BaseCommand):
    help = (
        "Approve pending commissions whose merchant's hold period has ended. Safe to "
        "run any number of times; run it daily (the approve_commissions task does the "
        "same). --as-of an ISO 8601 time approves as if it were then."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", default=None)

    def handle(self, *args, as_of, **options):
        now = None
        if as_of:
            try:
                now = datetime.datetime.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError(f"--as-of: {error}") from error
            if now.tzinfo is None:
                raise CommandError("--as-of needs a UTC offset, such as +08:00 or Z.")
        moved = commissions_approve(now=now)
        self.stdout.write(
            f"Approved {moved} commission item{'s' if moved != 1 else ''}."
        )
