"""Registers creators in the Wagtail admin; no logic lives here."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from .models import CreatorProfile
from .selectors import creator_profile_for_user
from .services import creator_enroll
from .views import OwnProfileView


class CreatorProfileCreateView(CreateView):
    def save_instance(self):
        return creator_enroll(profile=super().save_instance())


class CreatorProfileEditView(EditView):
    def save_instance(self):
        return creator_enroll(profile=super().save_instance())


class CreatorProfileViewSet(SnippetViewSet):
    model = CreatorProfile
    icon = "user"
    menu_label = _("Creators")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["public_name", "kind", "referred_by", "user"]
    list_filter = ["kind"]
    add_view_class = CreatorProfileCreateView
    edit_view_class = CreatorProfileEditView


register_snippet(CreatorProfileViewSet)


@hooks.register("register_admin_urls")
def _own_profile_url():
    return [
        path("my-profile/", OwnProfileView.as_view(), name="affiliates_own_profile")
    ]


class OwnProfileMenuItem(MenuItem):
    def is_shown(self, request):
        return creator_profile_for_user(user=request.user) is not None


@hooks.register("register_admin_menu_item")
def _own_profile_menu_item():
    return OwnProfileMenuItem(
        _("My profile"), reverse("affiliates_own_profile"), icon_name="user", order=900
    )
