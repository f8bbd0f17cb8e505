"""The public sign-up of members (/join/): the form, the mail with its link, and the
confirmation that signs them in."""

import logging

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited
from wagtail.admin import messages as wagtail_messages

from affiliates.creators.forms import (
    SignupForm,
    SignupResendForm,
)
from affiliates.creators.selectors import (
    creator_by_invite_code,
)
from affiliates.creators.signup import (
    SignupError,
    member_signup,
    member_signup_confirm,
    member_signup_resend,
)
from products.web import client_address

logger = logging.getLogger(__name__)


# -- Members' sign-up (public) ---------------------------------------------------------

SIGNUP_RATE_GROUP = "affiliates.signup"


def signup_client_key(group: str, request: HttpRequest) -> str:
    """The rate limit's key for a client: a keyed hash of its address (behind the
    trusted proxies), so that no address is ever stored, even in the cache."""
    return salted_hmac("affiliates.signup.client", client_address(request)).hexdigest()


def _signup_page(request, form, *, code: str, status: int = 200, **context):
    """The form, with who invited the person or a note that the code is unknown."""
    referrer = creator_by_invite_code(code=code) if code else None
    if not form.is_bound:
        form.initial["ref"] = referrer.slug if referrer else ""
    return render(
        request,
        "affiliates/signup/join.html",
        {
            "form": form,
            "referrer": referrer,
            "unknown_code": bool(code) and referrer is None,
            **context,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    """GET/POST /join/[?ref=<creator slug>]: a member signs up; the inviter's code
    pre-fills the referrer, and an unknown code is ignored with a note."""
    if request.method != "POST":
        code = request.GET.get("ref", "").strip()
        return _signup_page(request, SignupForm(), code=code)

    form = SignupForm(request.POST)
    code = request.POST.get("ref", "").strip()
    if is_ratelimited(
        request,
        group=SIGNUP_RATE_GROUP,
        key=signup_client_key,
        rate=settings.ZHONGCAO_SIGNUP_RATE,
        method="POST",
        increment=True,
    ):
        return _signup_page(request, form, code=code, status=429, rate_limited=True)
    if form.is_bot:
        # Answer a bot as if it had succeeded, so that it learns nothing.
        return redirect("signup_sent")
    if not form.is_valid():
        return _signup_page(request, form, code=code, status=400)
    member_signup(
        email=form.cleaned_data["email"],
        password=form.cleaned_data["password"],
        public_name=form.cleaned_data["public_name"],
        referrer=creator_by_invite_code(code=form.cleaned_data["ref"]),
    )
    # The same answer whether the address was new, pending or taken.
    return redirect("signup_sent")


def signup_address_key(group: str, request: HttpRequest) -> str:
    """The resend limit's key for an address: its keyed hash, whatever its case."""
    email = request.POST.get("email", "").strip().lower()
    return salted_hmac("affiliates.signup.address", email).hexdigest()


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def signup_resend(request: HttpRequest) -> HttpResponse:
    """GET/POST /join/resend/: a new confirmation link for a sign-up waiting for
    one. Limited per connection and per address, and answered the same whether or
    not the address has such a sign-up (nobody learns who signed up)."""
    if request.method != "POST":
        return render(
            request, "affiliates/signup/resend.html", {"form": SignupResendForm()}
        )
    form = SignupResendForm(request.POST)
    limited = False
    for key, rate in (
        (signup_client_key, settings.ZHONGCAO_SIGNUP_RATE),
        (signup_address_key, settings.ZHONGCAO_SIGNUP_RESEND_RATE),
    ):
        limited |= is_ratelimited(
            request,
            group=f"{SIGNUP_RATE_GROUP}.resend",
            key=key,
            rate=rate,
            method="POST",
            increment=True,
        )
    if limited:
        return render(
            request,
            "affiliates/signup/resend.html",
            {"form": form, "rate_limited": True},
            status=429,
        )
    if not form.is_valid():
        return render(
            request, "affiliates/signup/resend.html", {"form": form}, status=400
        )
    member_signup_resend(
        email=form.cleaned_data["email"],
        public_name=form.cleaned_data["public_name"],
    )
    return redirect("signup_sent")


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "affiliates/signup/sent.html")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def signup_confirm(request: HttpRequest, signed: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open every link in an
    email (GET) must not confirm a sign-up, nor be logged in by it."""
    if request.method != "POST":
        return render(request, "affiliates/signup/confirm.html")
    try:
        profile = member_signup_confirm(signed=signed)
    except SignupError as error:
        return render(
            request, "affiliates/signup/confirm.html", {"error": error}, status=400
        )
    login(
        request,
        profile.user,
        backend="affiliates.creators.backends.EmailOrUsernameBackend",
    )
    # The button leads to content's "New article" (by URL name: affiliates never
    # imports content).
    wagtail_messages.success(
        request,
        _("Welcome, %(name)s: your account is confirmed. Start with a new article.")
        % {"name": profile.public_name},
        buttons=[
            wagtail_messages.button(reverse("content_article_new"), _("New article"))
        ],
    )
    return redirect("wagtailadmin_home")
