"""Admin views of creators (their profile and earnings), the /go/ redirect and the
public sign-up of members (/join/)."""

import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import FormView, TemplateView, View
from django_ratelimit.core import is_ratelimited
from wagtail.admin import messages as wagtail_messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from products.web import client_address

from .exports import ExcelCsvExportMixin
from .forms import OwnProfileForm, PayoutMethodForm, SignupForm, SignupResendForm
from .linktargets import link_target
from .models import EntryKind, EntryStatus
from .selectors import (
    CLICK_ID_SLOT,
    EarningsExportRow,
    conversions_earning,
    creator_by_invite_code,
    creator_earnings,
    creator_earnings_export,
    creator_other_items,
    creator_profile_for_user,
    ledger_balances,
    payout_method_for,
    payouts_for,
)
from .services import (
    SignupError,
    click_record,
    creator_profile_update,
    member_signup,
    member_signup_confirm,
    member_signup_resend,
    payout_method_set,
)

logger = logging.getLogger(__name__)


class _CreatorOwnView(WagtailAdminTemplateMixin):
    """An admin page of the signed-in creator's own: ``self.profile`` is their
    profile (404 without one); the header names the page."""

    def dispatch(self, request, *args, **kwargs):
        self.profile = creator_profile_for_user(user=request.user)
        if self.profile is None:
            raise Http404(_("You have no creator profile."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class OwnProfileView(_CreatorOwnView, FormView):
    """A creator edits their own public profile; nobody else's is reachable here."""

    form_class = OwnProfileForm
    template_name = "affiliates/own_profile.html"
    page_title = _("My creator profile")
    header_icon = "user"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.profile}

    def form_valid(self, form):
        creator_profile_update(profile=self.profile, **form.cleaned_data)
        messages.success(self.request, _("Your profile has been saved."))
        return redirect("affiliates_own_profile")


class OwnPayoutMethodView(_CreatorOwnView, FormView):
    """A creator sets how they are paid (Alipay, WeChat Pay or a bank account).
    Only their own: the page takes no id, and nobody else's account is shown."""

    form_class = PayoutMethodForm
    template_name = "affiliates/own_payout_method.html"
    page_title = _("Payout method")
    header_icon = "key"

    def get_initial(self):
        return PayoutMethodForm.initial_for(payout_method_for(creator=self.profile))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "method": payout_method_for(creator=self.profile),
        }

    def form_valid(self, form):
        try:
            payout_method_set(
                creator=self.profile,
                kind=form.cleaned_data["kind"],
                details=form.details(),
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your payout method has been saved."))
        return redirect("affiliates_own_payout_method")


class OwnEarningsView(_CreatorOwnView, TemplateView):
    """A creator's balances, the conversions behind them and their payouts. The
    creator is the signed-in user's own profile: no parameter can name another."""

    template_name = "affiliates/own_earnings.html"
    page_title = _("My earnings")
    header_icon = "decimal"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        creator = self.profile
        paginator = WagtailPaginator(
            # The product's name is shown for each offer: one query, not one a row.
            conversions_earning(creator=creator).select_related(
                "offer__product", "link"
            ),
            self.paginate_by,
        )
        page = paginator.get_page(self.request.GET.get("p"))
        conversions = list(page)
        position = {
            conversion.pk: index for index, conversion in enumerate(conversions)
        }
        # Newest sale first, as the page is; creator_earnings sorts by id.
        earnings = sorted(
            creator_earnings(creator=creator, conversions=conversions),
            key=lambda earning: position[earning.conversion.pk],
        )
        statuses = {**dict(EntryStatus.choices), "reversed": _("Reversed")}
        kinds = dict(EntryKind.choices)
        return {
            **super().get_context_data(**kwargs),
            "balances": [
                {**row, "status_label": statuses[row["status"]]}
                for row in ledger_balances(creator=creator)
            ],
            "earnings": [
                {
                    "earning": earning,
                    "kind_label": kinds[earning.kind],
                    "status_label": statuses[earning.status],
                }
                for earning in earnings
            ],
            "page_obj": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "other_items": [
                {
                    "item": other,
                    "kind_label": kinds[other.entry.kind],
                    "status_label": statuses[other.status],
                }
                for other in creator_other_items(creator=creator)
            ],
            "payouts": payouts_for(creator=creator).order_by("-run__run_date", "-pk"),
        }


EARNINGS_EXPORT_COLUMNS = (
    ("day", _("Day")),
    ("order_id", _("Order")),
    ("merchant", _("Merchant")),
    ("article", _("Article")),
    ("product", _("Product")),
    ("placement", _("Placement")),
    ("sale_amount", _("Sale")),
    ("kind", _("Kind")),
    ("amount", _("Amount")),
    ("currency", _("Currency")),
    ("status", _("Status")),
    ("approvable_on", _("Approvable from")),
    ("note", _("Note")),
)


class OwnEarningsExportView(_CreatorOwnView, ExcelCsvExportMixin, View):
    """GET ?export=csv|xlsx: every earning of the signed-in creator's (as My
    earnings shows them, all pages), written by Wagtail's spreadsheet export like
    every export, so that its cells are made safe in one place
    (zhongcao.spreadsheets). The CSV starts with a byte order mark for Excel.
    Days are in the creator's time zone; amounts stay numbers."""

    http_method_names = ["get", "head"]
    page_title = _("My earnings")
    list_export = [name for name, _label in EARNINGS_EXPORT_COLUMNS]
    export_headings = dict(EARNINGS_EXPORT_COLUMNS)

    def get(self, request):
        export_format = request.GET.get("export", "")
        if export_format not in self.FORMATS:
            return HttpResponseBadRequest(
                _("export: choose csv or xlsx."), content_type="text/plain"
            )
        rows = creator_earnings_export(
            creator=self.profile, tz=timezone.get_current_timezone()
        )
        return self.as_spreadsheet(rows, export_format)

    def get_filename(self) -> str:
        return f"earnings-{self.profile.slug}-{timezone.localdate().isoformat()}"

    def to_row_dict(self, item: EarningsExportRow) -> dict:
        statuses = {**dict(EntryStatus.choices), "reversed": _("Reversed")}
        kinds = dict(EntryKind.choices)
        row = {name: getattr(item, name) for name in self.list_export}
        row["kind"] = kinds.get(item.kind, item.kind)
        row["status"] = statuses.get(item.status, item.status)
        return row


LINK_CODE = re.compile(r"[A-Za-z0-9]{8,12}")
LINK_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


@require_safe
def go_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """GET /go/<code>: 302 to the merchant, with the click id as sub-id.

    Query parameters are never read: the destination and the credit come from the
    stored link alone.
    """
    if not LINK_CODE.fullmatch(code):
        return render(request, "affiliates/link_not_found.html", status=404)
    try:
        target = link_target(code=code)
    except DatabaseError:
        logger.exception("Link %s could not be read", code)
        response = render(request, "affiliates/link_unavailable.html", status=503)
        response["Retry-After"] = "5"
        return response
    if target is None:
        return render(request, "affiliates/link_not_found.html", status=404)
    click_id = click_record(request=request, target=target)
    # The destination was checked (http(s), the merchant's own domains) when the
    # target was loaded; HttpResponseRedirect would only parse it again.
    response = HttpResponse(status=302)
    response["Location"] = target.destination.replace(CLICK_ID_SLOT, click_id)
    for header, value in LINK_HEADERS.items():
        response[header] = value
    if target.sends_referrer:
        response["Referrer-Policy"] = "unsafe-url"
    return response


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
    login(request, profile.user, backend="affiliates.backends.EmailOrUsernameBackend")
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
