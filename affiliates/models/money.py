"""The money tracked links earn: conversions, the append-only ledger, and payouts.

The ledger holds every movement of money as an entry that is never edited or
deleted. An *item* is an entry that earns or owes something (an author's share, an
override, the platform's remainder, a reversal carried past a payout, an
adjustment); moving an item from one status to the next (held → pending →
approved → processing → paid) appends two entries that point at the item with
``origin``: minus its amount in the old status, plus in the new one. So a balance
by status is a plain sum of entries, and an item's status is the one status in
which its entries do not sum to zero.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from affiliates.models.connections import NetworkConnection
from affiliates.models.creators import CreatorProfile
from affiliates.models.links import TrackedLink
from products.currencies import in_minor_units, is_active_currency
from products.dates import date_display
from products.fields import EncryptedTextField
from products.money import percent_text
from products.validators import percent_validators, validate_currency

MONEY = {"max_digits": 18, "decimal_places": 4}

# Filters a ``total=Sum("amount")`` annotation to sums that are not zero. Amounts
# have at most 4 decimals, so a true sum is zero or at least 0.0001 away from it;
# SQLite adds decimals as binary floats and may leave 1e-15 where the sum is zero,
# which this threshold absorbs (callers round the sum to its currency). PostgreSQL's
# sums are exact.
NOT_ZERO = Q(total__gt=Decimal("0.00005")) | Q(total__lt=Decimal("-0.00005"))


HUNDRED = Value(Decimal(100))
OVERRIDES = F("override_level_1") + F("override_level_2")


def share_field(verbose_name, default, help_text=""):
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=percent_validators,
        help_text=help_text,
    )


# -- Settings -----------------------------------------------------------------------


class SelfPurchasePolicy(models.TextChoices):
    EARN = "earn", _("Earns commission (自购返利)")
    HOLD = "hold", _("Held for review")


def parse_payout_minimums(text: str) -> dict[str, Decimal]:
    """``CNY 100`` per line (or separated by commas) → {"CNY": Decimal("100")}."""
    minimums: dict[str, Decimal] = {}
    for number, line in enumerate(text.replace(",", "\n").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValidationError(
                _("Line %(line)s: write a currency and an amount, as in CNY 100."),
                params={"line": number},
            )
        code, amount = parts[0].upper(), parts[1]
        if not is_active_currency(code):
            raise ValidationError(
                _("Line %(line)s: %(code)s is not an ISO 4217 currency code in use."),
                params={"line": number, "code": code},
            )
        try:
            value = Decimal(amount)
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite() or value < 0:
            raise ValidationError(
                _("Line %(line)s: %(amount)s is not an amount of zero or more."),
                params={"line": number, "amount": amount},
            )
        minimums[code] = value
    return minimums


@register_setting(icon="cogs")
class CommissionSettings(BaseGenericSetting):
    """Shares, overrides and payout rules. A change applies to conversions that
    arrive afterwards: each conversion keeps the shares it was computed with."""

    kol_author_share = share_field(
        _("author share for KOLs (%)"),
        "80",
        _("Percent of the platform's commission that a KOL author earns."),
    )
    member_author_share = share_field(
        _("author share for members (%)"),
        "60",
        _("Percent of the platform's commission that a member author earns."),
    )
    override_level_1 = share_field(
        _("referral override, level 1 (%)"),
        "10",
        _("Percent of the platform's commission that the author's referrer earns."),
    )
    override_level_2 = share_field(
        _("referral override, level 2 (%)"),
        "5",
        _(
            "Percent that the referrer's referrer earns. There is no third level: "
            "the author and two uplines are the legal ceiling."
        ),
    )
    self_purchase_policy = models.CharField(
        _("when authors buy through their own links"),
        max_length=10,
        choices=SelfPurchasePolicy.choices,
        default=SelfPurchasePolicy.EARN,
    )
    payout_minimums = models.TextField(
        _("payout minimums"),
        default="CNY 100\nUSD 10",
        help_text=_(
            "One currency and amount per line, as in CNY 100. A creator is paid once "
            "their approved balance reaches it; a currency not listed has no minimum."
        ),
    )
    payout_day = models.PositiveSmallIntegerField(
        _("payout day"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "The day of each month on which creators are paid (1 to 28, so that "
            "every month has it). Creators' dashboards show the next one."
        ),
    )

    panels = [
        FieldRowPanel(
            [FieldPanel("kol_author_share"), FieldPanel("member_author_share")]
        ),
        FieldRowPanel([FieldPanel("override_level_1"), FieldPanel("override_level_2")]),
        FieldPanel("self_purchase_policy"),
        FieldRowPanel([FieldPanel("payout_minimums"), FieldPanel("payout_day")]),
    ]

    class Meta:
        verbose_name = _("commission settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(kol_author_share__gte=0)
                & Q(member_author_share__gte=0)
                & Q(override_level_1__gte=0)
                & Q(override_level_2__gte=0)
                & Q(kol_author_share__lte=HUNDRED - OVERRIDES)
                & Q(member_author_share__lte=HUNDRED - OVERRIDES),
                name="commission_settings_shares_within_100",
            ),
            models.CheckConstraint(
                condition=Q(payout_day__gte=1) & Q(payout_day__lte=28),
                name="commission_settings_payout_day_in_every_month",
            ),
        ]

    def clean(self) -> None:
        overrides = (self.override_level_1 or 0) + (self.override_level_2 or 0)
        for field in ("kol_author_share", "member_author_share"):
            if (getattr(self, field) or 0) + overrides > 100:
                raise ValidationError(
                    {
                        field: _(
                            "The author's share and both overrides together cannot "
                            "exceed 100%."
                        )
                    }
                )
        # Creators with a share of their own must keep fitting beside the overrides.
        over = list(
            CreatorProfile.objects.filter(author_share__gt=100 - overrides)
            .order_by("-author_share", "public_name")
            .values_list("public_name", "author_share")[:5]
        )
        if over:
            message = ValidationError(
                _(
                    "The overrides would leave authors %(limit)s%%, less than the own "
                    "share of %(creators)s. Lower those shares first."
                ),
                params={
                    "limit": percent_text(100 - overrides),
                    "creators": ", ".join(
                        f"{name} ({percent_text(share)}%)" for name, share in over
                    ),
                },
            )
            raise ValidationError({"override_level_1": message})
        try:
            parse_payout_minimums(self.payout_minimums)
        except ValidationError as error:
            raise ValidationError({"payout_minimums": error.messages}) from error

    def minimum_for(self, currency: str) -> Decimal:
        return parse_payout_minimums(self.payout_minimums).get(currency, Decimal(0))

    def next_payout_day(self, *, today: datetime.date) -> datetime.date:
        """The first payout day on or after ``today``."""
        if today.day <= self.payout_day:
            return today.replace(day=self.payout_day)
        following = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        return following.replace(day=self.payout_day)


class MerchantConnection(models.Model):
    """How one merchant reports its sales: the postback secret and report columns."""

    merchant = models.OneToOneField(
        "products.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="connection",
    )
    # Encrypted, not hashed: checking an HMAC needs the secret itself.
    postback_secret = EncryptedTextField(_("postback secret"))
    secret_created_at = models.DateTimeField(_("secret created at"))
    order_id_column = models.CharField(max_length=100, default="order_id")
    click_id_column = models.CharField(max_length=100, default="click_id")
    amount_column = models.CharField(max_length=100, default="amount")
    currency_column = models.CharField(max_length=100, default="currency")
    status_column = models.CharField(max_length=100, default="status")
    occurred_at_column = models.CharField(max_length=100, default="occurred_at")
    commission_column = models.CharField(
        max_length=100, default="commission", blank=True
    )
    customer_ref_column = models.CharField(
        max_length=100, default="customer_ref", blank=True
    )
    status_values = models.TextField(
        _("status values"),
        blank=True,
        help_text=_(
            "The report's own words for statuses, one per line, as in "
            "Declined = cancelled. Ours (pending, approved, refunded, cancelled) "
            "always work."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("order_id_column"), FieldPanel("click_id_column")]
                ),
                FieldRowPanel(
                    [FieldPanel("amount_column"), FieldPanel("currency_column")]
                ),
                FieldRowPanel(
                    [FieldPanel("status_column"), FieldPanel("occurred_at_column")]
                ),
                FieldRowPanel(
                    [FieldPanel("commission_column"), FieldPanel("customer_ref_column")]
                ),
                FieldPanel("status_values"),
            ],
            heading=_("Report columns"),
        ),
    ]

    class Meta:
        verbose_name = _("merchant connection")
        verbose_name_plural = _("merchant connections")

    def __str__(self) -> str:
        return str(self.merchant)

    COLUMN_FIELDS = (
        "order_id",
        "click_id",
        "amount",
        "currency",
        "status",
        "occurred_at",
        "commission",
        "customer_ref",
    )

    def columns(self) -> dict[str, str]:
        """Our field → the report's column name (only those that are set)."""
        return {
            field: getattr(self, f"{field}_column").strip()
            for field in self.COLUMN_FIELDS
            if getattr(self, f"{field}_column").strip()
        }

    def status_mapping(self) -> dict[str, str]:
        mapping = {status.value: status.value for status in ConversionStatus}
        for line in self.status_values.splitlines():
            theirs, sep, ours = line.partition("=")
            if sep and ours.strip().lower() in mapping:
                mapping[theirs.strip().lower()] = ours.strip().lower()
        return mapping

    def clean(self) -> None:
        known = {status.value for status in ConversionStatus}
        for number, line in enumerate(self.status_values.splitlines(), start=1):
            if not line.strip():
                continue
            theirs, sep, ours = line.partition("=")
            if not sep or not theirs.strip() or ours.strip().lower() not in known:
                raise ValidationError(
                    {
                        "status_values": _(
                            "Line %(line)s: write their word = one of pending, "
                            "approved, refunded, cancelled."
                        )
                        % {"line": number}
                    }
                )


