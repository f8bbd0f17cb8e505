"""content.reader.pricechart: the geometry of an offer's price history as a step
line (what the product page's SVG draws)."""

import datetime
from decimal import Decimal

from content.reader.pricechart import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    price_chart,
)
from products.models import Availability, OfferPrice

NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
SINCE = NOW - datetime.timedelta(days=100)


def row(days_ago: float, price: str, availability=Availability.IN_STOCK) -> OfferPrice:
    return OfferPrice(
        offer_id=1,
        price=Decimal(price),
        currency="CNY",
        availability=availability,
        recorded_at=NOW - datetime.timedelta(days=days_ago),
    )


def x_at(days_ago: float) -> float:
    return LEFT + (100 - days_ago) / 100 * (WIDTH - LEFT - RIGHT)


def test_a_step_line_from_the_state_the_period_began_in():
    chart = price_chart(
        rows=[row(150, "120"), row(50, "100"), row(25, "140")], since=SINCE, now=NOW
    )
    # The first state began before the period: the line starts at its left edge.
    commands = chart.path
    assert commands.startswith(f"M{LEFT} ")
    assert commands.count("M") == 1 and commands.count("V") == 2
    # Steps at 50 and 25 days ago, ending now at the right edge.
    assert f"H{x_at(50):g}V" in commands and f"H{x_at(25):g}V" in commands
    assert commands.endswith(f"H{WIDTH - RIGHT}")
    assert chart.lowest.price == Decimal("100") and chart.highest.price == Decimal(
        "140"
    )
    # Dearer is higher up; both inside the plot.
    assert TOP <= chart.highest.y < chart.lowest.y <= HEIGHT - BOTTOM
    assert chart.current.price == Decimal("140") and chart.now_y == chart.highest.y
    assert chart.changes == 2 and chart.bands == []


def test_out_of_stock_breaks_the_line_and_is_shaded():
    chart = price_chart(
        rows=[
            row(90, "100"),
            row(60, "80", Availability.OUT_OF_STOCK),
            row(30, "110"),
        ],
        since=SINCE,
        now=NOW,
    )
    assert chart.path.count("M") == 2 and "V" not in chart.path
    [band] = chart.bands
    assert round(band.x, 1) == round(x_at(60), 1)
    assert round(band.width, 1) == round(x_at(30) - x_at(60), 1)
    # A price out of stock is nobody's lowest.
    assert chart.lowest.price == Decimal("100")


def test_out_of_stock_now_has_no_current_point():
    chart = price_chart(
        rows=[row(90, "100"), row(10, "100", Availability.DISCONTINUED)],
        since=SINCE,
        now=NOW,
    )
    assert chart.now_y is None and len(chart.bands) == 1


def test_a_history_never_in_stock_draws_no_line():
    chart = price_chart(
        rows=[row(90, "100", Availability.OUT_OF_STOCK)], since=SINCE, now=NOW
    )
    assert chart.path == "" and chart.lowest is None and len(chart.bands) == 1


def test_one_unchanging_price_is_a_flat_line_in_the_plot():
    chart = price_chart(rows=[row(300, "99")], since=SINCE, now=NOW)
    assert chart.path.count("M") == 1 and "V" not in chart.path
    assert TOP < chart.lowest.y < HEIGHT - BOTTOM


def test_nothing_to_draw_without_history():
    assert price_chart(rows=[], since=SINCE, now=NOW) is None
