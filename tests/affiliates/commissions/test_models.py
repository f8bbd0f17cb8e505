from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from affiliates.models import Conversion, ConversionSource, ConversionStatus
from tests.factories import CreatorProfileFactory, MerchantFactory

pytestmark = pytest.mark.django_db


def test_referral_chain_cannot_loop():
    top = CreatorProfileFactory()
    middle = CreatorProfileFactory(referred_by=top)
    bottom = CreatorProfileFactory(referred_by=middle)
    top.referred_by = bottom
    with pytest.raises(ValidationError) as error:
        top.full_clean()
    assert "referred_by" in error.value.message_dict


def test_creator_cannot_refer_themselves():
    creator = CreatorProfileFactory()
    creator.referred_by = creator
    with pytest.raises(ValidationError):
        creator.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        creator.save()


def test_unicode_names_and_slugs():
    creator = CreatorProfileFactory(public_name="林小鹿", slug="林小鹿")
    creator.full_clean()
    assert str(creator) == "林小鹿"


@pytest.mark.parametrize(
    ("commission", "stated"),
    [("100.01", None), ("10.00", "100.01")],
    ids=["commission", "stated commission"],
)
def test_the_database_refuses_a_commission_above_the_sale(commission, stated):
    """The postback and the import refuse it first (affiliates.commissions.postbacks); the
    database refuses it whatever writes the row."""
    row = Conversion(
        merchant=MerchantFactory(),
        order_id="A-1",
        status=ConversionStatus.PENDING,
        amount=Decimal("100.00"),
        currency="CNY",
        commission=Decimal(commission),
        stated_commission=Decimal(stated) if stated else None,
        occurred_at=timezone.now(),
        source=ConversionSource.POSTBACK,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    row.commission = row.stated_commission = Decimal("100.00")
    row.save()


@pytest.mark.parametrize(
    ("language", "block_type", "position", "label"),
    [
        ("en", "product_card", 2, "Product card #2"),
        ("zh-hans", "product_card", 2, "商品卡片 #2"),
        ("zh-hans", "comparison_table", 1, "对比表 #1"),
        ("zh-hans", "pick", 0, "选购指南推荐"),
        ("zh-hans", "", 0, "尚不清楚"),
    ],
)
def test_a_placement_is_named_in_the_readers_language(
    language, block_type, position, label
):
    from django.utils import translation

    from affiliates.models import TrackedLink

    with translation.override(language):
        link = TrackedLink(block_type=block_type, position=position)
        assert link.placement_label() == label
