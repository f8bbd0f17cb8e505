"""Writes about creators."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from .models import CREATORS_GROUP, CreatorKind, CreatorProfile


def creator_enroll(*, profile: CreatorProfile) -> CreatorProfile:
    """Put a saved profile's user in the Creators group, which lets them write."""
    group, _created = Group.objects.get_or_create(name=CREATORS_GROUP)
    profile.user.groups.add(group)
    return profile


@transaction.atomic
def creator_create(
    *,
    username: str,
    password: str | None,
    public_name: str,
    kind: CreatorKind | str = CreatorKind.MEMBER,
    email: str = "",
    slug: str = "",
    bio: str = "",
    referred_by: CreatorProfile | None = None,
) -> CreatorProfile:
    """Create a user who can log in to the admin as a creator, with their profile."""
    user_model = get_user_model()
    user = user_model(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = CreatorProfile(
        user=user,
        public_name=public_name,
        slug=slug,
        bio=bio,
        kind=kind,
        referred_by=referred_by,
    )
    if not profile.slug:
        profile.slug = slugify(public_name, allow_unicode=True)
    profile.full_clean()
    profile.save()
    return creator_enroll(profile=profile)


def creator_profile_update(
    *, profile: CreatorProfile, public_name: str, bio: str, avatar
) -> CreatorProfile:
    """Change what a creator may change about themselves; validates first."""
    profile.public_name = public_name
    profile.bio = bio
    profile.avatar = avatar
    profile.full_clean()
    profile.save(update_fields=["public_name", "bio", "avatar"])
    return profile
