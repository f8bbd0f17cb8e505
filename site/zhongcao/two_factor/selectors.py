"""Reads of two-factor sign-in: who has it, who must have it, and what the
enrolment page shows of a new authenticator (never logged, never stored elsewhere)."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from affiliates.roles import user_is_editor


def two_factor_device(*, user: AbstractBaseUser | AnonymousUser) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None: two-factor sign-in is on for
    them exactly when they have one."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_enabled(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may not use the admin without two-factor sign-in: editors
    (who approve commissions and pay creators) when the setting says so."""
    return settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS and user_is_editor(user=user)


def api_token_allowed(*, user: AbstractBaseUser) -> bool:
    """Whether the user's API tokens answer: not for an editor who must set up
    two-factor sign-in and has not (their session counts as signed out too; a token
    made for them by someone else, or before the rule, must not stand in for it)."""
    return not two_factor_required(user=user) or two_factor_enabled(user=user)


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def totp_secret_display(*, device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in
    groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def totp_qr_svg(*, device: TOTPDevice, title: str) -> str:
    """The device's otpauth:// URL as a QR code: an SVG element to put in the page
    as it is (no image request, no script), dark on white in either admin theme."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, svgclass="two-factor-qr"
    )
