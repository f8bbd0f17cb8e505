"""Creators: the people who write and earn.

Tracked links, clicks, conversions, commissions and payouts join them here in later
issues. Articles are referred to through Wagtail's Page, never content's models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from affiliates.models.creators import CreatorProfile


class TrackedLink(models.Model):
    """The short URL /go/<code> that stands for (article, author, offer, placement).

    Made by affiliates.tracking.services.article_links_sync when an article is published, never
    by hand. A link whose embed was removed is retired but keeps redirecting; a
    preview link (made while an editor or creator previews a draft) redirects too,
    but its clicks are never billable.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    article = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author = models.ForeignKey(
        CreatorProfile,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="tracked_links",
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offer = models.ForeignKey(
        "products.Offer",
        verbose_name=_("offer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    placement = models.CharField(_("placement"), max_length=64)
    # What the placement is, as the article said when the link was last synced:
    # the embedding block's type (product_card, product_grid, …) and the embed's
    # 1-based position among the article's product embeds, top to bottom. Empty for
    # links made before these were kept, until the article is next published.
    block_type = models.CharField(_("block type"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    is_preview = models.BooleanField(_("preview link"), default=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author", "offer", "placement", "is_preview"],
                name="tracked_link_one_per_placement_and_offer",
            )
        ]

    def __str__(self) -> str:
        return f"/go/{self.code}"

    def placement_label(self) -> str:
        """The placement as people read it: the block type and its position among
        the article's product embeds ("Product card #2", "商品卡片 #2")."""
        kind = block_type_label(self.block_type)
        if not self.block_type:
            return kind
        return f"{kind} #{self.position}" if self.position else kind

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


# The kinds of product embed an article has (content.selectors.article_product_embeds
# names them), as people read them, in their language.
BLOCK_TYPE_LABELS = {
    "review": pgettext_lazy("placement", "Review"),
    "pick": pgettext_lazy("placement", "Pick"),
    "product_card": pgettext_lazy("placement", "Product card"),
    "product_grid": pgettext_lazy("placement", "Product grid"),
    "comparison_table": pgettext_lazy("placement", "Comparison table"),
}


def block_type_label(block_type: str) -> str:
    """product_card → Product card (商品卡片 in Chinese); "" → Not known yet; a type
    this table does not know yet → its name made readable."""
    if not block_type:
        return str(_("Not known yet"))
    label = BLOCK_TYPE_LABELS.get(block_type)
    return str(label) if label else block_type.replace("_", " ").capitalize()


# The clicks that may be their visitor's billable click on their link for their UTC
# hour: at most one of these per (visitor, link, hour) is not a duplicate.
DEDUPE_CANDIDATES = models.Q(is_bot=False, is_duplicate=False) & ~models.Q(
    visitor_hash=""
)


class Click(models.Model):
    """One recorded visit of a tracked link. No raw IP address is ever stored."""

    # The click id is the key: one index serves lookups by it and its uniqueness,
    # one fewer for every click to write.
    click_id = models.CharField(_("click id"), max_length=40, primary_key=True)
    link = models.ForeignKey(
        TrackedLink,
        verbose_name=_("link"),
        on_delete=models.PROTECT,
        related_name="clicks",
    )
    # Which offer the reader was sent to (the link's, or an in-stock fallback): a
    # historical fact kept as a plain id, so that writing a click checks and indexes
    # nothing more, and deleting an offer later leaves its clicks as they were.
    destination_offer_id = models.BigIntegerField(
        _("offer sent to"), null=True, blank=True
    )
    clicked_at = models.DateTimeField(_("clicked at"))
    visitor_hash = models.CharField(
        _("visitor hash"),
        max_length=64,
        blank=True,
        help_text=_(
            "SHA-256 of a salt, the IP and the user agent: the day's salt, or the "
            "hour's under GPC/DNT."
        ),
    )
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    referrer = models.CharField(_("referrer"), max_length=1000, blank=True)
    is_bot = models.BooleanField(_("bot"), default=False)
    is_duplicate = models.BooleanField(_("duplicate"), default=False)
    is_preview = models.BooleanField(_("from a preview"), default=False)
    is_billable = models.BooleanField(_("billable"), default=True)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            # What the duplicate check reads: a visitor's billable click on a link in
            # an hour. Only those are indexed, so the check reads one row however
            # often a visitor clicks, and duplicates and bots cost no entry here.
            models.Index(
                fields=["visitor_hash", "link", "clicked_at"],
                name="click_dedupe",
                condition=DEDUPE_CANDIDATES,
            ),
            models.Index(fields=["clicked_at"], name="click_time"),
        ]

    def __str__(self) -> str:
        return self.click_id


class ClickDemotion(models.Model):
    """A click written as its visitor's billable click on its link for the hour and
    marked a duplicate afterwards, when an earlier click of theirs in that hour was
    written after it (another process's batch). Written in the same transaction as
    the change and deleted once the sales through the click are decided again
    (affiliates.commissions.services.conversions.conversions_click_settle), so that no failure
    between the two leaves a sale released that the click would now hold."""

    click = models.OneToOneField(
        Click, primary_key=True, on_delete=models.CASCADE, related_name="demotion"
    )
    demoted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("click marked a duplicate later")
        verbose_name_plural = _("clicks marked duplicates later")

    def __str__(self) -> str:
        return self.click_id


class VisitorSalt(models.Model):
    """The secret salt of one UTC day for visitor hashes; deleted when it is old, so
    that a visitor hash can never be traced back to an IP address."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("visitor salt")


class HourlySalt(models.Model):
    """The secret salt of one UTC hour for the visitor hashes of readers who opt out
    of tracking (GPC or DNT): their clicks are told apart within the hour, so that
    they bill once an hour like anyone's, and the salt is deleted as soon as the
    hour is over (affiliates.tasks.purge_hourly_salts), so that nothing links their
    clicks to each other, or to them, after it."""

    hour = models.DateTimeField(unique=True)
    salt = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("hourly visitor salt")
        verbose_name_plural = _("hourly visitor salts")
