"""Click ids in the forms networks' sub-id fields accept (networks.subids)."""

import datetime
import re

import pytest

from affiliates.commissions.networks.subids import subid_alnum, subid_read
from affiliates.tracking.clickids import click_id_make

AT = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("link_id", [1, 7, 2**31, 2**32 - 1])
def test_a_click_id_survives_a_letters_and_digits_only_field(link_id):
    for offer_id in (None, 1, 99999):
        click_id = click_id_make(link_id=link_id, clicked_at=AT, offer_id=offer_id)
        written = subid_alnum(click_id)
        assert re.fullmatch(r"[a-z0-9]+", written), written
        assert len(written) <= 45
        assert subid_read(written) == click_id


def test_ids_with_dashes_and_underscores_come_back_exactly():
    click_id = "-_" * 18  # the two characters JD's subUnionId refuses
    assert subid_read(subid_alnum(click_id)) == click_id


@pytest.mark.parametrize(
    "value",
    ["", "creator_42", "zz", "z" + "1" * 44, "A" * 36, "zhongcao"],
)
def test_anything_else_is_read_as_it_came(value):
    assert subid_read(value) == value.strip()
