"""Writes of two-factor sign-in: set it up, check a code, renew recovery codes, turn
it off.

Codes are checked by django-otp's devices, which throttle: after n wrong codes in a
row a device refuses every code, the right one too, for 2**(n-1) seconds
(``OTP_*_THROTTLE_FACTOR``). The count is kept on the device in the database, so it
holds across processes and servers. A TOTP code is accepted once (the device keeps
the last time step it accepted); a recovery code is deleted when used.
"""

import re
import string
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
_AUTHENTICATOR_NAME = "Authenticator app"
_RECOVERY_CODES_NAME = "Recovery codes"
# What a person may type around a code: spaces and dashes ("123 456", "abcd-efgh").
_SEPARATORS = re.compile(r"[\s-]+")


class CodeRefused(Exception):
    """A code was not accepted; ``message`` says why, for the person who typed it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CodeAccepted:
    device: Device
    recovery_code_used: bool


def _normalized(code: str) -> str:
    return _SEPARATORS.sub("", code).lower()


def _check(device: Device, code: str) -> None:
    """Check ``code`` on ``device`` (locked by the caller); raise CodeRefused.

    Raised after the transaction that counted the failure: raising inside it would
    roll the throttle's count back."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        seconds = max(
            1, int((details["locked_until"] - timezone.now()).total_seconds() + 0.999)
        )
        raise CodeRefused(
            ngettext(
                "Too many wrong codes: try again in %(seconds)d second.",
                "Too many wrong codes: try again in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds}
        )
    if not device.verify_token(code):
        raise CodeRefused(_("That code is not right. Try again."))


def two_factor_code_check(*, user: AbstractBaseUser, code: str) -> CodeAccepted:
    """Check a code the user typed: six digits from their authenticator app, or one
    of their recovery codes (used up by this). Raises CodeRefused."""
    code = _normalized(code)
    is_totp = code.isdigit() and len(code) <= 8
    if not code or len(code) > 16:
        raise CodeRefused(_("That code is not right. Try again."))
    refused = None
    with transaction.atomic():
        model = TOTPDevice if is_totp else StaticDevice
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            refused = CodeRefused(_("That code is not right. Try again."))
        else:
            try:
                _check(device, code)
            except CodeRefused as error:
                refused = error
    if refused is not None:
        raise refused
    return CodeAccepted(device=device, recovery_code_used=not is_totp)


def authenticator_start(
    *, user: AbstractBaseUser, device_id: int | None = None
) -> TOTPDevice:
    """The authenticator being set up in one session: ``device_id`` names it once
    made (so that the QR code a person scanned stays valid when the page is
    reloaded); else a new one. Each session sets up its own: a secret shown to one
    session (someone else's, with the password only) is never the one another
    session confirms."""
    if device_id is not None:
        pending = TOTPDevice.objects.filter(
            pk=device_id, user=user, confirmed=False
        ).first()
        if pending is not None:
            return pending
    return TOTPDevice.objects.create(
        user=user, name=_AUTHENTICATOR_NAME, confirmed=False
    )


def _recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    # The same device with new codes: a session signed in with one of the old codes
    # is verified by this device, and stays signed in.
    devices = list(StaticDevice.objects.filter(user=user).order_by("pk"))
    if devices:
        device = devices[0]
        StaticDevice.objects.filter(pk__in=[d.pk for d in devices[1:]]).delete()
        StaticToken.objects.filter(device=device).delete()
    else:
        device = StaticDevice.objects.create(user=user, name=_RECOVERY_CODES_NAME)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        # A code of digits alone would be read as an authenticator's code.
        if code not in codes and not set(code) <= set(string.digits):
            codes.append(code)
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def two_factor_enable(
    *, user: AbstractBaseUser, device_id: int | None, code: str
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator this session is setting up (``device_id``, from
    authenticator_start) with a code from it; then two-factor sign-in is on, and
    every other authenticator of the user, set up elsewhere or not, is gone.
    Returns the device and the recovery codes, to show once. Raises CodeRefused."""
    code = _normalized(code)
    refused = None
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        if device is None:
            refused = CodeRefused(
                _("Start again: this set-up is no longer in progress.")
            )
        else:
            try:
                _check(device, code)
            except CodeRefused as error:
                refused = error
            else:
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _recovery_codes_replace(user=user)
    if refused is not None:
        raise refused
    return device, codes


def recovery_codes_renew(*, user: AbstractBaseUser, code: str) -> list[str]:
    """New recovery codes in place of the old ones, on a current code. Raises
    CodeRefused."""
    two_factor_code_check(user=user, code=code)
    with transaction.atomic():
        return _recovery_codes_replace(user=user)


def two_factor_disable(*, user: AbstractBaseUser, code: str) -> None:
    """Turn two-factor sign-in off, on a current code. Raises CodeRefused."""
    two_factor_code_check(user=user, code=code)
    two_factor_reset(user=user)


def two_factor_reset(*, user: AbstractBaseUser) -> int:
    """Remove the user's authenticators and recovery codes, without a code: for an
    operator helping someone who lost both (``manage.py two_factor_reset``).
    Returns how many devices were removed."""
    removed = 0
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
    return removed
