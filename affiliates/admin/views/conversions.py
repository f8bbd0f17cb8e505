"""Conversions in the admin: the list, a conversion with its ledger entries, and the
review (Approve / Reject) of a held sale."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import IndexView
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect

from affiliates.admin.views.base import (
    ActionView,
    CheckedInspectView,
    Confirmation,
    public_name_or_platform,
)
from affiliates.commissions.selectors import (
    conversion_entries,
    conversion_held_shares,
    conversions_visible,
)
from affiliates.commissions.services.conversions import (
    conversion_review,
)
from affiliates.creators.people import public_name
from affiliates.models import (
    Conversion,
    ConversionStatus,
    ReviewState,
)
from affiliates.templatetags.affiliates_money import money
from products.models import Merchant

# -- Conversions ----------------------------------------------------------------------


class ConversionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ConversionStatus.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"), queryset=Merchant.objects.order_by("name")
    )
    review = django_filters.ChoiceFilter(
        label=pgettext_lazy("held conversion", "Review"),
        choices=[(state.value, state.label) for state in ReviewState if state.value],
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    # True: an author is credited; False: nobody is (see "why unattributed").
    attributed = django_filters.BooleanFilter(
        label=_("Attributed"),
        field_name="author",
        lookup_expr="isnull",
        exclude=True,
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = Conversion
        fields = []


def review_display(conversion: Conversion) -> str:
    """ "Held for review (Self-purchase)", "Approved by an editor", or nothing."""
    review = conversion.get_review_display() if conversion.review else ""
    if review and conversion.hold_reason:
        return f"{review} ({conversion.get_hold_reason_display()})"
    return review


class ConversionIndexView(IndexView):
    def get_base_queryset(self):
        return conversions_visible(user=self.request.user)


class ConversionInspectView(CheckedInspectView):
    """A conversion's attribution and ledger entries; Approve / Reject while held."""

    template_name = "affiliates/admin/conversion_inspect.html"
    page_title = _("Conversion")
    review_url_name = None

    def get_page_subtitle(self):
        return f"{self.object.merchant} {self.object.order_id}"

    def get_reviewed_by_display_value(self):
        return public_name(self.object.reviewed_by)

    def get_queryset(self):
        return conversions_visible(user=self.request.user).select_related(
            "link", "reviewed_by"
        )

    def get_amount_display_value(self):
        return money(self.object.amount, self.object.currency)

    def get_commission_display_value(self):
        return money(self.object.commission, self.object.currency)

    def get_stated_commission_display_value(self):
        return money(self.object.stated_commission, self.object.currency)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_review = self.object.review == ReviewState.HELD and (
            self.user_has_permission("review")
        )
        return {
            **context,
            "entries": conversion_entries(conversion=self.object),
            "can_review": can_review,
            "review_url": reverse(self.review_url_name, args=[quote(self.object.pk)])
            if can_review
            else "",
        }


class ConversionReviewView(ActionView):
    model = Conversion
    permission_required = "review"
    choices = {"approve": True, "reject": False}
    inspect_url_name = None

    def get_queryset(self):
        return conversions_visible(user=self.request.user).select_related(
            "merchant", "author"
        )

    def get_confirmation(self, target, choice):
        order = {"order": target.order_id}
        if choice:
            title = _("Approve conversion %(order)s?") % order
            message = _(
                "Its held commission becomes pending, to be paid once the hold "
                "period ends:"
            )
        else:
            title = _("Reject conversion %(order)s?") % order
            message = _("Its held commission is reversed: nobody is paid for it.")
        rows = [
            (_("Merchant"), str(target.merchant)),
            (_("Sale"), money(target.amount, target.currency)),
        ]
        shares = conversion_held_shares(conversion=target)
        rows += [
            (
                public_name_or_platform(share.creator),
                money(share.amount, share.currency),
            )
            for share in shares
        ]
        refusal = ""
        if target.review != ReviewState.HELD:
            refusal = _("This conversion is not held for review.")
        return Confirmation(
            title=title,
            message=message,
            rows=rows,
            button_label=_("Yes, approve") if choice else _("Yes, reject"),
            serious=not choice,
            refusal=refusal,
        )

    def perform(self, target, choice):
        conversion_review(conversion=target, approve=choice, user=self.request.user)
        if choice:
            return _("Conversion %(order)s approved: its commission is pending.") % {
                "order": target.order_id
            }
        return _("Conversion %(order)s rejected: its commission is reversed.") % {
            "order": target.order_id
        }

    def get_return_url(self, target):
        # The held-for-review report links here too and asks to come back to
        # itself (with its filters); anywhere off this site goes to the inspect
        # page instead.
        return self.get_next_url() or reverse(
            self.inspect_url_name, args=[quote(target.pk)]
        )
