"""The catalog in the Wagtail admin: editors create merchants, products and offers;
bad input is refused with a form error and nothing is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from products.models import Merchant, Offer, OfferPrice, Product
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

MERCHANT_ADD = "wagtailsnippets_products_merchant:add"
PRODUCT_ADD = "wagtailsnippets_products_product:add"


def merchant_data(**overrides):
    data = {
        "name": "明月家居 Mingyue Home",
        "slug": "mingyue-home",
        "website": "https://www.mingyuehome.cn/",
        "allowed_domains": "mingyuehome.cn\nm.mingyuehome.cn",
        "currency": "CNY",
        "default_commission_rate": "8.5",
        "attribution_window_days": "30",
        "hold_period_days": "30",
        "deep_link_template": "{url}?subid={click_id}",
    }
    data.update(overrides)
    return data


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_editor_creates_a_merchant(editor_client):
    response = editor_client.post(reverse(MERCHANT_ADD), merchant_data())
    assert response.status_code == 302
    merchant = Merchant.objects.get(slug="mingyue-home")
    assert merchant.domains == ["mingyuehome.cn", "m.mingyuehome.cn"]
    assert merchant.default_commission_rate == Decimal("8.5")
    assert merchant.attribution_window_days == 30
    assert merchant.hold_period_days == 30


def test_merchant_defaults_window_and_hold_to_30_days():
    merchant = Merchant(
        name="x",
        slug="x",
        website="https://x.example",
        allowed_domains="x.example",
        currency="USD",
        default_commission_rate=5,
    )
    assert (merchant.attribution_window_days, merchant.hold_period_days) == (30, 30)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("default_commission_rate", "-1"),
        ("default_commission_rate", "100.01"),
        ("currency", "XAU"),
        ("currency", "RMBX"),
        ("attribution_window_days", "-1"),
        ("hold_period_days", "-5"),
        ("allowed_domains", "not a domain!"),
        ("allowed_domains", ""),
        ("deep_link_template", "{url}?subid=fixed"),
        (
            "deep_link_template",
            "https://other.example/d?u={url|urlencode}&s={click_id}",
        ),
    ],
)
def test_bad_merchant_input_is_a_form_error_and_saves_nothing(
    editor_client, field, value
):
    response = editor_client.post(
        reverse(MERCHANT_ADD), merchant_data(**{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Merchant.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("usd", "USD"),
        ("RMB", "CNY"),
        (" cny ", "CNY"),
        ("人民币", "CNY"),
        ("Jpy", "JPY"),
    ],
)
def test_a_currency_typed_loosely_is_stored_as_its_iso_code(
    editor_client, typed, stored
):
    response = editor_client.post(reverse(MERCHANT_ADD), merchant_data(currency=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Merchant.objects.get().currency == stored


def test_a_merchant_left_without_slug_gets_one_from_its_latin_name(editor_client):
    response = editor_client.post(
        reverse(MERCHANT_ADD), merchant_data(name="京选商城 JingXuan", slug="")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Merchant.objects.get().slug == "jingxuan"


def test_a_chinese_only_name_is_transliterated_and_made_unique(editor_client):
    for domain in ("qingcheng.cn", "qingcheng2.cn"):
        response = editor_client.post(
            reverse(MERCHANT_ADD),
            merchant_data(
                name="青橙优选",
                slug="",
                website=f"https://{domain}/",
                allowed_domains=domain,
            ),
        )
        assert response.status_code == 302, response.context["form"].errors
    assert sorted(Merchant.objects.values_list("slug", flat=True)) == [
        "qing-cheng-you-xuan",
        "qing-cheng-you-xuan-2",
    ]


def test_a_name_of_symbols_only_still_gets_a_slug(editor_client):
    response = editor_client.post(
        reverse(MERCHANT_ADD), merchant_data(name="★★★", slug="")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Merchant.objects.get().slug == "merchant"


def test_a_slug_typed_by_the_editor_is_kept(editor_client):
    editor_client.post(reverse(MERCHANT_ADD), merchant_data(slug="jx-mall"))
    assert Merchant.objects.get().slug == "jx-mall"


def test_a_merchant_edited_keeps_its_slug_when_the_field_is_emptied(editor_client):
    merchant = MerchantFactory(name="京选商城 JingXuan", slug="jingxuan")
    url = reverse("wagtailsnippets_products_merchant:edit", args=[merchant.pk])
    response = editor_client.post(
        url,
        merchant_data(
            name="京选商城 JingXuan",
            slug="",
            website="https://jingxuan.example/",
            allowed_domains=merchant.allowed_domains,
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    merchant.refresh_from_db()
    assert merchant.slug == "jingxuan"


def test_network_template_on_an_allowed_domain_is_accepted(editor_client):
    response = editor_client.post(
        reverse(MERCHANT_ADD),
        merchant_data(
            allowed_domains="linkhub-network.com\nxiaoyu.cn",
            deep_link_template="https://go.linkhub-network.com/deeplink?u={url|urlencode}&sid={click_id}",
        ),
    )
    assert response.status_code == 302


def product_data(merchant, offers, *, initial=0, **overrides):
    data = {
        "title": "WH-7 降噪耳机",
        "slug": "sonari-wh7",
        "brand": "Sonari",
        "description": "Over-ear, 30 hours.",
        "tags": "耳机, headphones",
        "gtin": "4006381333931",
        "sku": "SN-WH7",
        "offers": inline_formset(offers, initial=initial),
    }
    data.update(overrides)
    return nested_form_data(data)


def offer(merchant, **overrides):
    data = {
        "merchant": merchant.pk,
        "url": "https://www.shop.example/item/1",
        "price": "1299.00",
        "currency": "CNY",
        "availability": "in_stock",
        "commission_rate": "",
    }
    data.update(overrides)
    return data


def test_editor_creates_a_product_with_offers(editor_client):
    merchant = MerchantFactory()
    other = MerchantFactory(allowed_domains="usa.example", currency="USD")
    response = editor_client.post(
        reverse(PRODUCT_ADD),
        product_data(
            merchant,
            [
                offer(merchant),
                offer(
                    other,
                    url="https://usa.example/p/9",
                    price="179.99",
                    currency="",
                    commission_rate="12",
                    availability="out_of_stock",
                ),
            ],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get(slug="sonari-wh7")
    assert sorted(tag.name for tag in product.tags.all()) == ["headphones", "耳机"]
    offers = {o.merchant_id: o for o in product.offers.all()}
    assert offers[merchant.pk].effective_commission_rate == Decimal("8.00")
    assert offers[other.pk].currency == "USD"  # empty currency takes the merchant's
    assert offers[other.pk].effective_commission_rate == Decimal("12")


def test_a_product_without_slug_gets_one_from_brand_and_model(editor_client):
    merchant = MerchantFactory()
    response = editor_client.post(
        reverse(PRODUCT_ADD), product_data(merchant, [offer(merchant)], slug="")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Product.objects.get().slug == "sonari-wh-7"


def test_an_offer_currency_typed_loosely_is_stored_as_its_iso_code(editor_client):
    merchant = MerchantFactory()
    response = editor_client.post(
        reverse(PRODUCT_ADD),
        product_data(merchant, [offer(merchant, currency="rmb")]),
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Offer.objects.get().currency == "CNY"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "ftp://www.shop.example/item/1"),
        ("url", "https://evil.example/item/1"),
        ("price", "-0.01"),
        ("commission_rate", "101"),
        ("commission_rate", "-3"),
        ("currency", "ZZZ"),
    ],
)
@pytest.mark.slow
def test_bad_offer_input_is_a_form_error_and_saves_nothing(editor_client, field, value):
    merchant = MerchantFactory()
    response = editor_client.post(
        reverse(PRODUCT_ADD),
        product_data(merchant, [offer(merchant, **{field: value})]),
    )
    assert response.status_code == 200
    formset = response.context["form"].formsets["offers"]
    assert field in formset.forms[0].errors
    assert not Product.objects.exists()
    assert not Offer.objects.exists()


def test_bad_gtin_is_a_form_error(editor_client):
    merchant = MerchantFactory()
    response = editor_client.post(
        reverse(PRODUCT_ADD),
        product_data(merchant, [offer(merchant)], gtin="4006381333932"),
    )
    assert response.status_code == 200
    assert "gtin" in response.context["form"].errors
    assert not Product.objects.exists()


def test_creators_cannot_manage_the_catalog(client, creator):
    client.force_login(creator.user)
    assert client.get(reverse(MERCHANT_ADD)).status_code == 403
    response = client.post(reverse(MERCHANT_ADD), merchant_data())
    assert response.status_code == 403
    assert not Merchant.objects.exists()


def test_an_editors_prices_join_each_offers_history(editor_client):
    merchant = MerchantFactory()
    response = editor_client.post(
        reverse(PRODUCT_ADD), product_data(merchant, [offer(merchant)])
    )
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get(slug="sonari-wh7")
    existing = product.offers.get()
    changed = offer(merchant, price="999.00")
    changed["id"] = existing.pk
    response = editor_client.post(
        reverse("wagtailsnippets_products_product:edit", args=[product.pk]),
        product_data(merchant, [changed], initial=1),
    )
    assert response.status_code == 302, response.context["form"].errors
    assert list(product.offers.values_list("pk", "price")) == [
        (existing.pk, Decimal("999.00"))
    ]
    assert [
        (row.price, row.source)
        for row in OfferPrice.objects.filter(offer=existing).order_by("recorded_at")
    ] == [(Decimal("1299.00"), "editor"), (Decimal("999.00"), "editor")]
