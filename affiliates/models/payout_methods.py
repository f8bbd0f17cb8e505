"""How a creator is paid: an Alipay account, a WeChat Pay account or a bank account.

The account details are encrypted at rest (products.encryption); only the kind is
stored in clear. Editors see them masked (``PayoutMethod.masked``) everywhere but in
a payout run's export, which the bank needs in full.
"""

import json
import re
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.creators import CreatorProfile
from products.encryption import DecryptionError, text_decrypt, text_encrypt


class PayoutMethodKind(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    BANK = "bank", _("Bank account")


# Alipay and WeChat Pay accounts are a mainland mobile number or an e-mail address
# (Alipay), or a WeChat ID: 6-20 characters, a letter first, then letters, digits,
# "_" or "-" (WeChat's own rule).
MOBILE = re.compile(r"1[3-9]\d{9}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")
# A bank account number: 8 to 30 digits (Chinese debit cards have 16-19, company
# and foreign accounts others), typed with or without spaces or hyphens.
ACCOUNT_NUMBER = re.compile(r"\d{8,30}")


@dataclass(frozen=True)
class PayoutDetails:
    """The account, in clear: what the bank's transfer needs."""

    holder_name: str
    account: str = ""  # Alipay / WeChat Pay
    bank_name: str = ""  # bank account
    account_number: str = ""  # bank account, digits only


def details_clean(*, kind: str, details: PayoutDetails) -> PayoutDetails:
    """``details`` normalised for ``kind``, or a ``ValidationError`` naming the
    field that is wrong."""
    holder = " ".join(details.holder_name.split())
    errors = {}
    if not holder:
        errors["holder_name"] = _(
            "Enter the account holder's name, as the account has it."
        )
    elif len(holder) > 100:
        errors["holder_name"] = _("At most 100 characters.")
    if kind == PayoutMethodKind.BANK:
        number = re.sub(r"[\s-]", "", details.account_number)
        bank = " ".join(details.bank_name.split())
        if not ACCOUNT_NUMBER.fullmatch(number):
            errors["account_number"] = _(
                "Enter the account number: 8 to 30 digits (spaces are fine)."
            )
        if not bank:
            errors["bank_name"] = _("Enter the bank (and branch, if it needs one).")
        elif len(bank) > 100:
            errors["bank_name"] = _("At most 100 characters.")
        cleaned = PayoutDetails(
            holder_name=holder, bank_name=bank, account_number=number
        )
    elif kind in (PayoutMethodKind.ALIPAY, PayoutMethodKind.WECHAT):
        typed = details.account.strip()
        phone = re.sub(r"[\s-]", "", typed).removeprefix("+86")
        if MOBILE.fullmatch(phone):
            account = phone
        elif kind == PayoutMethodKind.ALIPAY and EMAIL.fullmatch(typed):
            account = typed
        elif kind == PayoutMethodKind.WECHAT and WECHAT_ID.fullmatch(typed):
            account = typed
        else:
            account = typed
            errors["account"] = (
                _("Enter the Alipay account: a mobile number or an e-mail address.")
                if kind == PayoutMethodKind.ALIPAY
                else _(
                    "Enter the WeChat account: a mobile number or a WeChat ID "
                    "(6-20 letters, digits, _ or -, a letter first)."
                )
            )
        cleaned = PayoutDetails(holder_name=holder, account=account)
    else:
        raise ValidationError({"kind": _("Choose how you are paid.")})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _mask_middle(text: str, *, keep_start: int, keep_end: int) -> str:
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + "*" * hidden + text[len(text) - keep_end :]


def account_mask(*, kind: str, details: PayoutDetails) -> str:
    """The account as editors see it: "6222 **** **** 1234", "138****5678",
    "li***@example.com", "wx***01". Enough to tell two accounts apart, never
    enough to pay one."""
    if kind == PayoutMethodKind.BANK:
        number = details.account_number
        return f"{number[:4]} **** **** {number[-4:]}"
    account = details.account
    if MOBILE.fullmatch(account):
        return _mask_middle(account, keep_start=3, keep_end=4)
    if "@" in account:
        local, domain = account.split("@", 1)
        return f"{local[:2]}***@{domain}"
    return f"{account[:2]}***{account[-2:]}"


def holder_mask(name: str) -> str:
    """林小鹿 → 林**; Lin Xiaolu → L*** X*****: the first letter of each word."""
    words = name.split()
    if len(words) == 1:
        return name[:1] + "*" * (len(name) - 1)
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in words)


class PayoutMethod(models.Model):
    """A creator's one payout method; set by the creator only (*Payout method*)."""

    creator = models.OneToOneField(
        CreatorProfile,
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="payout_method",
    )
    kind = models.CharField(
        _("paid by"), max_length=10, choices=PayoutMethodKind.choices
    )
    # JSON of PayoutDetails, encrypted (a Fernet token); never in clear.
    details_encrypted = models.TextField(editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payout method")
        verbose_name_plural = _("payout methods")

    def __str__(self) -> str:
        return self.masked

    @property
    def details(self) -> PayoutDetails:
        return PayoutDetails(**json.loads(text_decrypt(self.details_encrypted)))

    @details.setter
    def details(self, value: PayoutDetails) -> None:
        self.details_encrypted = text_encrypt(json.dumps(asdict(value)))

    @property
    def masked(self) -> str:
        """ "Bank account · 招商银行 · 林** · 6222 **** **** 1234", for editors."""
        try:
            details = self.details
        except DecryptionError:
            return str(_("Unreadable: enter it again"))
        parts = [str(self.get_kind_display())]
        if self.kind == PayoutMethodKind.BANK:
            parts.append(details.bank_name)
        parts += [
            holder_mask(details.holder_name),
            account_mask(kind=self.kind, details=details),
        ]
        return " · ".join(parts)
