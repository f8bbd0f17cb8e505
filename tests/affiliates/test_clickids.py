import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affiliates.clickids import (
    CLICK_ID_LENGTH,
    InvalidClickId,
    click_id_make,
    click_id_parse,
)

WHEN = datetime.datetime(2026, 11, 22, 8, 30, 15, tzinfo=datetime.UTC)


def test_click_id_carries_its_link_and_time():
    click_id = click_id_make(link_id=42, clicked_at=WHEN)
    assert len(click_id) == CLICK_ID_LENGTH
    assert click_id.replace("-", "").replace("_", "").isalnum()
    facts = click_id_parse(click_id)
    assert facts.link_id == 42
    assert facts.clicked_at == WHEN


def test_click_ids_are_unique_and_unguessable():
    ids = {click_id_make(link_id=1, clicked_at=WHEN) for _ in range(10_000)}
    assert len(ids) == 10_000


@given(
    st.integers(min_value=0, max_value=CLICK_ID_LENGTH - 1), st.sampled_from("AZaz09-_")
)
def test_any_altered_character_fails_the_signature(position, replacement):
    click_id = click_id_make(link_id=7, clicked_at=WHEN)
    altered = click_id[:position] + replacement + click_id[position + 1 :]
    if altered == click_id:
        return
    with pytest.raises(InvalidClickId):
        click_id_parse(altered)


@pytest.mark.parametrize("bad", ["", "short", "x" * 32, "é" * 32, None, "=" * 32])
def test_malformed_click_ids_are_refused(bad):
    with pytest.raises(InvalidClickId):
        click_id_parse(bad)


def test_a_click_id_signed_with_another_secret_fails(settings):
    click_id = click_id_make(link_id=7, clicked_at=WHEN)
    settings.SECRET_KEY = "another-secret-key-entirely-for-this-test-only"
    with pytest.raises(InvalidClickId):
        click_id_parse(click_id)
