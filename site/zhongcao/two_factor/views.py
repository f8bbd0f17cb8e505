"""The admin's two-factor screens: the sign-in's second step, and the account pages
that set it up, renew recovery codes and turn it off.

Sign-in: ``SignInView`` is Wagtail's own sign-in view (mounted at its URL, before
the admin's own, in the root URLs). For a user with two-factor sign-in on, a right
password does not sign in: it leaves a pending sign-in in the session (user, how,
where to, for five minutes) and sends the browser to ``SignInCodeView``, which signs
in only on a right code. So no session ever holds a user who owes a code.
"""

import time

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from wagtail.admin import messages
from wagtail.admin.views.account import LoginView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from . import selectors, services
from .forms import CodeForm

PENDING_SESSION_KEY = "zhongcao_two_factor_pending"
# The authenticator this session is setting up (services.authenticator_start).
SET_UP_SESSION_KEY = "zhongcao_two_factor_set_up_device"
PENDING_SECONDS = 5 * 60


class SignInView(LoginView):
    """Wagtail's sign-in, stopping short of signing in a user who owes a code."""

    def form_valid(self, form):
        user = form.get_user()
        if not selectors.two_factor_enabled(user=user):
            return super().form_valid(form)
        # A fresh session key for the pending sign-in: one fixed by someone else
        # before the password was typed is of no use to them.
        self.request.session.cycle_key()
        self.request.session[PENDING_SESSION_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "remember": bool(form.cleaned_data.get("remember")),
            "next": self.get_success_url(),
            "since": time.time(),
        }
        return redirect("zhongcao_two_factor_sign_in")


def _pending(request) -> tuple[object, dict] | None:
    """The pending sign-in's user and details, or None (none, expired, or the user
    can no longer sign in)."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    since = pending.get("since")
    if not isinstance(since, int | float) or time.time() - since > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user")).first()
    if user is None or not user.is_active:
        return None
    return user, pending


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class SignInCodeView(FormView):
    """The sign-in's second step: a code from the authenticator app or a recovery
    code, for the user whose password was right a moment ago."""

    template_name = "zhongcao/two_factor/sign_in_code.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        found = _pending(request)
        if found is None:
            if PENDING_SESSION_KEY in request.session:
                del request.session[PENDING_SESSION_KEY]
                messages.error(
                    request, _("Sign-in took too long: enter your password again.")
                )
            return redirect("wagtailadmin_login")
        self.user, self.pending = found
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            accepted = services.two_factor_code_check(
                user=self.user, code=form.cleaned_data["code"]
            )
        except services.CodeRefused as refused:
            form.add_error("code", refused.message)
            return self.form_invalid(form)
        request = self.request
        del request.session[PENDING_SESSION_KEY]
        auth.login(request, self.user, backend=self.pending["backend"])
        otp_login(request, accepted.device)
        # As Wagtail's sign-in does with "Remember me".
        request.session.set_expiry(
            settings.SESSION_COOKIE_AGE if self.pending["remember"] else 0
        )
        if accepted.recovery_code_used:
            left = selectors.recovery_codes_left(user=self.user)
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; %(left)d left. Make new "
                    "ones under Account → More actions → Two-factor authentication."
                )
                % {"left": left},
            )
        next_url = self.pending.get("next")
        if not url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            next_url = reverse("wagtailadmin_home")
        return HttpResponseRedirect(next_url)


class _AccountPage(WagtailAdminTemplateMixin):
    header_icon = "key"
    page_title = gettext_lazy("Two-factor authentication")

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("wagtailadmin_account"), "label": _("Account")},
            {"url": "", "label": self.get_page_title()},
        ]


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(_AccountPage, TemplateView):
    """Whether two-factor sign-in is on for the signed-in user, and what they can do
    about it."""

    template_name = "zhongcao/two_factor/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = {
            "device": selectors.two_factor_device(user=user),
            "required": selectors.two_factor_required(user=user),
            "recovery_codes_left": selectors.recovery_codes_left(user=user),
            "renew_form": CodeForm(auto_id="renew_form_%s"),
            "disable_form": CodeForm(auto_id="disable_form_%s"),
        }
        return super().get_context_data(**{**context, **kwargs})


class RecoveryCodesPage(_AccountPage, TemplateView):
    """The recovery codes, shown this once (in answer to the POST that made them):
    never cached, never shown again."""

    template_name = "zhongcao/two_factor/recovery_codes.html"
    page_title = gettext_lazy("Your recovery codes")

    @classmethod
    def response(cls, request, codes: list[str]) -> TemplateResponse:
        page = cls()
        page.setup(request)
        return page.render_to_response(page.get_context_data(codes=codes))


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class SetUpView(_AccountPage, FormView):
    """Scan a QR code (or type the secret) into an authenticator app, and confirm
    with a code from it; then the recovery codes, once."""

    template_name = "zhongcao/two_factor/set_up.html"
    page_title = gettext_lazy("Set up two-factor authentication")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "recovery": False}

    def get_form_class(self):
        return CodeForm

    def dispatch(self, request, *args, **kwargs):
        if selectors.two_factor_enabled(user=request.user):
            return redirect("zhongcao_two_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = services.authenticator_start(
            user=self.request.user,
            device_id=self.request.session.get(SET_UP_SESSION_KEY),
        )
        self.request.session[SET_UP_SESSION_KEY] = device.pk
        return super().get_context_data(
            qr_svg=selectors.totp_qr_svg(
                device=device, title=_("QR code for your authenticator app")
            ),
            secret=selectors.totp_secret_display(device=device),
            required=selectors.two_factor_required(user=self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            device, codes = services.two_factor_enable(
                user=self.request.user,
                device_id=self.request.session.get(SET_UP_SESSION_KEY),
                code=form.cleaned_data["code"],
            )
        except services.CodeRefused as refused:
            form.add_error("code", refused.message)
            return self.form_invalid(form)
        # This session gave the code: it stays signed in (others must sign in again).
        self.request.session.pop(SET_UP_SESSION_KEY, None)
        otp_login(self.request, device)
        return RecoveryCodesPage.response(self.request, codes)


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class _CodeActionView(_AccountPage, FormView):
    """An action on a current code (POST only; the form is on TwoFactorView)."""

    http_method_names = ["post"]
    template_name = "zhongcao/two_factor/account.html"
    form_class = CodeForm
    form_name: str

    def dispatch(self, request, *args, **kwargs):
        if not selectors.two_factor_enabled(user=request.user):
            return redirect("zhongcao_two_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": f"{self.form_name}_%s"}

    def form_invalid(self, form):
        page = TwoFactorView()
        page.setup(self.request)
        return page.render_to_response(page.get_context_data(**{self.form_name: form}))

    def form_valid(self, form):
        try:
            return self.perform(form.cleaned_data["code"])
        except services.CodeRefused as refused:
            form.add_error("code", refused.message)
            return self.form_invalid(form)


class RenewRecoveryCodesView(_CodeActionView):
    form_name = "renew_form"

    def perform(self, code):
        codes = services.recovery_codes_renew(user=self.request.user, code=code)
        return RecoveryCodesPage.response(self.request, codes)


class DisableView(_CodeActionView):
    form_name = "disable_form"

    def perform(self, code):
        services.two_factor_disable(user=self.request.user, code=code)
        messages.success(self.request, _("Two-factor authentication is off."))
        return redirect("zhongcao_two_factor")
