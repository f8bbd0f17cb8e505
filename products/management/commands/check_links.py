"""`manage.py check_links [--merchant SLUG] [--limit N] [--concurrency N]
[--timeout SECONDS]`: check offer URLs now and print what was found."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from products.models import Merchant
from products.selectors import offers_to_check
from products.services import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, offers_check


class Command(BaseCommand):
    help = (
        "Request each offer's URL (HEAD, then GET if HEAD is refused) and record the "
        "result: 404/410 twice in a row marks a link broken, 403/429 are not counted, "
        "errors count after three in a row. Least recently checked offers go first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchant", help="Only this merchant's offers (slug).")
        parser.add_argument("--limit", type=int, help="Check at most this many.")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=DEFAULT_CONCURRENCY,
            help=f"Requests at once (default {DEFAULT_CONCURRENCY}).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            help=f"Seconds to connect and to wait for an answer (default "
            f"{DEFAULT_TIMEOUT:g}).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, merchant, limit, concurrency, timeout, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        if not 1 <= concurrency <= 64:
            raise CommandError("--concurrency must be between 1 and 64.")
        if not 0 < timeout <= 120:
            raise CommandError("--timeout must be more than 0 and at most 120 seconds.")
        merchant_object = None
        if merchant is not None:
            merchant_object = Merchant.objects.filter(slug=merchant).first()
            if merchant_object is None:
                raise CommandError(
                    f"--merchant: no merchant with the slug {merchant!r}."
                )
        offers = list(offers_to_check(merchant=merchant_object, limit=limit))
        with tqdm(
            total=len(offers),
            unit="link",
            disable=options["no_progress"],
            file=self.stderr,
        ) as progress:
            summary = offers_check(
                offers=offers,
                concurrency=concurrency,
                timeout=timeout,
                on_checked=lambda _check: progress.update(1),
            )
        self.stdout.write(str(summary))
