"""Who may do what with money in the admin: editors, and only what the ledger allows.

Money is not governed by Django's per-model permissions: the actions that exist are
fixed by the rules of the ledger (an entry is never edited or deleted, a conversion
only comes from its merchant), and who may take them is the one definition of an
editor that the API also uses (``selectors.user_is_editor``).
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from affiliates.models.creators import EDITORS_GROUP

# Where a user's editor status is kept for the rest of the request: a listing asks
# the policy once per row and button.
_CACHE_ATTRIBUTE = "_affiliates_is_editor"


class EditorsPermissionPolicy(BasePermissionPolicy):
    """Editors may take ``actions`` on the model; nobody may take any other."""

    def __init__(self, model, *, actions: Iterable[str]):
        super().__init__(model)
        self.actions = frozenset(actions)

    def _is_editor(self, user) -> bool:
        cached = getattr(user, _CACHE_ATTRIBUTE, None)
        if cached is None:
            cached = user_is_editor(user=user)
            if user.is_authenticated:
                setattr(user, _CACHE_ATTRIBUTE, cached)
        return cached

    def user_has_permission(self, user, action):
        return action in self.actions and self._is_editor(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions.intersection(actions)) and self._is_editor(user)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return get_user_model().objects.none()
        return editor_users()


def user_is_editor(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors curate, approve and publish; superusers count as editors. Remembered
    on the user object (a request's user is its own object), since every admin menu
    item and report asks."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    known = getattr(user, "_zhongcao_is_editor", None)
    if known is None:
        known = user.groups.filter(name=EDITORS_GROUP).exists()
        user._zhongcao_is_editor = known
    return known


def editor_users() -> QuerySet:
    """Active users whom ``user_is_editor`` accepts: superusers and Editors."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=EDITORS_GROUP))
        .distinct()
    )
