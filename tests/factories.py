"""factory_boy factories shared by the whole suite."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import APIToken

from affiliates.models import CreatorKind, CreatorProfile, TrackedLink
from affiliates.roles import CREATORS_GROUP, EDITORS_GROUP
from affiliates.tracking.clicks import PendingClick
from products.models import Availability, Merchant, Offer, Product


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"user{number}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("password")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=name) for name in extracted])
            self.save()


class EditorFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=EDITORS_GROUP))


class CreatorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreatorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    public_name = factory.Sequence(lambda number: f"Creator {number}")
    slug = factory.Sequence(lambda number: f"creator-{number}")
    kind = CreatorKind.MEMBER

    @factory.post_generation
    def in_creators_group(self, create, extracted, **kwargs):
        if create:
            self.user.groups.add(Group.objects.get(name=CREATORS_GROUP))


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda number: f"Shop {number}")
    slug = factory.Sequence(lambda number: f"shop-{number}")
    website = "https://www.shop.example/"
    allowed_domains = "shop.example"
    currency = "CNY"
    default_commission_rate = Decimal("8.00")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    title = factory.Sequence(lambda number: f"Product {number}")
    slug = factory.Sequence(lambda number: f"product-{number}")
    brand = "Acme"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    product = factory.SubFactory(ProductFactory)
    merchant = factory.SubFactory(MerchantFactory)
    url = factory.Sequence(lambda number: f"https://www.shop.example/item/{number}")
    price = Decimal("199.00")
    currency = "CNY"
    availability = Availability.IN_STOCK


class TrackedLinkFactory(factory.django.DjangoModelFactory):
    """A tracked link without an article: enough to make click ids and attribute
    sales to its author (article_links_sync makes the real ones)."""

    class Meta:
        model = TrackedLink

    code = factory.Sequence(lambda number: f"t{number:09d}")
    author = factory.SubFactory(CreatorProfileFactory)
    offer = factory.SubFactory(OfferFactory)
    product = factory.LazyAttribute(lambda link: link.offer.product)
    placement = "reviewed-product"


def token_for(user) -> str:
    """A new Wagtail API token of ``user``; its plaintext, for Authorization: Bearer."""
    plaintext = APIToken.generate_token()
    APIToken.objects.create(
        user=user,
        name="frontend",
        key_hash=APIToken.hash_token(plaintext),
        prefix=plaintext[:12],
    )
    return plaintext


def image_create(*, title: str = "A picture") -> AbstractImage:
    """A small real image (PNG) in the media storage."""
    return get_image_model().objects.create(
        title=title, file=get_test_image_file(filename=f"{title}.png")
    )


def pending_click(*, link, click_id: str, clicked_at, visitor: str, bot: bool = False):
    """A click on ``link`` as the redirect hands it to the writer: a reader's
    (``visitor`` its hash) or, with ``bot``, Googlebot's (no hash)."""
    return PendingClick(
        click_id=click_id,
        link_id=link.pk,
        offer_id=link.offer_id,
        clicked_at=clicked_at,
        visitor_hash="" if bot else visitor,
        user_agent="Googlebot/2.1" if bot else "Mozilla/5.0",
        referrer="",
        is_bot=bot,
        is_preview=False,
    )
