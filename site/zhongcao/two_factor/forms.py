from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the authenticator app or, where ``recovery`` allows, a recovery
    code; the view has it checked (services) and reports a refusal on the field."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": "",
            }
        ),
    )

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].help_text = _(
                "The 6-digit code your authenticator app shows, or one of your "
                "recovery codes."
            )
        else:
            self.fields["code"].help_text = _(
                "The 6-digit code your authenticator app shows."
            )
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
