"""Reads of the content admin: which kinds of article a user may add, and where."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from wagtail.models import Page

from content.models import (
    ArticleIndexPage,
    GuidePage,
    ReviewPage,
)


@dataclass(frozen=True)
class ArticleKindToAdd:
    """One kind of article a user may start, and where: the admin's add page."""

    key: str  # "review", "guide"
    label: str
    description: str
    parent: ArticleIndexPage
    add_url: str


def article_kinds_to_add(
    *, user: AbstractBaseUser | AnonymousUser
) -> list[ArticleKindToAdd]:
    """The kinds of article ``user`` may start, each under the first articles
    section where Wagtail lets them add it (the checks of Wagtail's own add page),
    reviews first. Empty for someone who may write none."""
    if not user.is_authenticated:
        return []
    kinds: dict[str, ArticleKindToAdd] = {}
    for parent in ArticleIndexPage.objects.order_by("path"):
        if not parent.permissions_for_user(user).can_add_subpage():
            continue
        for model in ArticleIndexPage.creatable_subpage_models():
            key = article_kind_key(model)
            if key in kinds or not model.can_create_at(parent):
                continue
            kinds[key] = ArticleKindToAdd(
                key=key,
                label=str(model._meta.verbose_name),
                description=str(model.get_page_description() or ""),
                parent=parent,
                add_url=reverse(
                    "wagtailadmin_pages:add",
                    args=(model._meta.app_label, model._meta.model_name, parent.pk),
                ),
            )
    order = {"review": 0, "guide": 1}
    return sorted(kinds.values(), key=lambda kind: order.get(kind.key, 9))


def article_kind_key(model: type[Page]) -> str:
    """ "review" for ReviewPage, "guide" for GuidePage: the kind's name in URLs."""
    return {ReviewPage: "review", GuidePage: "guide"}.get(model, model._meta.model_name)
