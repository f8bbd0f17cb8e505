"""Creators' writes: enrolling, creating and updating a creator's profile, and a
person's language."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.users.models import UserProfile

from affiliates.creators.people import time_zone_for_language
from affiliates.models import CommissionSettings, CreatorKind, CreatorProfile
from affiliates.models.payout_methods import PayoutDetails, PayoutMethod, details_clean
from affiliates.roles import CREATORS_GROUP
from products.money import percent_text


def creator_enroll(*, profile: CreatorProfile) -> CreatorProfile:
    """Put a saved profile's user in the Creators group, which lets them write, and
    show them by their public name everywhere Wagtail names a user."""
    group, _created = Group.objects.get_or_create(name=CREATORS_GROUP)
    profile.user.groups.add(group)
    _user_name_sync(profile=profile)
    return profile


def creator_author_share_check(*, author_share: Decimal | None) -> None:
    """Refuse a creator's own author share that leaves no room for both referral
    overrides, whoever refers the creator now or later: together they never exceed
    100 %. None (the share of the creator's kind) is always fine.

    Raises ``ValidationError`` naming ``author_share``. The other direction, overrides
    raised above what creators' own shares leave, is refused by
    ``CommissionSettings.clean``."""
    if author_share is None:
        return
    commission = CommissionSettings.load()
    limit = 100 - commission.override_level_1 - commission.override_level_2
    if author_share > limit:
        raise ValidationError(
            {
                "author_share": ValidationError(
                    _(
                        "With the referral overrides (%(level_1)s%% and "
                        "%(level_2)s%%), an author's share is at most %(limit)s%%."
                    ),
                    params={
                        "level_1": percent_text(commission.override_level_1),
                        "level_2": percent_text(commission.override_level_2),
                        "limit": percent_text(limit),
                    },
                )
            }
        )


def _user_name_sync(*, profile: CreatorProfile) -> None:
    """Wagtail names a user by ``get_full_name()`` (moderation, history, page
    owners, the greeting of its e-mails): make that the public name."""
    user = profile.user
    name = profile.public_name[: user._meta.get_field("first_name").max_length]
    if (user.first_name, user.last_name) != (name, ""):
        user.first_name, user.last_name = name, ""
        user.save(update_fields=["first_name", "last_name"])


def person_locale_set(*, user, language: str) -> None:
    """Give ``user`` the admin and e-mails in ``language`` ("zh-hans", "en"), and
    the time zone that goes with it (Asia/Shanghai for Chinese), where they have
    not chosen their own. Unknown languages are ignored."""
    codes = {code.lower() for code, _name in settings.LANGUAGES}
    language = (language or "").lower()
    if language not in codes:
        return
    profile = UserProfile.get_for_user(user)
    changed = []
    if not profile.preferred_language:
        profile.preferred_language = language
        changed.append("preferred_language")
    zone = time_zone_for_language(language)
    if zone and not profile.current_time_zone:
        profile.current_time_zone = zone
        changed.append("current_time_zone")
    if changed:
        profile.save(update_fields=changed)


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
    language: str = "",
) -> CreatorProfile:
    """Create a user who can log in to the admin as a creator, with their profile;
    in ``language`` (and its time zone), if given."""
    user_model = get_user_model()
    user = user_model(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    person_locale_set(user=user, language=language)
    return creator_profile_create(
        user=user,
        public_name=public_name,
        kind=kind,
        slug=slug,
        bio=bio,
        referred_by=referred_by,
    )


@transaction.atomic
def creator_profile_create(
    *,
    user,
    public_name: str,
    kind: CreatorKind | str = CreatorKind.MEMBER,
    slug: str = "",
    bio: str = "",
    referred_by: CreatorProfile | None = None,
) -> CreatorProfile:
    """Give an existing user a creator profile and put them in the Creators group.

    Validates the profile first, which checks the referral rules (no loops)."""
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
    _user_name_sync(profile=profile)
    return profile


def payout_method_set(
    *, creator: CreatorProfile, kind: str, details: PayoutDetails, user=None
) -> PayoutMethod:
    """Set how ``creator`` is paid (their only method; a new one replaces it).

    ``details`` are checked and normalised for ``kind`` (``ValidationError`` naming
    the field) and stored encrypted. The change is in the creator's history, without
    the account itself.
    """
    cleaned = details_clean(kind=kind, details=details)
    with transaction.atomic():
        method = PayoutMethod.objects.select_for_update().filter(
            creator=creator
        ).first() or PayoutMethod(creator=creator)
        method.kind = kind
        method.details = cleaned
        method.save()
    log(creator, "affiliates.payout_method", user=user)
    return method
