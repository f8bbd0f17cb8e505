"""Reads about creators and roles."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import EDITORS_GROUP, CreatorProfile


def user_is_editor(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors curate, approve and publish; superusers count as editors."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists()


def creator_profile_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> CreatorProfile | None:
    if not user.is_authenticated:
        return None
    return CreatorProfile.objects.filter(user=user).first()
