import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import CreatorProfileFactory

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
