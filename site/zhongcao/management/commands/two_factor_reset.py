"""`manage.py two_factor_reset USERNAME`: turn two-factor sign-in off for someone who
lost both their authenticator and their recovery codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhongcao.two_factor.selectors import two_factor_required
from zhongcao.two_factor.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator and recovery codes, so that they sign in with "
        "their password alone (and, if they must use two-factor sign-in, set it up "
        "again at once). Check who is asking before running it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        user = user_model.objects.filter(
            **{user_model.USERNAME_FIELD: username}
        ).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        removed = two_factor_reset(user=user)
        if not removed:
            self.stdout.write(f"{username} had no two-factor sign-in: nothing to do.")
            return
        then = (
            "they must set it up again at their next sign-in"
            if two_factor_required(user=user)
            else "they sign in with their password alone"
        )
        self.stdout.write(f"Two-factor sign-in removed for {username}: {then}.")
