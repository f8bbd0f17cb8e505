"""split_commission: shares that add up to the commission exactly."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affiliates.commissions.shares import split_commission
from products.currencies import currency_minor_units

PLATFORM = "platform"
NAMES = ("author", "override_1", "override_2")


@st.composite
def splits(draw):
    """A currency, a total in its minor units, and up to three percents (two
    decimals each, as the settings store them) that sum to 100 or less."""
    currency = draw(st.sampled_from(["CNY", "JPY", "BHD", "USD"]))
    places = currency_minor_units(currency)
    total = Decimal(draw(st.integers(0, 10**14))).scaleb(-places)
    count = draw(st.integers(0, len(NAMES)))
    # Cut points in hundredths of a percent: their differences sum to at most 100%.
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=count, max_size=count))
    )
    percents = [
        Decimal(high - low).scaleb(-2)
        for low, high in zip([0, *cuts], cuts, strict=False)
    ]
    shares = dict(zip(NAMES, percents, strict=False))
    return currency, total, shares


def unit_of(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_minor_units(currency))


@settings(max_examples=300, deadline=None)
@given(splits())
def test_shares_sum_exactly_and_each_is_within_one_minor_unit(split):
    currency, total, shares = split
    unit = unit_of(currency)
    amounts = split_commission(
        total=total, currency=currency, shares=shares, remainder=PLATFORM
    )

    assert set(amounts) == {*shares, PLATFORM}
    assert sum(amounts.values(), Decimal(0)) == total
    exact = {name: total * percent / 100 for name, percent in shares.items()}
    exact[PLATFORM] = total - sum(exact.values(), Decimal(0))
    for name, amount in amounts.items():
        assert amount >= 0
        assert amount == amount.quantize(unit), f"{amount} is not in {currency} units"
        assert abs(amount - exact[name]) < unit
    # Largest remainder: a share rounded up never had a smaller fraction than one
    # rounded down.
    rounded_up = [name for name in amounts if amounts[name] > exact[name]]
    rounded_down = [name for name in amounts if amounts[name] < exact[name]]
    for up in rounded_up:
        for down in rounded_down:
            assert exact[up] - (amounts[up] - unit) >= exact[down] - amounts[down]


@settings(max_examples=100, deadline=None)
@given(splits())
def test_the_split_is_the_same_every_time(split):
    currency, total, shares = split
    first = split_commission(
        total=total, currency=currency, shares=shares, remainder=PLATFORM
    )
    again = split_commission(
        total=total, currency=currency, shares=dict(shares), remainder=PLATFORM
    )
    assert first == again


KOL_WITH_TWO_UPLINES = {
    "author": Decimal("80"),
    "override_1": Decimal("10"),
    "override_2": Decimal("5"),
}


@pytest.mark.parametrize(
    ("total", "currency", "shares", "expected"),
    [
        # Even amounts: no rounding at all.
        (
            "100.00",
            "CNY",
            KOL_WITH_TWO_UPLINES,
            {"author": "80.00", "override_1": "10.00", "override_2": "5.00"},
        ),
        # One fen: the author's share has the largest remainder (0.008).
        (
            "0.01",
            "CNY",
            KOL_WITH_TWO_UPLINES,
            {"author": "0.01", "override_1": "0", "override_2": "0"},
        ),
        # 51 yen: exact 40.8, 5.1, 2.55, 2.55; the two yen left go to the author
        # (.8) and then to level 2, which ties the platform and comes first.
        (
            "51",
            "JPY",
            KOL_WITH_TWO_UPLINES,
            {"author": "41", "override_1": "5", "override_2": "3"},
        ),
        # Thirds of three fen: each share gets one, the platform none.
        (
            "0.03",
            "CNY",
            {"a": Decimal("33.33"), "b": Decimal("33.33"), "c": Decimal("33.33")},
            {"a": "0.01", "b": "0.01", "c": "0.01"},
        ),
        # Three decimals (Bahraini dinar): 0.3333 twice and 0.3334 for the rest.
        (
            "1.000",
            "BHD",
            {"a": Decimal("33.33"), "b": Decimal("33.33")},
            {"a": "0.333", "b": "0.333"},
        ),
        # A tie between equal shares goes to the earlier one.
        (
            "0.01",
            "USD",
            {"a": Decimal("50"), "b": Decimal("50")},
            {"a": "0.01", "b": "0"},
        ),
        # Nothing to share.
        ("0", "JPY", KOL_WITH_TWO_UPLINES, dict.fromkeys(NAMES, "0")),
    ],
)
def test_known_splits(total, currency, shares, expected):
    amounts = split_commission(
        total=Decimal(total), currency=currency, shares=shares, remainder=PLATFORM
    )
    expected = {name: Decimal(value) for name, value in expected.items()}
    expected[PLATFORM] = Decimal(total) - sum(expected.values(), Decimal(0))
    assert amounts == expected


def test_a_split_with_no_shares_leaves_all_to_the_remainder():
    amounts = split_commission(
        total=Decimal("12.34"), currency="CNY", shares={}, remainder=PLATFORM
    )
    assert amounts == {PLATFORM: Decimal("12.34")}


@pytest.mark.parametrize(
    ("total", "currency", "shares"),
    [
        ("10.00", "CNY", {"a": Decimal("90"), "b": Decimal("10.01")}),  # over 100%
        ("10.00", "CNY", {"a": Decimal("-1")}),
        ("10.005", "CNY", {"a": Decimal("10")}),  # not in fen
        ("10.5", "JPY", {"a": Decimal("10")}),  # yen have no fraction
        ("-1.00", "CNY", {"a": Decimal("10")}),
    ],
)
def test_impossible_splits_are_refused(total, currency, shares):
    with pytest.raises(ValueError):
        split_commission(
            total=Decimal(total), currency=currency, shares=shares, remainder=PLATFORM
        )
