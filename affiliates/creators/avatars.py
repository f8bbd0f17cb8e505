"""The admin's avatars, all from our own origin: no request to Gravatar (unreachable
from mainland China, and it would send each editor's e-mail hash abroad).

A person's avatar is the one they uploaded in Wagtail's account settings, else their
creator profile's avatar, else their initial drawn on a colour of their own, as an
SVG in the page (a ``data:`` URL: no request at all). Wagtail asks through its
``get_avatar_url`` hook (registered in wagtail_hooks).
"""

import zlib
from urllib.parse import quote

from django.contrib.auth.models import AbstractBaseUser
from django.utils.html import escape

from affiliates.models import CreatorProfile

# Backgrounds for initials, dark enough for white text (WCAG AA at avatar sizes).
INITIAL_COLOURS = (
    "#0f6e6e",
    "#2f5d8a",
    "#6b3fa0",
    "#a03f6b",
    "#8a4b16",
    "#3f7a2f",
    "#5a5a5a",
    "#b03a2e",
)


def user_display_name(*, user: AbstractBaseUser) -> str:
    """The name an avatar's initial comes from: public name, full name, user name."""
    profile = CreatorProfile.objects.filter(user=user).only("public_name").first()
    if profile is not None and profile.public_name.strip():
        return profile.public_name.strip()
    full_name = getattr(user, "get_full_name", lambda: "")().strip()
    return full_name or user.get_username()


def initial_avatar_url(*, name: str, key: int) -> str:
    """A ``data:`` URL of an SVG circle with the first letter of ``name``."""
    initial = escape(name.strip()[:1].upper() or "?")
    colour = INITIAL_COLOURS[key % len(INITIAL_COLOURS)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<circle cx="32" cy="32" r="32" fill="{colour}"/>'
        '<text x="32" y="32" dy=".35em" text-anchor="middle" fill="#fff" '
        "font-family=\"system-ui,-apple-system,'PingFang SC','Microsoft YaHei',"
        f'sans-serif" font-size="30">{initial}</text></svg>'
    )
    return "data:image/svg+xml;charset=utf-8," + quote(svg)


def user_avatar_url(*, user: AbstractBaseUser, size: int = 50) -> str | None:
    """The admin avatar's URL for ``user``, or None to let Wagtail show the one
    uploaded in the account settings."""
    if not getattr(user, "pk", None):
        return None
    profile = getattr(user, "wagtail_userprofile", None)
    if profile is not None and profile.avatar:
        return None
    creator = (
        CreatorProfile.objects.filter(user=user, avatar__isnull=False)
        .select_related("avatar")
        .first()
    )
    if creator is not None:
        # Twice the size, as Wagtail asks Gravatar for, for high-density screens.
        side = max(int(size), 1) * 2
        return creator.avatar.get_rendition(f"fill-{side}x{side}").url
    key = zlib.crc32(str(user.pk).encode())
    return initial_avatar_url(name=user_display_name(user=user), key=key)


def avatar_url_hook(user, size):
    """Wagtail's ``get_avatar_url`` hook, which passes its arguments by position."""
    return user_avatar_url(user=user, size=size)
