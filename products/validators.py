"""Validation rules of the catalog, shared by models, forms and services."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .currencies import is_active_currency

HOSTNAME_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

percent_validators = [
    MinValueValidator(
        Decimal("0"), message=_("A commission rate cannot be below 0%%.")
    ),
    MaxValueValidator(
        Decimal("100"), message=_("A commission rate cannot exceed 100%%.")
    ),
]


def validate_currency(value: str) -> None:
    if not is_active_currency(value):
        raise ValidationError(
            _(
                "%(value)s is not an ISO 4217 currency code in use (for example CNY, USD)."
            ),
            params={"value": value},
            code="currency",
        )


def normalize_domain(value: str) -> str:
    """Lower-case, IDNA-encode and check one host name; raise ValidationError if bad."""
    domain = value.strip().lower().rstrip(".")
    if domain.startswith("*."):
        domain = domain[2:]
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValidationError(
            _("%(value)s is not a valid domain."),
            params={"value": value},
            code="domain",
        ) from error
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(HOSTNAME_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("%(value)s is not a valid domain such as shop.example.com."),
            params={"value": value},
            code="domain",
        )
    return ascii_domain


def parse_domains(text: str) -> list[str]:
    """Domains separated by newlines, commas or spaces, normalized and de-duplicated."""
    domains: list[str] = []
    for item in re.split(r"[\s,]+", text or ""):
        if item:
            domain = normalize_domain(item)
            if domain not in domains:
                domains.append(domain)
    return domains


def host_is_allowed(host: str | None, domains: list[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def validate_offer_url(url: str, domains: list[str]) -> None:
    """An offer URL must be http(s) and point at one of its merchant's domains."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            _("The offer URL must start with http:// or https://."), code="scheme"
        )
    if parts.username or parts.password:
        raise ValidationError(
            _("The offer URL must not contain a user name or password."),
            code="userinfo",
        )
    if not host_is_allowed(parts.hostname, domains):
        raise ValidationError(
            _("%(host)s is not one of this merchant's domains (%(domains)s)."),
            params={"host": parts.hostname, "domains": ", ".join(domains) or "-"},
            code="domain",
        )


def validate_gtin(value: str) -> None:
    """GTIN-8, -12 (UPC), -13 (EAN) or -14 with a correct check digit."""
    if not value:
        return
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise ValidationError(
            _("A GTIN has 8, 12, 13 or 14 digits."), code="gtin_length"
        )
    digits = [int(char) for char in value]
    body, check = digits[:-1], digits[-1]
    total = sum(
        digit * (3 if index % 2 == 0 else 1)
        for index, digit in enumerate(reversed(body))
    )
    if (10 - total % 10) % 10 != check:
        raise ValidationError(_("The GTIN's check digit is wrong."), code="gtin_check")
