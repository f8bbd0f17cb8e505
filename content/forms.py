"""Admin forms of articles."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from affiliates.creators.selectors import creator_profile_for_user
from affiliates.models import CreatorProfile
from affiliates.roles import user_is_editor
from content.slugs import article_slug_free


class ArticlePageForm(WagtailAdminPageForm):
    """An article's author is a creator profile: editors choose it, creators are it.

    For a creator, the author field shows their own profile and cannot be changed:
    whatever a crafted request posts, the form keeps the creator as author.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # Made from the title when left empty (clean_slug): a Chinese title whose
            # slug the browser did not fill in must not stop a draft.
            self.fields["slug"].required = False
        user = self.for_user
        self.user_is_editor = user is not None and user_is_editor(user=user)
        if "author" not in self.fields or self.user_is_editor:
            return
        own_profile = creator_profile_for_user(user=user) if user is not None else None
        field = self.fields["author"]
        field.queryset = CreatorProfile.objects.filter(
            pk=own_profile.pk if own_profile else None
        )
        field.disabled = True
        field.required = False
        field.help_text = _("You are the author of the articles you write.")
        self.own_profile = own_profile
        if own_profile is not None:
            self.initial["author"] = own_profile.pk

    def clean_slug(self):
        """A new or never-published article gets a free slug rather than an error
        (content.slugs): autosave's drafts must not block the next article."""
        slug = self.cleaned_data.get("slug") or slugify(
            self.cleaned_data.get("title") or "", allow_unicode=True
        )
        if self.parent_page is None:
            return slug
        return article_slug_free(
            page=self.instance, parent=self.parent_page, slug=slug, user=self.for_user
        )

    def get_field_updates_for_resave(self):
        # After an autosave, the page still open in the browser takes the slug the
        # server gave, so that the next save asks for the same one.
        updates = list(super().get_field_updates_for_resave())
        if "slug" in self.fields and self.data.get("slug") != self.instance.slug:
            updates.append(("slug", self.instance.slug))
        return updates

    def clean(self):
        cleaned_data = super().clean()
        if "author" not in self.fields:
            return cleaned_data
        if self.user_is_editor:
            if not cleaned_data.get("author"):
                self.add_error(
                    "author", _("Choose the creator who wrote this article.")
                )
            return cleaned_data
        if self.own_profile is None:
            raise forms.ValidationError(
                _(
                    "Your account has no creator profile yet; ask an editor to create one."
                )
            )
        cleaned_data["author"] = self.own_profile
        return cleaned_data
