"""Registers creators in the Wagtail admin; no logic lives here."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from .models import CreatorProfile
from .services import creator_enroll


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
