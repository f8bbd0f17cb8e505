"""Admin views of creators."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import OwnProfileForm
from .selectors import creator_profile_for_user
from .services import creator_profile_update


class OwnProfileView(WagtailAdminTemplateMixin, FormView):
    """A creator edits their own public profile; nobody else's is reachable here."""

    form_class = OwnProfileForm
    template_name = "affiliates/own_profile.html"
    page_title = _("My creator profile")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        self.profile = creator_profile_for_user(user=request.user)
        if self.profile is None:
            raise Http404(_("You have no creator profile."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.profile}

    def form_valid(self, form):
        creator_profile_update(profile=self.profile, **form.cleaned_data)
        messages.success(self.request, _("Your profile has been saved."))
        return redirect("affiliates_own_profile")
