"""Daily rollups: what each tracked link did on each UTC day, so that dashboards and
reports read a few rows per link and day instead of scanning raw clicks.

Maintained by affiliates.analytics.services.rollups_refresh (a periodic task) and rebuilt by
``manage.py rebuild_rollups``; never edited by hand. ``author`` and ``article`` copy
the link's (which never change) so that a creator's figures are one indexed filter.
Clicks are also kept apart by the offer the reader was sent to, and sales by the
merchant that reported them: when a link's offer is out of stock the reader goes to
another merchant's offer, and that merchant's reports must show the click and sale.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.creators import CreatorProfile
from affiliates.models.links import TrackedLink
from affiliates.models.money import MONEY

# -- What the rollups share --------------------------------------------------------------


class ClickFigures(models.Model):
    """The click counts of every clicks rollup (services.rollups.CLICK_SUMS)."""

    billable_clicks = models.PositiveIntegerField(_("billable clicks"), default=0)
    bot_clicks = models.PositiveIntegerField(_("bot clicks"), default=0)
    duplicate_clicks = models.PositiveIntegerField(_("duplicate clicks"), default=0)

    class Meta:
        abstract = True


class SaleFigures(models.Model):
    """The sums of every sales rollup, in one currency (services.rollups.SALE_SUMS)."""

    currency = models.CharField(_("currency"), max_length=3)
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    sales = models.DecimalField(_("sales"), default=0, **MONEY)
    commission = models.DecimalField(_("platform commission"), default=0, **MONEY)
    author_earnings = models.DecimalField(_("author earnings"), default=0, **MONEY)
    override_earnings = models.DecimalField(_("referral overrides"), default=0, **MONEY)
    platform_earnings = models.DecimalField(_("platform remainder"), default=0, **MONEY)

    class Meta:
        abstract = True


class LinkRollup(models.Model):
    """Whose figures these are: a link, and its author and article (copied, for one
    indexed filter per creator or article)."""

    link = models.ForeignKey(
        TrackedLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        CreatorProfile,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    article = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class LinkClicksRollup(LinkRollup, ClickFigures):
    """A link's clicks, by the offer the reader was sent to."""

    offer = models.ForeignKey(
        "products.Offer",
        verbose_name=_("offer sent to"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The link's offer, or the in-stock offer the reader went to."),
    )

    class Meta:
        abstract = True


class LinkSalesRollup(LinkRollup, SaleFigures):
    """A link's sales, by the merchant that reported them.

    A sale credited by a tracking id (Conversion.attributed_by) came through no
    link the network could name: its row has no ``link``, only the creator it was
    credited to and the article where the id was given for one (none where the id
    is the creator's), so that it counts in the creator's figures and the
    article's, and the reports show it apart as *by tracking id*."""

    link = models.ForeignKey(
        TrackedLink,
        verbose_name=_("link"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("None for sales credited by a tracking id."),
    )
    merchant = models.ForeignKey(
        "products.Merchant",
        verbose_name=_("merchant"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The merchant that reported the sales."),
    )

    class Meta:
        abstract = True


class DailyLinkClicks(LinkClicksRollup):
    """Clicks of one link on one UTC day (preview clicks are left out)."""

    day = models.DateField(_("day (UTC)"))

    class Meta:
        verbose_name = _("daily clicks of a link")
        verbose_name_plural = _("daily clicks of links")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "link", "offer"], name="daily_link_clicks_once"
            ),
        ]
        indexes = [
            models.Index(fields=["author", "day"], name="daily_clicks_author"),
            models.Index(fields=["article", "day"], name="daily_clicks_article"),
        ]


class DailyLinkSales(LinkSalesRollup):
    """Conversions attributed to one link, purchased on one UTC day, in one currency.

    ``conversions``, ``sales`` and ``commission`` count the sales that stand (recorded,
    pending or approved, not rejected by an editor); the earnings are the ledger's net
    sums for those conversions, in whatever status the money is now (a refund
    reverses them to zero): the author's share, the referrers' overrides and the
    platform's remainder. ``commission`` is what the merchant pays the platform.
    """

    day = models.DateField(_("day (UTC)"))

    class Meta:
        verbose_name = _("daily sales of a link")
        verbose_name_plural = _("daily sales of links")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "link", "merchant", "currency"],
                name="daily_link_sales_once",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "day"], name="daily_sales_author"),
            models.Index(fields=["article", "day"], name="daily_sales_article"),
        ]


# -- Monthly rollups ------------------------------------------------------------------
#
# The same figures summed over a UTC calendar month, made from the daily rows (never
# from raw data) whenever one of the month's days is recomputed. A report over whole
# months reads at most one row per link and month, however many clicks there were:
# daily rows grow with clicks until every link has a click every day (15,000 links
# × 90 days is sparse), monthly ones are bounded by links × months. Periods that
# start or end inside a month read that part from the daily rows
# (affiliates.analytics.figures.rollup_span).


class MonthlyLinkClicks(LinkClicksRollup):
    """Clicks of one link in one UTC month (the sum of its DailyLinkClicks)."""

    month = models.DateField(_("month (UTC, its first day)"))

    class Meta:
        verbose_name = _("monthly clicks of a link")
        verbose_name_plural = _("monthly clicks of links")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "link", "offer"], name="monthly_link_clicks_once"
            ),
        ]
        indexes = [
            models.Index(fields=["author", "month"], name="monthly_clicks_author"),
            models.Index(fields=["month", "article"], name="monthly_clicks_article"),
        ]


class MonthlyLinkSales(LinkSalesRollup):
    """Sales of one link in one UTC month and currency (the sum of its
    DailyLinkSales)."""

    month = models.DateField(_("month (UTC, its first day)"))

    class Meta:
        verbose_name = _("monthly sales of a link")
        verbose_name_plural = _("monthly sales of links")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "link", "merchant", "currency"],
                name="monthly_link_sales_once",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "month"], name="monthly_sales_author"),
            models.Index(fields=["month", "article"], name="monthly_sales_article"),
        ]


# -- Daily rollups per creator ----------------------------------------------------------
#
# The same daily figures summed over all of a creator's links, made from the daily
# link rows (never from raw data) in the same transaction whenever a day is
# recomputed. The creator dashboard's chart and period figures read these: at most
# one row per day (per currency for sales), however many links, articles or clicks
# the creator has; daily link rows grow with clicks until every link has a click
# every day.


class DailyCreatorClicks(ClickFigures):
    """Clicks of all of one creator's links on one UTC day (the sum of their
    DailyLinkClicks)."""

    day = models.DateField(_("day (UTC)"))
    author = models.ForeignKey(
        CreatorProfile,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("daily clicks of a creator")
        verbose_name_plural = _("daily clicks of creators")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "day"], name="daily_creator_clicks_once"
            ),
        ]


class DailyCreatorSales(SaleFigures):
    """Sales through all of one creator's links on one UTC day, in one currency (the
    sum of their DailyLinkSales)."""

    day = models.DateField(_("day (UTC)"))
    author = models.ForeignKey(
        CreatorProfile,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("daily sales of a creator")
        verbose_name_plural = _("daily sales of creators")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "day", "currency"], name="daily_creator_sales_once"
            ),
        ]
