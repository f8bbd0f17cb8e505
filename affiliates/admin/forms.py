"""Admin forms of creators and of money; the public sign-up form of members."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from affiliates.commissions.selectors import merchants_unconnected
from affiliates.models import (
    CreatorProfile,
)
from products.currencies import currency_choices

# -- Money ----------------------------------------------------------------------------


class LedgerAdjustmentForm(forms.Form):
    """An editor's correction to a creator's balance (``ledger_adjust`` checks it)."""

    creator = forms.ModelChoiceField(
        label=_("Creator"), queryset=CreatorProfile.objects.order_by("public_name")
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=18,
        decimal_places=4,
        help_text=_("Negative to take money back, as in -20.00."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why: the creator sees the balance change, editors see this."),
    )


class PayoutRunForm(forms.Form):
    run_date = forms.DateField(
        label=_("Date"), widget=AdminDateInput, initial=timezone.localdate
    )


class MerchantConnectionCreateForm(forms.Form):
    """Connect a merchant; its postback secret is generated, never typed in."""

    # Each form copies the queryset, so a merchant connected a moment ago is gone.
    merchant = forms.ModelChoiceField(
        label=_("Merchant"), queryset=merchants_unconnected()
    )


# -- Members' sign-up -----------------------------------------------------------------


# -- Signing in to the admin (WAGTAILADMIN_USER_LOGIN_FORM) ------------------------
