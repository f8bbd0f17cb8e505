"""The reader site's pages beyond the page tree: tags, creators, products, search;
and robots.txt. Each view parses its input, reads through selectors and renders.
"""

from django import forms
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from content.reader import seo
from content.reader.selectors import (
    PRICE_HISTORY_DAYS,
    articles_for_listing,
    articles_with_card_details,
    creator_for_reader,
    creators_for_reader,
    offers_price_history_for_reader,
    product_cards,
    products_for_reader,
    tag_for_reader,
)
from content.reader.sitemaps import SITEMAPS
from content.selectors import articles_filter, product_buy_link, tags_with_counts
from products.models import Availability
from products.money import market_currency
from products.selectors import product_for_reader, product_offers

ARTICLES_PER_PAGE = 12
INDEX_PER_PAGE = 24
SEARCH_PRODUCTS_SHOWN = 6
SEARCH_QUERY_MAX_LENGTH = 200


def _paginate(request: HttpRequest, queryset) -> PaginatorPage:
    """One page of ``queryset``; a missing, malformed or past-the-end ?page= gives
    the nearest real page, as Django's Paginator.get_page does."""
    # Newest first; the key breaks ties so that pages never overlap.
    queryset = articles_for_listing(queryset=queryset).order_by(
        "-first_published_at", "-pk"
    )
    page = Paginator(queryset, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = articles_with_card_details(articles=page.object_list)
    return page


def _choice(value: str | None, choices: tuple[int, ...], default: int) -> int:
    """``value`` as one of ``choices``, else ``default`` (as a malformed ?page=
    gives the nearest page: a link's parameter, not a form)."""
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number in choices else default


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = tag_for_reader(slug=slug)
    if tag is None:
        raise Http404(_("No published article has this tag."))
    articles = _paginate(request, articles_filter(tag=tag.slug))
    return TemplateResponse(
        request,
        "content/tag_page.html",
        {
            "tag": tag,
            "articles": articles,
            "seo": seo.listing_seo(
                request=request,
                title=_("Articles tagged “%(tag)s”") % {"tag": tag.name},
                description=_("Reviews and buying guides about %(tag)s.")
                % {"tag": tag.name},
                path=reverse("reader:tag", args=[tag.slug]),
                page_number=articles.number,
            ),
        },
    )


@require_safe
def creator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    creator = creator_for_reader(slug=slug)
    if creator is None:
        raise Http404(_("No creator has this address."))
    articles = _paginate(request, articles_filter(author=creator.slug))
    return TemplateResponse(
        request,
        "content/creator_page.html",
        {
            "creator": creator,
            "articles": articles,
            "seo": seo.listing_seo(
                request=request,
                title=creator.public_name,
                description=creator.bio
                or _("Reviews and buying guides by %(name)s.")
                % {"name": creator.public_name},
                path=reverse("reader:creator", args=[creator.slug]),
                page_number=articles.number,
                image=creator.avatar,
                og_type="profile",
            ),
        },
    )


@require_safe
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_for_reader(slug=slug)
    if product is None:
        raise Http404(_("No product has this address."))
    articles = _paginate(request, articles_filter(product=product.slug))
    # The reader's language picks the currency listed first (the page is theirs).
    offers = product_offers(
        product=product, currency_first=market_currency(language=get_language())
    )
    best = next(
        (offer for offer in offers if offer.availability == Availability.IN_STOCK),
        None,
    )
    # ?history=90 or 365 (a link's choice; anything else shows the year).
    history_days = _choice(
        request.GET.get("history"), PRICE_HISTORY_DAYS, PRICE_HISTORY_DAYS[-1]
    )
    histories = offers_price_history_for_reader(offers=offers, days=history_days)
    return TemplateResponse(
        request,
        "content/product_page.html",
        {
            "product": product,
            "offers": offers,
            "best_offer": best,
            "histories": histories,
            "history_days": history_days,
            "history_choices": PRICE_HISTORY_DAYS,
            "buy_link": best and product_buy_link(offer=best),
            "articles": articles,
            "seo": seo.product_seo(request=request, product=product),
        },
    )


@require_safe
def tag_index(request: HttpRequest) -> HttpResponse:
    """/tags/: every tag a published article carries, the most used first."""
    return TemplateResponse(
        request,
        "content/tag_index.html",
        {
            "tags": list(tags_with_counts()),
            "nav_current": "tags",
            "seo": seo.listing_seo(
                request=request,
                title=_("Tags"),
                description=_("Every topic our reviews and buying guides cover."),
                path=reverse("reader:tags"),
            ),
        },
    )


@require_safe
def creator_index(request: HttpRequest) -> HttpResponse:
    """/creators/: the creators who have published, the most published first."""
    creators = Paginator(creators_for_reader(), INDEX_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "content/creator_index.html",
        {
            "creators": creators,
            "nav_current": "creators",
            "seo": seo.listing_seo(
                request=request,
                title=_("Creators"),
                description=_("The people who write our reviews and buying guides."),
                path=reverse("reader:creators"),
                page_number=creators.number,
            ),
        },
    )


@require_safe
def product_index(request: HttpRequest) -> HttpResponse:
    """/products/: the products published articles feature, by title, each with its
    best price in stock."""
    products = Paginator(products_for_reader(), INDEX_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "content/product_index.html",
        {
            "products": products,
            "cards": product_cards(products=products, language=get_language()),
            "nav_current": "products",
            "seo": seo.listing_seo(
                request=request,
                title=_("Products"),
                description=_("Every product our reviews and buying guides feature."),
                path=reverse("reader:products"),
                page_number=products.number,
            ),
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search articles and products"),
        max_length=SEARCH_QUERY_MAX_LENGTH,
        required=False,
        strip=True,
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search of published articles and of the products they feature
    (Chinese and English). Results are for readers, not for search engines: the page asks not to be indexed."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    articles = _paginate(request, articles_filter(q=query)) if query else None
    # Products beside the articles, on the first page of results only.
    products = (
        product_cards(
            products=products_for_reader(q=query)[:SEARCH_PRODUCTS_SHOWN],
            language=get_language(),
        )
        if query and articles.number == 1
        else []
    )
    path = reverse("reader:search")
    response = TemplateResponse(
        request,
        "content/search_page.html",
        {
            "form": form,
            "query": query,
            "articles": articles,
            "products": products,
            "seo": seo.listing_seo(
                request=request,
                title=_("Search: %(query)s") % {"query": query}
                if query
                else _("Search"),
                description=_("Search reviews and buying guides."),
                path=path,
                robots="noindex, follow",
            ),
        },
        status=200 if form.is_valid() else 400,
    )
    return response


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every published page, tag, creator and featured product."""
    return sitemap_view(
        request,
        {name: sitemap_class(request) for name, sitemap_class in SITEMAPS.items()},
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers keep out of the admin, the tracked redirects and the API (but for its
    documentation), and find the sitemap."""
    return TemplateResponse(
        request,
        "content/robots.txt",
        {"sitemap_url": seo.absolute_url(request, reverse("sitemap"))},
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page names: the site's icon."""
    return redirect(static("img/favicon.svg"), permanent=True)
