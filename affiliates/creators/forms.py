"""Creators' forms: sign-up, sign-in, their own profile and payout method."""

from dataclasses import asdict

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.images.widgets import AdminImageChooser

from affiliates.creators.signup import member_signup_pending
from affiliates.models.creators import CreatorProfile
from affiliates.models.payout_methods import (
    PayoutDetails,
    PayoutMethod,
    PayoutMethodKind,
)
from products.encryption import DecryptionError


class OwnProfileForm(forms.ModelForm):
    """What a creator may change about themselves: not their kind, referrer or user."""

    class Meta:
        model = CreatorProfile
        fields = ["public_name", "bio", "avatar"]
        widgets = {
            "avatar": AdminImageChooser,
            "bio": forms.Textarea(attrs={"rows": 4}),
        }


class PayoutMethodForm(forms.Form):
    """How a creator is paid; checked by ``payout_method_set`` (each error is shown
    next to its field). Only the fields of the chosen kind are read."""

    kind = forms.ChoiceField(
        label=_("Paid by"), choices=PayoutMethodKind.choices, widget=forms.RadioSelect
    )
    holder_name = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        required=False,
        help_text=_("The name on the account, as the bank or app has it."),
    )
    account = forms.CharField(
        label=_("Alipay or WeChat account"),
        max_length=200,
        required=False,
        help_text=_("A mobile number or e-mail address (Alipay), or a WeChat ID."),
    )
    bank_name = forms.CharField(
        label=_("Bank"),
        max_length=200,
        required=False,
        help_text=_("The bank and, if it needs one, the branch (开户行)."),
    )
    account_number = forms.CharField(
        label=_("Account number"), max_length=60, required=False
    )

    @classmethod
    def initial_for(cls, method: PayoutMethod | None) -> dict:
        if method is None:
            return {}
        try:
            details = method.details
        except DecryptionError:
            return {"kind": method.kind}
        return {"kind": method.kind, **asdict(details)}

    def details(self) -> PayoutDetails:
        data = self.cleaned_data
        return PayoutDetails(
            holder_name=data["holder_name"],
            account=data["account"],
            bank_name=data["bank_name"],
            account_number=data["account_number"],
        )


class SignupForm(forms.Form):
    """A member's public sign-up. The address becomes the login name too."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=150,
        help_text=_("You log in with it; we send the confirmation link there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    public_name = forms.CharField(
        label=_("Public name"),
        max_length=100,
        help_text=_("Shown on your articles."),
    )
    accept_terms = forms.BooleanField(
        label=_(
            "I accept the member terms: I earn commission only from real sales made "
            "through my articles, never from inviting people, and my articles say "
            "openly that they earn commission."
        ),
        error_messages={"required": _("Please accept the member terms to sign up.")},
    )
    # The inviter's code, carried from /join/?ref=… ; checked again on submit.
    ref = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        try:
            UnicodeUsernameValidator()(email)
        except ValidationError as error:
            raise ValidationError(
                _("This address cannot be used as a login name; please use another.")
            ) from error
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            user = get_user_model()(
                username=cleaned.get("email", ""), email=cleaned.get("email", "")
            )
            try:
                password_validation.validate_password(password, user=user)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class SignupResendForm(forms.Form):
    """Ask for a new confirmation link. The public name is asked again because a
    sign-up keeps nothing but the address and password until it is confirmed."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=150,
        help_text=_("The address you signed up with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    public_name = forms.CharField(
        label=_("Public name"),
        max_length=100,
        help_text=_("Shown on your articles."),
    )


class LoginForm(WagtailLoginForm):
    """Wagtail's sign-in form, for an e-mail address or a user name
    (affiliates.creators.backends), that tells a member who has not confirmed their sign-up
    to do so instead of saying that the password did not match."""

    error_messages = {
        **WagtailLoginForm.error_messages,
        "invalid_login": _(
            "Your email address or username and password didn't match. Please try "
            "again."
        ),
        "unconfirmed": _(
            "Your sign-up is not confirmed yet: open the confirmation link we sent "
            "to your email address, then sign in."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = _("Email or username")
        field.widget.attrs["placeholder"] = _("Enter your email address or username")
        field.widget.attrs["autocomplete"] = "username"
        self.unconfirmed = False

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) != "invalid_login":
                raise
            if member_signup_pending(
                login=self.cleaned_data.get("username") or "",
                password=self.cleaned_data.get("password") or "",
            ):
                self.unconfirmed = True
                raise ValidationError(
                    self.error_messages["unconfirmed"], code="unconfirmed"
                ) from error
            raise