# -- Conversions ----------------------------------------------------------------------


class ConversionStatus(models.TextChoices):
    """The status a merchant reports."""

    # Contexts: a merchant's "pending" order and a pending commission read differently
    # in Chinese, and Wagtail's own "Approved" (a page) must keep its translation.
    PENDING = "pending", pgettext_lazy("conversion status", "Pending")
    APPROVED = "approved", pgettext_lazy("conversion status", "Approved")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class UnattributedReason(models.TextChoices):
    NO_CLICK_ID = "no_click_id", _("No click id")
    INVALID_CLICK_ID = "invalid_click_id", _("Click id not ours or altered")
    UNKNOWN_LINK = "unknown_link", _("Click id of a link that no longer exists")
    BEFORE_CLICK = "before_click", _("Purchase before the click")
    OUTSIDE_WINDOW = "outside_window", _("Purchase after the attribution window")
    UNKNOWN_TRACKING_ID = "unknown_tracking_id", _("Tracking id not given to a creator")
    BEFORE_TRACKING_ID = (
        "before_tracking_id",
        _("Purchase before the tracking id was given"),
    )


class HoldReason(models.TextChoices):
    BOT = "bot", _("Click by a bot")
    DUPLICATE = "duplicate", _("Duplicate click")
    PREVIEW = "preview", _("Click from a preview")
    SELF_PURCHASE = "self_purchase", _("Self-purchase")
    # The sale arrived before its click was written: held until the click's row
    # decides (affiliates.commissions.services.conversions.conversions_click_settle).
    AWAITING_CLICK = "click", _("Waiting for its click to be recorded")


