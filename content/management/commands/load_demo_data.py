"""`manage.py load_demo_data`: demo accounts, catalog and articles, loaded once."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from content.demo.demo import DEMO_USERNAMES, demo_data_load, demo_password


class Command(BaseCommand):
    help = (
        "Load the demo accounts, catalog, articles and home page curation. Does nothing "
        "when the database already has them, so changes made since are kept."
    )

    def handle(self, *args, **options):
        try:
            loaded = demo_data_load()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if not loaded:
            self.stdout.write(
                "Demo data already present: nothing loaded, nothing changed."
            )
            return
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Accounts (admin at /admin/):")
        )
        for username in DEMO_USERNAMES:
            self.stdout.write(f"  {username:<10} password {demo_password(username)}")
