"""`manage.py sync_offers [<merchant-slug>] [--no-progress]`: read the merchants'
product feeds now, in this process, and bring their offers up to date
(docs/feeds.md).

With a merchant, its feed connections (a disabled one too: it was asked for by
name); without, every enabled feed connection. A progress bar counts the items as
they are read; each feed ends with its summary (matched, updated, unchanged,
proposed, rejected) and the first rejections with their item or line number. A
sync already running elsewhere is reported and skipped. The command fails (exit
status 1) when a feed failed, after trying every one.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from affiliates.commissions.networks.feeds import FEED_KIND, connection_feed_sync
from affiliates.commissions.networks.pulls import PullBusy
from affiliates.models import NetworkConnection, RunState
from products.models import Merchant

REJECTIONS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Read the merchants' product feeds now and update their offers: the "
        "merchant's feed connections, or every enabled one."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant_slug", nargs="?")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar."
        )

    def handle(self, *args, merchant_slug, no_progress, **options):
        connections = NetworkConnection.objects.filter(kind=FEED_KIND).select_related(
            "merchant"
        )
        if merchant_slug:
            merchant = Merchant.objects.filter(slug=merchant_slug).first()
            if merchant is None:
                raise CommandError(f"No merchant with the slug {merchant_slug!r}.")
            connections = connections.filter(merchant=merchant)
            if not connections.exists():
                raise CommandError(
                    f"{merchant_slug} has no product feed; connect one with "
                    f"manage.py connection {merchant_slug} --kind {FEED_KIND} "
                    "--set url=<feed URL>."
                )
        else:
            connections = connections.filter(enabled=True)
        synced = failed = 0
        for connection in connections.order_by("merchant__slug", "pk"):
            self.stdout.write(f"#{connection.pk} {connection}:")
            with tqdm(
                unit=" items", disable=no_progress, file=self.stderr, leave=False
            ) as bar:

                def progress(_run, summary, bar=bar):
                    bar.update(summary.read - bar.n)

                try:
                    run, summary = connection_feed_sync(
                        connection=connection, progress=progress
                    )
                except PullBusy:
                    self.stdout.write("  skipped: a sync of it is running already.")
                    continue
            synced += 1
            self.stdout.write(
                f"  matched {summary.matched} (updated {summary.updated}, unchanged "
                f"{summary.unchanged}), proposed {summary.proposed} (new "
                f"{summary.proposals_new}), dismissed earlier {summary.dismissed}, "
                f"rejected {summary.rejected}; {summary.read} items read."
            )
            for rejection in summary.rejections[:REJECTIONS_SHOWN]:
                self.stdout.write(f"    rejected {rejection}")
            if summary.rejected > REJECTIONS_SHOWN:
                self.stdout.write(
                    f"    … and {summary.rejected - REJECTIONS_SHOWN} more (the "
                    "connection's health page keeps the first 50)."
                )
            if run.state == RunState.SUCCEEDED:
                self.stdout.write(self.style.SUCCESS("  done."))
            else:
                failed += 1
                self.stdout.write(self.style.ERROR(f"  failed: {run.error}"))
        if not synced:
            self.stdout.write("No feed was read.")
            return
        if failed:
            raise CommandError(f"{failed} of {synced} feeds failed.")
        self.stdout.write(f"{synced} feed(s) read.")
