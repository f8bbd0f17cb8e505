"""Admin forms of the catalog: a slug is made from the name when left empty."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .slugs import slug_base, slug_unique


class SlugFromNameForm(WagtailAdminModelForm):
    """Leaves the slug optional and, when it is empty, makes one from the name
    (products.slugs), unique among the model's rows."""

    slug_fallback = "item"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Leave empty to make one from the name, such as jingxuan from "
                "“京选商城 JingXuan”."
            )

    def slug_words(self) -> list[str]:
        raise NotImplementedError

    def clean(self):
        cleaned_data = super().clean()
        if "slug" in self.fields and not cleaned_data.get("slug"):
            cleaned_data["slug"] = slug_unique(
                model=self._meta.model,
                base=slug_base(*self.slug_words()),
                fallback=self.slug_fallback,
                exclude_pk=self.instance.pk,
            )
        return cleaned_data


class MerchantForm(SlugFromNameForm):
    slug_fallback = "merchant"

    def slug_words(self) -> list[str]:
        return [self.cleaned_data.get("name") or ""]


class ProductForm(SlugFromNameForm):
    slug_fallback = "product"

    def slug_words(self) -> list[str]:
        title = self.cleaned_data.get("title") or ""
        brand = self.cleaned_data.get("brand") or ""
        if brand and brand.casefold() in title.casefold():
            brand = ""
        return [brand, title]
