import base64
import datetime
import os
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affiliates.tracking import clickids
from affiliates.tracking.clickids import (
    CLICK_ID_LENGTH,
    ClickIdFacts,
    InvalidClickId,
    click_id_make,
    click_id_parse,
)

WHEN = datetime.datetime(2026, 11, 22, 8, 30, 15, tzinfo=datetime.UTC)


def test_click_id_carries_its_link_time_and_offer():
    click_id = click_id_make(link_id=42, clicked_at=WHEN, offer_id=4_000_000_000)
    assert len(click_id) == CLICK_ID_LENGTH
    assert click_id.replace("-", "").replace("_", "").isalnum()
    facts = click_id_parse(click_id)
    assert facts.link_id == 42
    assert facts.clicked_at == WHEN
    assert facts.offer_id == 4_000_000_000
    assert click_id_parse(click_id_make(link_id=42, clicked_at=WHEN)).offer_id is None


def _legacy_click_id(*, link_id: int, clicked_at: datetime.datetime) -> str:
    """A click id as made before ids carried the offer: link, time, 6-byte nonce."""
    body = struct.pack(">II6s", link_id, int(clicked_at.timestamp()), os.urandom(6))
    return base64.urlsafe_b64encode(body + clickids._tag(body)).decode()


def test_click_ids_made_before_the_offer_was_carried_still_parse():
    click_id = _legacy_click_id(link_id=42, clicked_at=WHEN)
    assert len(click_id) == 32
    assert click_id_parse(click_id) == ClickIdFacts(
        link_id=42, clicked_at=WHEN, offer_id=None
    )


@given(
    made=st.sampled_from(["current", "legacy"]),
    position=st.integers(min_value=0, max_value=CLICK_ID_LENGTH - 1),
    replacement=st.characters(codec="ascii"),
)
def test_only_the_canonical_spelling_is_read(made, position, replacement):
    """Standard base64's + and /, padding, whitespace or any other character where
    the URL-safe alphabet has - and _: never the same click."""
    click_id = (
        click_id_make(link_id=7, clicked_at=WHEN)
        if made == "current"
        else _legacy_click_id(link_id=7, clicked_at=WHEN)
    )
    position %= len(click_id)
    altered = click_id[:position] + replacement + click_id[position + 1 :]
    if altered == click_id:
        return
    with pytest.raises(InvalidClickId):
        click_id_parse(altered)


@pytest.mark.parametrize("suffix", ["=", "\n", " ", "A", "AAAA="])
def test_nothing_may_follow_a_click_id(suffix):
    click_id = click_id_make(link_id=7, clicked_at=WHEN)
    with pytest.raises(InvalidClickId):
        click_id_parse(click_id + suffix)


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


@pytest.mark.parametrize(
    "bad", ["", "short", "x" * 32, "x" * 36, "é" * 36, None, "=" * 36, "A" * 34]
)
def test_malformed_click_ids_are_refused(bad):
    with pytest.raises(InvalidClickId):
        click_id_parse(bad)


def test_a_click_id_signed_with_another_secret_fails(settings):
    click_id = click_id_make(link_id=7, clicked_at=WHEN)
    settings.SECRET_KEY = "another-secret-key-entirely-for-this-test-only"
    with pytest.raises(InvalidClickId):
        click_id_parse(click_id)
