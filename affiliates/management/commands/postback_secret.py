"""`manage.py postback_secret <merchant-slug> [--rotate]`: print a merchant's secret."""

from django.core.management.base import BaseCommand, CommandError

from affiliates.commissions.services.conversions import merchant_connection_ensure
from products.models import Merchant


class Command(BaseCommand):
    help = (
        "Print the merchant's postback secret, creating one if it has none. "
        "--rotate replaces it: the old secret stops working at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant_slug")
        parser.add_argument("--rotate", action="store_true")

    def handle(self, *args, merchant_slug, rotate, **options):
        merchant = Merchant.objects.filter(slug=merchant_slug).first()
        if merchant is None:
            raise CommandError(f"No merchant with the slug {merchant_slug!r}.")
        connection = merchant_connection_ensure(merchant=merchant, rotate=rotate)
        self.stdout.write(connection.postback_secret)
