"""How a person is shown and spoken to, in one place: the public name (never a
username where a creator has one), and the language and time zone they get.

Wagtail shows a user by ``get_full_name()`` (moderation queue, page owners,
history, workflow e-mails' "Hello …"): ``creator_enroll`` and
``creator_profile_update`` keep a creator's first name equal to their public
name, so every Wagtail screen shows that too.
"""

from django.contrib.auth.models import AbstractBaseUser

# Where a Chinese-speaking creator or editor sees their days unless they choose
# another zone (Account → Preferences).
CHINESE_TIME_ZONE = "Asia/Shanghai"


def public_name(user: AbstractBaseUser | None) -> str:
    """The name to show for ``user``: their creator profile's public name, else
    their full name, else their username. Empty for nobody."""
    if user is None:
        return ""
    try:
        profile = user.creator_profile
    except AttributeError:  # no profile (a RelatedObjectDoesNotExist)
        profile = None
    if profile is not None and profile.public_name:
        return profile.public_name
    return user.get_full_name() or user.get_username()


def time_zone_for_language(language: str) -> str:
    """The time zone a person who speaks ``language`` gets by default ("" for the
    site's own, settings.TIME_ZONE)."""
    return CHINESE_TIME_ZONE if language.lower().startswith("zh") else ""


def time_zone_default_for_language(sender, instance, **kwargs) -> None:
    """``pre_save`` of Wagtail's UserProfile: anyone (creator or editor) whose admin
    speaks Chinese and who has not chosen a time zone gets Asia/Shanghai, also when
    they switch language later in Account → Preferences."""
    if not instance.current_time_zone:
        zone = time_zone_for_language(instance.preferred_language or "")
        if zone:
            instance.current_time_zone = zone
