"""GET /api/me/stats: the signed-in creator's dashboard figures for a period."""

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from affiliates.analytics.dashboards import creator_period_figures
from affiliates.api_errors import Error, error_response
from affiliates.creators.selectors import creator_profile_for_user
from products.money import money_str

router = Router(tags=["conversions"])


class StatsQuery(Schema):
    start: datetime.date = Field(description="First UTC day, YYYY-MM-DD.")
    end: datetime.date = Field(description="Last UTC day (included), YYYY-MM-DD.")


class StatusMoneyOut(Schema):
    """The creator's ledger money from the period's sales, by where it is now."""

    held: str = Field(description="Held for an editor's review.")
    pending: str = Field(description="In the merchant's hold period.")
    approved: str = Field(description="Confirmed, waiting for a payout run.")
    processing: str = Field(description="In an open payout.")
    paid: str
    reversed: str = Field(
        description="Taken back by refunds and cancellations (the statuses above "
        "are already net of it)."
    )


class CurrencyStatsOut(Schema):
    currency: str = Field(description="ISO 4217 code; currencies are never added.")
    sales: str = Field(description="Sales through the creator's own articles.")
    earnings: str = Field(description="The creator's share of those sales.")
    epc: str | None = Field(
        description="Earnings per billable click, to a hundredth of the minor unit; "
        "null without billable clicks."
    )
    earnings_by_status: StatusMoneyOut


class StatsOut(Schema):
    creator: str = Field(description="The signed-in creator's slug.")
    start: datetime.date
    end: datetime.date
    clicks: int = Field(description="Every click on the creator's links.")
    billable_clicks: int = Field(
        description="A reader's first click on a link in a clock hour; not bots."
    )
    bot_clicks: int
    duplicate_clicks: int
    conversions: int = Field(description="Sales that stand (not refunded).")
    conversion_rate: str | None = Field(
        description='Conversions ÷ billable clicks, in percent ("37.50"); null '
        "without billable clicks."
    )
    currencies: list[CurrencyStatsOut]


@router.get(
    "/me/stats",
    response={200: StatsOut, 400: Error, 404: Error},
    summary="The signed-in creator's dashboard figures for a period",
)
def my_stats(request: HttpRequest, period: Query[StatsQuery]):
    """The figures of the creator dashboard (its *Your clicks and earnings* panel)
    for the UTC days ``start`` to ``end``, both included, read by the same selector:
    clicks, billable clicks, conversions, conversion rate, and per currency sales,
    earnings, EPC and earnings by status. Money is a decimal string in the
    currency's minor units. Only the signed-in creator's own figures: no parameter
    names anyone else."""
    if period.end < period.start:
        return error_response(
            400, "invalid", "end must be on or after start.", field="end"
        )
    creator = creator_profile_for_user(user=request.auth)
    if creator is None:
        return error_response(404, "not_found", "You have no creator profile.")
    figures = creator_period_figures(
        creator=creator, since=period.start, until=period.end
    )
    statuses = ("held", "pending", "approved", "processing", "paid")
    return {
        "creator": creator.slug,
        "start": period.start,
        "end": period.end,
        "clicks": figures.billable_clicks
        + figures.bot_clicks
        + figures.duplicate_clicks,
        "billable_clicks": figures.billable_clicks,
        "bot_clicks": figures.bot_clicks,
        "duplicate_clicks": figures.duplicate_clicks,
        "conversions": figures.conversions,
        "conversion_rate": None
        if figures.conversion_rate is None
        else str(figures.conversion_rate),
        "currencies": [
            {
                "currency": money.currency,
                "sales": money_str(money.sales, money.currency),
                "earnings": money_str(money.earnings, money.currency),
                "epc": None if money.epc is None else str(money.epc),
                "earnings_by_status": {
                    **{
                        status: money_str(
                            money.by_status.get(status, 0), money.currency
                        )
                        for status in statuses
                    },
                    "reversed": money_str(money.reversed, money.currency),
                },
            }
            for money in figures.currencies
        ],
    }
