"""`manage.py load_demo_data`: what `make run` loads, once."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import WorkflowState

from affiliates.models import (
    Click,
    Conversion,
    ConversionStatus,
    CreatorKind,
    CreatorProfile,
    EntryStatus,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutStatus,
)
from content.models import (
    ArticleCollection,
    ArticlePage,
    GuidePage,
    HomePage,
    ReviewPage,
)
from content.selectors import article_product_embeds
from products.models import Merchant, Offer, Product
from products.selectors import offer_price_history, offers_lowest_prices

# Each test loads the whole demo, as `make run` does.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ACCOUNTS = ["editor", "kol1", "kol2", "member1", "member2"]


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Merchant,
            Product,
            Offer,
            CreatorProfile,
            ArticlePage,
            ArticleCollection,
        )
    } | {"users": get_user_model().objects.count()}


def test_demo_loads_everything_the_product_promises(client):
    assert "Demo data loaded" in load()

    merchants = list(Merchant.objects.all())
    assert len(merchants) >= 3
    templates = [merchant.deep_link_template for merchant in merchants]
    assert sum("{url|urlencode}" in template for template in templates) == 1
    assert (
        sum(
            template.startswith("{url}") and "subid={click_id}" in template
            for template in templates
        )
        >= 2
    )
    for merchant in merchants:
        merchant.full_clean()
    assert Product.objects.count() >= 30
    assert {"CNY", "USD"} <= set(Offer.objects.values_list("currency", flat=True))
    for offer in Offer.objects.select_related("merchant"):
        offer.full_clean()

    kinds = sorted(CreatorProfile.objects.values_list("kind", flat=True))
    assert kinds == [
        CreatorKind.KOL,
        CreatorKind.KOL,
        CreatorKind.MEMBER,
        CreatorKind.MEMBER,
    ]
    assert CreatorProfile.objects.filter(referred_by__isnull=False).exists()

    assert ArticlePage.objects.live().count() == 12
    assert ReviewPage.objects.live().exists() and GuidePage.objects.live().exists()
    drafts = ArticlePage.objects.not_live()
    assert drafts.count() == 2
    for draft in drafts:
        assert draft.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    titles = " ".join(ArticlePage.objects.values_list("title", flat=True))
    assert any("\u4e00" <= char <= "\u9fff" for char in titles)  # Chinese
    assert any("a" <= char <= "z" for char in titles)  # and English
    for article in ArticlePage.objects.live():
        assert article_product_embeds(article=article), article.title
        assert article.specific.author is not None
        assert article.tags.exists()

    home = HomePage.objects.get()
    assert home.featured_articles.count() >= 3
    assert home.collection_placements.count() >= 2
    page = client.get("/")
    assert page.status_code == 200
    written = 0
    for article in ArticlePage.objects.live():
        response = client.get(article.url)
        assert response.status_code == 200, article.url
        written += response.content.decode().count('class="price-written"')
    assert written  # "when written · now" shows the first hour

    # A believable year of prices (docs/price-history.md).
    offers = list(Offer.objects.all())
    lowest = offers_lowest_prices(offer_ids=[offer.pk for offer in offers])
    year_ago = timezone.now() - datetime.timedelta(days=365)
    for offer in offers:
        history = offer_price_history(offer=offer)
        assert len(history) >= 3 and history[0].recorded_at < year_ago, offer
    in_stock = [offer for offer in offers if offer.availability == "in_stock"]
    sales = [
        offer
        for offer in in_stock
        if offer.list_price and offer.price <= lowest[offer.pk][365] < offer.list_price
    ]
    assert sales  # at the lowest price of the year now, on sale
    assert any(offer.price > lowest[offer.pk][90] for offer in in_stock)  # a jump
    product = sales[0].product
    html = client.get(f"/products/{product.slug}/").content.decode()
    assert "price-chart-line" in html and 'class="list-price"' in html


def test_demo_accounts_log_in_with_their_demo_passwords(client):
    load()
    for username in ACCOUNTS:
        assert client.login(username=username, password=f"{username}-demo"), username
        assert client.get("/admin/").status_code == 200
        client.logout()


def test_second_run_adds_nothing_and_keeps_changes():
    load()
    before = counts()
    product = Product.objects.first()
    product.title = "Changed by the user"
    product.save()
    Merchant.objects.filter(pk=Merchant.objects.last().pk).update(name="Renamed")

    assert "already present" in load()
    assert counts() == before
    assert Product.objects.get(pk=product.pk).title == "Changed by the user"
    assert Merchant.objects.filter(name="Renamed").exists()


def test_demo_data_is_refused_with_production_settings(settings):
    settings.ZHONGCAO_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        load()
    assert not Merchant.objects.exists()
    assert not get_user_model().objects.filter(username__in=ACCOUNTS).exists()


def test_demo_has_clicks_sales_and_a_paid_payout():
    load()
    assert MerchantConnection.objects.count() == Merchant.objects.count()
    assert Click.objects.filter(is_billable=True).count() > 100
    assert Click.objects.filter(is_bot=True).exists()
    attributed = Conversion.objects.filter(author__isnull=False)
    assert attributed.count() >= 50
    assert Conversion.objects.filter(status=ConversionStatus.REFUNDED).exists()
    statuses = set(LedgerEntry.objects.values_list("status", flat=True))
    assert {EntryStatus.PENDING, EntryStatus.APPROVED, EntryStatus.PAID} <= statuses
    assert Payout.objects.filter(status=PayoutStatus.PAID).exists()
    for conversion in attributed.filter(status=ConversionStatus.PENDING):
        earned = conversion.entries.filter(origin__isnull=True, reverses__isnull=True)
        assert sum(entry.amount for entry in earned) == conversion.commission


def test_demo_dashboards_have_their_rollups(client):
    from django.db.models import Sum

    from affiliates.models import DailyLinkClicks, DailyLinkSales

    load()
    billable = DailyLinkClicks.objects.aggregate(total=Sum("billable_clicks"))
    assert billable["total"] == Click.objects.filter(is_billable=True).count()
    assert DailyLinkSales.objects.aggregate(total=Sum("conversions"))["total"] > 0
    client.login(username="kol1", password="kol1-demo")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b'id="creator-chart-data"' in response.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_is_searchable_in_chinese_once_the_worker_has_run(client, settings):
    """As `make run` has it: the loader's saves enqueue their search index updates on
    the database queue, the worker runs them, and every admin search finds the demo's
    Chinese words and model numbers (products.searchbackend)."""
    from django.urls import reverse

    from tests.zhongcao.test_taskqueue import DATABASE_QUEUE, work

    settings.TASKS = DATABASE_QUEUE
    load()
    work()
    headphones = Product.objects.get(title="WH-7 降噪耳机")
    review = ReviewPage.objects.get(title__startswith="Sonari WH-7 评测")
    searches = [
        ("kol1", "wagtailsnippetchoosers_products_product:choose_results", "耳机"),
        ("editor", "wagtailsnippets_products_product:list_results", "耳机"),
        ("editor", "wagtailsnippets_products_product:list_results", "WH7"),
        ("editor", "wagtailadmin_pages:search_results", "降噪"),
        ("editor", "wagtailadmin_pages:search_results", "甜点"),
        ("editor", "wagtailadmin_choose_page_search", "wh7"),
    ]
    for username, url_name, query in searches:
        client.force_login(get_user_model().objects.get(username=username))
        text = client.get(reverse(url_name), {"q": query}).content.decode()
        wanted = headphones.title if "product" in url_name else review.title
        assert wanted in text, (username, url_name, query)
