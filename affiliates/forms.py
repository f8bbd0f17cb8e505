"""Admin forms of creators."""

from django import forms
from wagtail.images.widgets import AdminImageChooser

from .models import CreatorProfile


class OwnProfileForm(forms.ModelForm):
    """What a creator may change about themselves: not their kind, referrer or user."""

    class Meta:
        model = CreatorProfile
        fields = ["public_name", "bio", "avatar"]
        widgets = {
            "avatar": AdminImageChooser,
            "bio": forms.Textarea(attrs={"rows": 4}),
        }
