"""Slugs of new articles: never "slug already in use" for a page nobody can read yet.

Wagtail 8 autosaves the create form: a few seconds after a creator types a title, a
background "save draft" has made the page (its slug from the title). A creator who
leaves and starts again with the same title used to get "The slug … is already in
use" against that draft, which they had never saved on purpose. Here:

- an article never published whose slug is taken gets the next free one (-2, -3 …),
  as Wagtail itself does for an empty slug; a published article keeps Wagtail's
  error, because its address is public;
- a draft of the same creator that was never published, is not in moderation and
  holds nothing but a title (an autosave left behind) yields its slug: it moves to
  the next free one, and the new article takes the slug its title gives.

Kept apart from content.services because the article form (content.forms, which
content.models imports) calls it.
"""

from django.db import transaction
from django.utils.html import strip_tags
from wagtail.models import Page

# What an article holds besides its title; one with none of them is empty.
ARTICLE_CONTENT_FIELDS = (
    "summary",
    "body",
    "hero_image_id",
    "product_id",
    "verdict",
    "pros",
    "cons",
    "intro",
    "picks",
    "comparison_rows",
)


def article_is_empty(*, article) -> bool:
    """Whether an article (or a revision of one) holds nothing but its title."""
    for name in ARTICLE_CONTENT_FIELDS:
        value = getattr(article, name, None)
        if value is None:
            continue
        if hasattr(value, "raw_data"):  # a StreamField's value
            if len(value.raw_data):
                return False
        elif strip_tags(str(value)).strip():  # rich text's empty "<p></p>" is empty
            return False
    return (
        not article.tags.exists() if article.pk and hasattr(article, "tags") else True
    )


def article_draft_is_abandoned(*, page: Page, user) -> bool:
    """A draft ``user`` left behind: theirs, never published, not in moderation, and
    empty in its latest revision."""
    if user is None or page.owner_id != user.pk:
        return False
    if page.live or page.first_published_at is not None:
        return False
    if page.workflow_states.filter(status="in_progress").exists():
        return False
    latest = page.specific.get_latest_revision_as_object()
    return article_is_empty(article=latest)


def _slug_next_free(
    *, parent: Page, base: str, page: Page | None, taken: str = ""
) -> str:
    """``base``, else ``base-2``, ``base-3`` …: the first free under ``parent``
    (for ``page``) and not ``taken``."""
    candidate, number = base, 1
    while candidate == taken or not Page._slug_is_available(candidate, parent, page):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def article_slug_free(*, page: Page, parent: Page, slug: str, user) -> str:
    """The slug ``page`` (new or never published) gets when it asks for ``slug``
    under ``parent``: ``slug`` itself if free or held by an abandoned draft of
    ``user`` (which moves aside), else the next free ``slug-2``, ``slug-3`` ….
    A published page gets ``slug`` back unchanged, for Wagtail to refuse if taken."""
    if not slug or page.first_published_at is not None:
        return slug
    holders = parent.get_children().filter(slug=slug)
    if page.pk:
        holders = holders.not_page(page)
    holder = holders.select_for_update().first()
    if holder is None:
        return slug
    if article_draft_is_abandoned(page=holder, user=user):
        holder = holder.specific
        holder.slug = _slug_next_free(parent=parent, base=slug, page=holder, taken=slug)
        # Not clean(): the draft's required fields are empty, as the autosave left it.
        holder.save(clean=False, update_fields=["slug", "url_path"])
        return slug
    return _slug_next_free(parent=parent, base=slug, page=page if page.pk else None)
