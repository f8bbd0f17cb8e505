"""Admin forms of creators and of money; the public sign-up form of members."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from affiliates.commissions.networks.connections import (
    connection_credential_in_use,
    connection_credential_names,
    credentials_masked,
)
from affiliates.commissions.selectors import merchants_unconnected
from affiliates.creators.services import creator_author_share_check
from affiliates.models import (
    ConnectionKind,
    CreatorProfile,
    NetworkConnection,
)
from products.currencies import currency_choices
from products.models import Merchant

# -- Creators -------------------------------------------------------------------------


class CreatorProfileForm(WagtailAdminModelForm):
    """The editors' form of a creator profile (its fields are the model's panels):
    an own author share must fit beside the referral overrides."""

    def clean(self):
        cleaned = super().clean()
        if "author_share" in cleaned:  # not when the field itself was refused
            try:
                creator_author_share_check(author_share=cleaned["author_share"])
            except ValidationError as error:
                self.add_error(None, error)  # the error names its field
        return cleaned


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


# The smallest settings a templated postback can be used with (its credential
# ``token`` given too): shown in its form's help, checked by a test.
TEMPLATED_SETTINGS_EXAMPLE = {
    "params": {"order_id": "oid", "amount": "amount", "click_id": "subid"},
    "currency": "CNY",
    "auth": "token",
}
TEMPLATED_DOCS = "docs/networks/templated-postback.md"


class NetworkConnectionForm(forms.Form):
    """A network connection of one kind: its merchant (when new), its columns, its
    settings as JSON and its credentials. The credentials are write-only: the field
    never renders a value, its help shows the stored one masked, and left blank it
    keeps what is stored (``network_connection_save`` checks everything)."""

    merchant = forms.ModelChoiceField(
        label=_("Merchant"), queryset=Merchant.objects.order_by("name")
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("To tell two connections of one merchant apart (optional)."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    base_url = forms.CharField(
        label=_("API base URL"),
        required=False,
        max_length=200,
        help_text=_(
            "Empty: the network's own. Another only for tests or staging; an "
            "address inside the network only when named in "
            "ZHONGCAO_OUTBOUND_ALLOW_HOSTS."
        ),
    )
    pull_every_minutes = forms.IntegerField(
        label=_("Pull every (minutes)"), min_value=1, max_value=7 * 24 * 60, initial=30
    )
    settings = forms.JSONField(
        label=_("Settings"),
        required=False,
        initial=dict,
        widget=forms.Textarea(attrs={"rows": 8, "class": "w-font-mono"}),
        help_text=_(
            "A JSON object: what is not secret, such as parameter and status maps "
            "or a time zone."
        ),
    )

    tracking_ids = forms.CharField(
        label=_("Add tracking ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "w-font-mono"}),
        help_text=_(
            "For networks that carry no click id: the ids you registered with the "
            "network (Taobao relation ids, Amazon tags), one a line. Each creator is "
            "given one when their article first links to this merchant."
        ),
    )

    def __init__(
        self, *args, kind: str, connection: NetworkConnection | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.connection = connection
        if connection is not None:
            # A connection stays with its merchant: its postback URL names it.
            del self.fields["merchant"]
        if kind in (
            ConnectionKind.TEMPLATED_POSTBACK,
            ConnectionKind.AMAZON_ASSOCIATES,
        ):
            # The network calls us, or its reports are files: nothing to pull.
            del self.fields["base_url"]
            del self.fields["pull_every_minutes"]
        if kind == ConnectionKind.TEMPLATED_POSTBACK:
            self.fields["settings"].help_text = _(
                "A JSON object saying how to read the network's calls: which of its "
                "parameters carries which of our fields, its status words, how the "
                "call proves it is the network's. The smallest that works, with the "
                "token credential below: %(example)s. Every setting, and examples "
                "for Impact, Everflow and CAKE: %(docs)s in the project."
            ) % {
                "example": json.dumps(TEMPLATED_SETTINGS_EXAMPLE),
                "docs": TEMPLATED_DOCS,
            }
        masked = (
            credentials_masked(connection=connection) if connection is not None else {}
        )
        settings = connection.settings if connection is not None else {}
        self.credential_names = connection_credential_names(kind=kind)
        for name in self.credential_names:
            stored = masked.get(name, "")
            if stored:
                help_text = _("Stored: %(masked)s. Leave blank to keep it.") % {
                    "masked": stored
                }
            else:
                help_text = _("Not set.")
            if connection is not None and not connection_credential_in_use(
                kind=kind, settings=settings, name=name
            ):
                help_text = f"{help_text} " + str(
                    _("Not used with this connection's authentication.")
                )
            self.fields[self.credential_field(name)] = forms.CharField(
                label=name,
                required=False,
                strip=True,
                # Never rendered back: the page holds no secret, not even masked.
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
                help_text=help_text,
            )

    @staticmethod
    def credential_field(name: str) -> str:
        return f"credential_{name}"

    def clean_settings(self):
        settings = self.cleaned_data.get("settings")
        if settings in (None, ""):
            return {}
        if not isinstance(settings, dict):
            raise forms.ValidationError(
                _(
                    'Settings must be a JSON object, as in {"time_zone": "Asia/Shanghai"}.'
                )
            )
        return settings

    def credentials(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(self.credential_field(name), "")
            for name in self.credential_names
        }


# -- Members' sign-up -----------------------------------------------------------------


# -- Signing in to the admin (WAGTAILADMIN_USER_LOGIN_FORM) ------------------------
