"""Panels of a creator's admin home: their invite link and their referral tree.

Each shows the signed-in user's own data only: the creator comes from the request's
user, never from a parameter. The figures come from selectors."""

from urllib.parse import urlencode

from django.urls import reverse
from wagtail.admin.ui.components import Component

from .models import CreatorProfile
from .selectors import creator_profile_for_user, creator_referral_tree


def creator_invite_path(*, creator: CreatorProfile) -> str:
    """The path of a creator's invite link: the sign-up form with their slug as code."""
    return f"{reverse('signup')}?{urlencode({'ref': creator.slug})}"


class InviteLinkPanel(Component):
    name = "affiliates_invite_link"
    template_name = "affiliates/admin/home_invite_link.html"
    order = 60

    def __init__(self, *, creator: CreatorProfile):
        self.creator = creator

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        return {
            "creator": self.creator,
            "invite_url": request.build_absolute_uri(
                creator_invite_path(creator=self.creator)
            ),
        }


class ReferralTreePanel(Component):
    name = "affiliates_referral_tree"
    template_name = "affiliates/admin/home_referral_tree.html"
    order = 61

    def __init__(self, *, creator: CreatorProfile):
        self.creator = creator

    def get_context_data(self, parent_context):
        return {"tree": creator_referral_tree(creator=self.creator)}


def creator_home_panels(*, request) -> list[Component]:
    """The panels for the admin home of a creator; none for anyone else."""
    creator = creator_profile_for_user(user=request.user)
    if creator is None:
        return []
    return [InviteLinkPanel(creator=creator), ReferralTreePanel(creator=creator)]
