"""Two-factor sign-in holds for every session, however it was signed in.

After django-otp's ``OTPMiddleware`` (which tells whether the session gave a code):

- a user with two-factor sign-in on whose session never gave a code is signed out
  (a browser signed in before they set it up, any sign-in path but ours); in the
  admin they are sent to sign in again;
- an editor who must use it (``two_factor_required``) and has not set it up is sent
  to set it up before anything else in the admin, and counts as signed out
  everywhere else (the API, the reader site) until then.

Requests without a session cookie (readers, tracked links) cost nothing here.
"""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .selectors import two_factor_enabled, two_factor_required

# What an editor who must set up two-factor sign-in may still open in the admin.
SET_UP_URL_NAMES = frozenset(
    {
        "zhongcao_two_factor",
        "zhongcao_two_factor_set_up",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
    }
)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None  # no session, so nobody signed in: the tracked links stay lean
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        in_admin = request.path_info.startswith(reverse("wagtailadmin_home"))
        if two_factor_enabled(user=user):
            auth.logout(request)
            if not in_admin:
                return None
            messages.info(
                request,
                _("Sign in again: your account now asks for a code at sign-in."),
            )
            return redirect_to_login(
                request.get_full_path(), reverse("wagtailadmin_login")
            )
        if not two_factor_required(user=user):
            return None
        if not in_admin:
            request.user = AnonymousUser()
            return None
        try:
            url_name = resolve(request.path_info).url_name
        except Resolver404:
            url_name = None
        if url_name in SET_UP_URL_NAMES:
            return None
        return redirect("zhongcao_two_factor_set_up")
