"""Roles: who is a creator and who is an editor, in one place.

``user_is_editor`` is the one definition of an editor (admin, API, reports, two-factor
all ask it) and its one cached answer per request. Money in the admin is not governed
by Django's per-model permissions: the actions that exist are fixed by the rules of the
ledger (an entry is never edited or deleted, a conversion only comes from its
merchant), and ``EditorsPermissionPolicy`` lets editors, and only editors, take them.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

# The groups that carry the roles (the names are data: migrations and the demo make
# them, and an administrator puts people in them).
CREATORS_GROUP = "Creators"
EDITORS_GROUP = "Editors"

# Where a user's editor status is kept for the rest of the request: every admin menu
# item, report, listing row and button asks (a request's user is its own object).
_CACHE_ATTRIBUTE = "_zhongcao_is_editor"


class EditorsPermissionPolicy(BasePermissionPolicy):
    """Editors may take ``actions`` on the model; nobody may take any other."""

    def __init__(self, model, *, actions: Iterable[str]):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and user_is_editor(user=user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions.intersection(actions)) and user_is_editor(user=user)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return get_user_model().objects.none()
        return editor_users()


def user_is_editor(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors curate, approve and publish; superusers count as editors. The one
    answer to "is this an editor?" (admin, API, reports, two-factor), remembered on
    the user object for the rest of the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    known = getattr(user, _CACHE_ATTRIBUTE, None)
    if known is None:
        known = user.groups.filter(name=EDITORS_GROUP).exists()
        setattr(user, _CACHE_ATTRIBUTE, known)
    return known


def editor_users() -> QuerySet:
    """Active users whom ``user_is_editor`` accepts: superusers and Editors."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=EDITORS_GROUP))
        .distinct()
    )
