"""`manage.py pull_conversions [<merchant-slug>] [--since <ISO time>]`: pull the
networks' order reports now, in this process, with a line per page read.

With a merchant, every pulled connection of that merchant (a disabled one too: it
was asked for by name); without, every enabled pulled connection. ``--since``
reads from that moment instead of the cursor (less the overlap), e.g. to read a
day again; reading an order twice changes nothing. A pull already running
elsewhere is reported and skipped. The command fails (exit status 1) when a pull
failed, after trying every connection.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from affiliates.commissions.networks.base import connector_registry
from affiliates.commissions.networks.connections import run_summary
from affiliates.commissions.networks.pulls import NotPulled, PullBusy, connection_pull
from affiliates.models import NetworkConnection, RunState
from products.models import Merchant


def _since_parse(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--since {value}: not an ISO time, e.g. 2026-12-01 or "
            "2026-12-01T08:00+08:00."
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if moment > timezone.now():
        raise CommandError(f"--since {value}: that is in the future.")
    return moment


class Command(BaseCommand):
    help = (
        "Pull the networks' order reports now: the merchant's pulled connections, "
        "or every enabled one; --since reads from that time instead of the cursor."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant_slug", nargs="?")
        parser.add_argument(
            "--since", help="ISO time to read from, e.g. 2026-12-01T00:00+08:00."
        )

    def handle(self, *args, merchant_slug, since, **options):
        since_at = _since_parse(since) if since else None
        connections = NetworkConnection.objects.filter(
            kind__in=connector_registry().kinds()
        ).select_related("merchant")
        if merchant_slug:
            merchant = Merchant.objects.filter(slug=merchant_slug).first()
            if merchant is None:
                raise CommandError(f"No merchant with the slug {merchant_slug!r}.")
            connections = connections.filter(merchant=merchant)
            if not connections.exists():
                raise CommandError(
                    f"{merchant_slug} has no connection whose report is pulled "
                    "(a postback is not pulled)."
                )
        else:
            connections = connections.filter(enabled=True)
        failed = 0
        pulled = 0
        for connection in connections.order_by("merchant__slug", "kind", "pk"):
            self.stdout.write(f"#{connection.pk} {connection} [{connection.kind}]:")
            pages = 0

            def progress(run):
                nonlocal pages
                pages += 1
                self.stdout.write(f"  page {pages}: {run_summary(run)}")

            try:
                run = connection_pull(
                    connection=connection, since=since_at, progress=progress
                )
            except PullBusy:
                self.stdout.write("  skipped: a pull of it is running already.")
                continue
            except NotPulled as error:
                self.stdout.write(f"  skipped: {error}")
                continue
            pulled += 1
            if run.state == RunState.SUCCEEDED:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"  done, {run.window_start:%Y-%m-%d %H:%M} to "
                        f"{run.window_end:%Y-%m-%d %H:%M}: {run_summary(run)}."
                    )
                )
            else:
                failed += 1
                self.stdout.write(
                    self.style.ERROR(f"  failed: {run.error} ({run_summary(run)}).")
                )
            for rejection in run.rejections[:10]:
                self.stdout.write(f"    refused {rejection}")
        if not pulled:
            self.stdout.write("Nothing was pulled.")
            return
        if failed:
            raise CommandError(f"{failed} of {pulled} pulls failed.")
        self.stdout.write(f"{pulled} pull(s) done.")
