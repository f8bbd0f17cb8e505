"""An offer's price history drawn as a step line: the geometry of a small SVG chart
the reader site renders on the server (content/includes/price_chart.html), so that
it needs no script, no library and no inline style (the reader site's CSP allows
neither: colours come from classes in zhongcao.css).

A state of the history (products.models.OfferPrice) holds from its ``recorded_at``
until the next one: a horizontal segment at its price, joined to the next by a
vertical step. A state out of stock breaks the line and shades its stretch of time.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from products.models import Availability, OfferPrice

WIDTH = 600
HEIGHT = 150
LEFT = 8
RIGHT = 8
TOP = 12
BOTTOM = 12


@dataclass(frozen=True)
class Band:
    """A stretch of time out of stock (or discontinued)."""

    x: float
    width: float


@dataclass(frozen=True)
class PriceLevel:
    """A price marked on the chart (the lowest, the highest) and where."""

    price: Decimal
    y: float
    since: datetime.datetime


@dataclass
class PriceChart:
    """What the template draws, in the SVG's own units (``width`` × ``height``)."""

    width: int
    height: int
    path: str  # the in-stock step line ("" if never in stock)
    bands: list[Band] = field(default_factory=list)
    lowest: PriceLevel | None = None
    highest: PriceLevel | None = None
    now_x: float = 0
    now_y: float | None = None
    current: OfferPrice | None = None
    changes: int = 0  # how many times the price or the stock changed in the period


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def price_chart(
    *,
    rows: list[OfferPrice],
    since: datetime.datetime,
    now: datetime.datetime,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> PriceChart | None:
    """The chart of ``rows`` (an offer's history oldest first: the state in effect
    at ``since``, then those begun since, as products.selectors.
    offers_price_histories gives them) between ``since`` and ``now``. None when
    there is nothing to draw (no state in the period)."""
    states = []
    for index, row in enumerate(rows):
        start = max(row.recorded_at, since)
        end = rows[index + 1].recorded_at if index + 1 < len(rows) else now
        end = min(end, now)
        if end > start or (index + 1 == len(rows) and end >= start):
            states.append((row, start, end))
    if not states:
        return None
    span = (now - since).total_seconds() or 1.0
    plot_width = width - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM

    def x_of(moment: datetime.datetime) -> float:
        return LEFT + (moment - since).total_seconds() / span * plot_width

    in_stock = [
        (row, start, end)
        for row, start, end in states
        if row.availability == Availability.IN_STOCK
    ]
    prices = [row.price for row, _start, _end in in_stock] or [
        row.price for row, _start, _end in states
    ]
    low, high = min(prices), max(prices)
    margin = (high - low) * Decimal("0.1") or (high * Decimal("0.05")) or Decimal(1)

    def y_of(price: Decimal) -> float:
        top, bottom = high + margin, low - margin
        return TOP + float((top - price) / (top - bottom)) * plot_height

    commands: list[str] = []
    bands: list[Band] = []
    previous_in_stock = False
    for row, start, end in states:
        x_start, x_end = x_of(start), x_of(end)
        if row.availability != Availability.IN_STOCK:
            bands.append(Band(x=x_start, width=max(x_end - x_start, 1.0)))
            previous_in_stock = False
            continue
        y = _number(y_of(row.price))
        if previous_in_stock:
            commands.append(f"V{y}H{_number(x_end)}")
        else:
            commands.append(f"M{_number(x_start)} {y}H{_number(x_end)}")
        previous_in_stock = True

    def level(rows_in: list, pick) -> PriceLevel | None:
        if not rows_in:
            return None
        row, start, _end = pick(rows_in, key=lambda state: state[0].price)
        return PriceLevel(price=row.price, y=y_of(row.price), since=start)

    current = states[-1][0]
    return PriceChart(
        width=width,
        height=height,
        path="".join(commands),
        bands=bands,
        # The earliest of equal lowest prices, the earliest of equal highest.
        lowest=level(in_stock, min),
        highest=level(in_stock, max),
        now_x=x_of(now),
        now_y=(
            y_of(current.price)
            if current.availability == Availability.IN_STOCK
            else None
        ),
        current=current,
        changes=len(states) - 1,
    )
