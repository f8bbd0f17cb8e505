"""Splitting a platform commission into shares that add up to it exactly.

Rounding mode, documented once: each share is its percent of the commission,
rounded *down* to the currency's minor unit; the minor units left over go one by one
to the shares with the largest remainders (the largest remainder, or Hamilton,
method; ties go to the earlier share: author, then level 1, level 2, platform). So
every share is within one minor unit of its exact value, none is negative, and the
shares always sum to the commission: nothing is created or lost.
"""

from decimal import ROUND_DOWN, Decimal

from products.currencies import in_minor_units, minor_unit

HUNDRED = Decimal(100)


def split_commission(
    *, total: Decimal, currency: str, shares: dict[str, Decimal], remainder: str
) -> dict[str, Decimal]:
    """``shares`` maps a name to a percent; ``remainder`` names who gets the rest.

    The percents must sum to 100 or less; ``total`` must already be rounded to the
    currency. Returns every name (and ``remainder``) with its amount.
    """
    if sum(shares.values(), Decimal(0)) > HUNDRED:
        raise ValueError("The shares add up to more than 100%.")
    if any(percent < 0 for percent in shares.values()):
        raise ValueError("A share cannot be negative.")
    unit = minor_unit(currency)
    if not in_minor_units(total, currency) or total < 0:
        raise ValueError("The total must be a non-negative amount in minor units.")

    exact = {name: total * percent / HUNDRED for name, percent in shares.items()}
    exact[remainder] = total - sum(exact.values(), Decimal(0))
    floored = {
        name: value.quantize(unit, rounding=ROUND_DOWN) for name, value in exact.items()
    }
    leftover_units = int((total - sum(floored.values(), Decimal(0))) / unit)
    order = list(exact)  # insertion order: the tie-break
    by_remainder = sorted(
        order, key=lambda name: (-(exact[name] - floored[name]), order.index(name))
    )
    for name in by_remainder[:leftover_units]:
        floored[name] += unit
    return floored