class ReviewState(models.TextChoices):
    NONE = "", _("Not held")
    HELD = "held", _("Held for review")
    RELEASED = "released", _("Approved by an editor")
    REJECTED = "rejected", _("Rejected by an editor")


class AttributedBy(models.TextChoices):
    CLICK = "click", _("Click")
    # A network's order carried no click id, but an id the network knows the
    # publisher by, which we assigned to the creator (connections.TrackingId).
    TRACKING_ID = "tracking-id", _("Tracking id")


class ConversionSource(models.TextChoices):
    POSTBACK = "postback", _("Postback")
    IMPORT = "import", _("Report import")
    # A network called the connection's templated postback URL with its own
    # parameters (affiliates.commissions.networks).
    NETWORK = "network", _("Network postback")
    # A pull of the network's order report API (affiliates.commissions.networks).
    PULL = "pull", _("Network report pull")


class Conversion(models.Model):
    """A purchase a merchant reported, attributed to a click when it can be."""

    merchant = models.ForeignKey(
        "products.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    order_id = models.CharField(_("order id"), max_length=100)
    # A network's order has line items, each its own conversion (attributed, split
    # and refunded on its own) under the same order id; empty for a whole order.
    item_id = models.CharField(_("item id"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=ConversionStatus.choices
    )
    # False while only a refund or cancellation is known: the sale arrives later.
    sale_recorded = models.BooleanField(_("sale recorded"), default=False)
    # A network's figures are estimates until it settles: the modification time of
    # the figures in force, so that only a later change replaces them.
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)
    # The connection says its commission is approvable only once the network
    # reports the sale settled (status approved), never before the hold period.
    awaits_settlement = models.BooleanField(
        _("awaits the network's settlement"), default=False
    )
    amount = models.DecimalField(_("sale amount"), **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_currency]
    )
    stated_commission = models.DecimalField(
        _("commission stated by the merchant"), null=True, blank=True, **MONEY
    )
    commission_rate = models.DecimalField(
        _("commission rate used (%)"), max_digits=5, decimal_places=2, null=True
    )
    commission = models.DecimalField(_("platform commission"), **MONEY)
    occurred_at = models.DateTimeField(_("purchased at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ConversionSource.choices
    )
    customer_ref = models.CharField(_("customer reference"), max_length=128, blank=True)

    # Attribution, through the signed click id.
    click_id = models.CharField(_("click id"), max_length=64, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)
    link = models.ForeignKey(
        TrackedLink,
        verbose_name=_("link"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversions",
    )
    author = models.ForeignKey(
        CreatorProfile,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversions",
    )
    article = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offer = models.ForeignKey(
        "products.Offer",
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    placement = models.CharField(_("placement"), max_length=64, blank=True)
    attributed_by = models.CharField(
        _("attributed by"), max_length=12, choices=AttributedBy.choices, blank=True
    )
    tracking_id = models.CharField(_("tracking id"), max_length=64, blank=True)
    unattributed_reason = models.CharField(
        _("why unattributed"),
        max_length=20,
        choices=UnattributedReason.choices,
        blank=True,
    )

    # Shares as they were when the sale arrived (settings never apply backwards).
    author_share = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    override_1_share = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    override_2_share = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    hold_until = models.DateTimeField(_("approvable from"), null=True, blank=True)
    hold_reason = models.CharField(
        _("held because"), max_length=20, choices=HoldReason.choices, blank=True
    )
    review = models.CharField(
        pgettext_lazy("held conversion", "review"),
        max_length=10,
        choices=ReviewState.choices,
        blank=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "order_id", "item_id"],
                name="conversion_one_per_order_item",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(commission__gte=0),
                name="conversion_amounts_not_negative",
            ),
            # The shares a commission is split by never hand out more than it.
            models.CheckConstraint(
                condition=Q(author_share__gte=0)
                & Q(override_1_share__gte=0)
                & Q(override_2_share__gte=0)
                & Q(
                    author_share__lte=HUNDRED
                    - F("override_1_share")
                    - F("override_2_share")
                ),
                name="conversion_shares_within_100",
            ),
            # A merchant never pays more commission than the sale: refused at the
            # postback and the import (affiliates.commissions.postbacks), and here whatever
            # writes the row.
            models.CheckConstraint(
                condition=Q(commission__lte=F("amount"))
                & (
                    Q(stated_commission__isnull=True)
                    | Q(stated_commission__lte=F("amount"))
                ),
                name="conversion_commission_within_sale",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "occurred_at"], name="conversion_author"),
            models.Index(fields=["click_id"], name="conversion_click"),
            # Which days' rollups a refresh must recompute (rollups_refresh).
            models.Index(fields=["updated_at"], name="conversion_updated"),
            # The few sales waiting for their click's row, read after every batch
            # of clicks is written.
            models.Index(
                fields=["click_id"],
                name="conversion_awaiting_click",
                condition=Q(
                    hold_reason=HoldReason.AWAITING_CLICK, review=ReviewState.HELD
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.item_id:
            return f"{self.merchant_id}:{self.order_id}:{self.item_id}"
        return f"{self.merchant_id}:{self.order_id}"

    @property
    def is_attributed(self) -> bool:
        return self.author_id is not None


class ConversionReport(models.Model):
    """Each status a merchant reported for an order, once: the conversion's history,
    and what makes a repeated postback idempotent."""

    conversion = models.ForeignKey(
        Conversion, on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(max_length=10, choices=ConversionStatus.choices)
    amount = models.DecimalField(**MONEY)
    stated_commission = models.DecimalField(null=True, blank=True, **MONEY)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=ConversionSource.choices)
    # The network connection it came through (a templated postback or a pull).
    connection = models.ForeignKey(
        NetworkConnection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("conversion report")
        constraints = [
            models.UniqueConstraint(
                fields=["conversion", "status"], name="conversion_report_once"
            )
        ]


# -- Ledger ---------------------------------------------------------------------------


class EntryKind(models.TextChoices):
    AUTHOR = "author", _("Author's commission")
    OVERRIDE_1 = "override_1", _("Referral override, level 1")
    OVERRIDE_2 = "override_2", _("Referral override, level 2")
    PLATFORM = "platform", _("Platform remainder")
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Adjustment")
    # Moves between statuses: always a pair, minus in one status and plus in another.
    RELEASE = "release", _("Released after review")
    # Pending money held again: its click turned out a duplicate after the sale was
    # released (a reader's earlier click in the hour was written later).
    HOLD = "hold", _("Held again for review")
    APPROVAL = "approval", _("Approval")
    PAYOUT = "payout", _("Payout")


EARNING_KINDS = (
    EntryKind.AUTHOR,
    EntryKind.OVERRIDE_1,
    EntryKind.OVERRIDE_2,
    EntryKind.PLATFORM,
)


class EntryStatus(models.TextChoices):
    HELD = "held", _("Held for review")
    PENDING = "pending", pgettext_lazy("commission status", "Pending")
    APPROVED = "approved", pgettext_lazy("commission status", "Approved")
    PROCESSING = "processing", _("In a payout")
    PAID = "paid", _("Paid")


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Ledger entries are never changed."))

    def delete(self):
        raise ValidationError(_("Ledger entries are never deleted."))

    update.queryset_only = True
    delete.queryset_only = True


class LedgerEntry(models.Model):
    """One movement of money. Append-only: saving an existing entry, or deleting
    one, raises, and the database refuses an UPDATE too (see migration 0004)."""

    creator = models.ForeignKey(
        CreatorProfile,
        verbose_name=_("creator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        help_text=_("Empty for the platform's own share."),
    )
    conversion = models.ForeignKey(
        Conversion,
        verbose_name=_("conversion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    payout = models.ForeignKey(
        "Payout",
        verbose_name=_("payout"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=EntryStatus.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    origin = models.ForeignKey(
        "self",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves",
        help_text=_("The item this entry moves or cancels."),
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(
                fields=["creator", "currency", "status"], name="ledger_balance"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="ledger_entry_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Ledger entries are never changed."))
        if not in_minor_units(self.amount, self.currency):
            raise ValidationError(
                _("%(amount)s has more decimals than %(currency)s allows."),
                params={"amount": self.amount, "currency": self.currency},
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries are never deleted."))


# -- Payouts --------------------------------------------------------------------------


class PayoutStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PayoutRun(models.Model):
    """The payouts an editor made on one date."""

    run_date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-run_date", "-pk"]
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")

    def __str__(self) -> str:
        return str(_("Payout run of %(date)s") % {"date": date_display(self.run_date)})


class Payout(models.Model):
    """What one creator is paid in one currency in a run."""

    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="payouts")
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="payouts"
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PayoutStatus.choices,
        default=PayoutStatus.OPEN,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["run", "creator__public_name", "currency"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            # One open payout per creator and currency; that a creator is in no
            # two open runs is checked by payout_run_create under a lock.
            models.UniqueConstraint(
                fields=["creator", "currency"],
                condition=Q(status="open"),
                name="payout_one_open_per_creator",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.creator} {self.amount} {self.currency}"
