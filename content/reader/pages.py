"""The reader site's pages as Wagtail serves them: the context each page type's
``get_context`` hands its template (the page model delegates here, so that reads and
SEO live with the reader site rather than in the models)."""

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from content.reader import seo
from content.reader.selectors import (
    articles_for_listing,
    articles_related,
    articles_section,
    articles_with_card_details,
    home_sections,
)
from content.selectors import (
    ARTICLE_TYPES,
    article_buy_bar,
    article_embeds_by_placement,
    articles_live,
)
from content.services import article_links_for_render, article_representation


def home_page_context(*, request: HttpRequest, page, context: dict) -> dict:
    """The home page: featured articles, collections, the latest, and its SEO."""
    sections = home_sections(home=page)
    context["featured"] = sections.featured
    context["collections"] = sections.collections
    context["latest"] = sections.latest
    context["articles_section"] = articles_section(home=page)
    context["seo"] = seo.page_seo(
        request=request, page=page, description=page.intro, is_home=True
    )
    return context


def article_index_page_context(*, request: HttpRequest, page, context: dict) -> dict:
    """The articles section: its live articles (all, or ``?type=review`` or
    ``?type=guide``), 24 a page with their cards' details, and its SEO."""
    articles = articles_live().child_of(page)
    # The reader site's categories: ?type=review or ?type=guide (else all).
    kind = request.GET.get("type", "")
    if kind in ARTICLE_TYPES:
        articles = articles.type(ARTICLE_TYPES[kind])
        context["nav_current"] = kind
        context["kind_title"] = _("Reviews") if kind == "review" else _("Buying guides")
    paginator = Paginator(
        articles_for_listing(queryset=articles).order_by("-first_published_at", "-pk"),
        24,
    )
    context["articles"] = paginator.get_page(request.GET.get("page"))
    context["articles"].object_list = articles_with_card_details(
        articles=context["articles"].object_list
    )
    context["seo"] = seo.page_seo(
        request=request,
        page=page,
        description=page.intro,
        page_number=context["articles"].number,
    )
    if "kind_title" in context:
        number = context["articles"].number
        context["seo"].title = str(context["kind_title"])
        context["seo"].canonical = seo.absolute_url(
            request, f"{page.get_url(request)}?type={kind}"
        ) + (f"&page={number}" if number > 1 else "")
    return context


def article_page_context(*, request: HttpRequest, page, context: dict) -> dict:
    """An article page shows what the API shows (services.article_representation):
    ``article`` is the whole article, ``embeds`` its expanded products by placement,
    for the block templates."""
    context["seo"] = seo.article_seo(request=request, article=page)
    preview = getattr(request, "is_preview", False)
    links = article_links_for_render(article=page, preview=preview)
    article = article_representation(
        request=request, article=page, draft=preview, links=links, absolute=False
    )
    context["article"] = article
    context["embeds"] = article_embeds_by_placement(detail=article)
    context["disclosure"] = article["disclosure"]
    context["buy_bar"] = article_buy_bar(detail=article)
    context["related"] = articles_related(article=page)
    return context
