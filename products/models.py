"""The catalog: merchants, products and their offers."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from . import deeplinks
from .currencies import currency_normalize
from .forms import MerchantForm, ProductForm
from .outbound import outbound_host_check, outbound_url_check
from .validators import (
    host_is_allowed,
    parse_domains,
    percent_validators,
    validate_currency,
    validate_gtin,
    validate_offer_url,
)


class Merchant(index.Indexed, models.Model):
    """A shop, or an affiliate network that sells for shops, and pays commission."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    website = models.URLField(_("website"), max_length=500)
    allowed_domains = models.TextField(
        _("allowed domains"),
        help_text=_(
            "Domains that offer URLs may use, one per line. A domain also allows its "
            "subdomains: jd.com allows item.jd.com."
        ),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, such as CNY or USD."),
    )
    default_commission_rate = models.DecimalField(
        _("default commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=percent_validators,
        help_text=_("Percent of the sale the merchant pays the platform, 0–100."),
    )
    attribution_window_days = models.PositiveIntegerField(
        _("attribution window (days)"),
        default=30,
        validators=[MinValueValidator(0)],
        help_text=_("How long after a click a purchase is still credited to it."),
    )
    hold_period_days = models.PositiveIntegerField(
        _("hold period (days)"),
        default=30,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Days before a pending commission can be approved (refund window)."
        ),
    )
    deep_link_template = models.CharField(
        _("deep-link template"),
        max_length=500,
        default=deeplinks.DEFAULT_TEMPLATE,
        help_text=_(
            "How the click id reaches the merchant as sub-id: {url}?subid={click_id} adds "
            "a parameter to the offer URL; a network wraps it, as in "
            "https://network.example/deeplink?u={url|urlencode}&sid={click_id}."
        ),
    )
    sends_referrer = models.BooleanField(
        _("needs the referrer"),
        default=False,
        help_text=_(
            "Send the article's full URL as referrer when readers leave for this merchant."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("slug"), FieldPanel("website")],
            heading=_("Merchant"),
        ),
        FieldPanel("allowed_domains"),
        FieldRowPanel([FieldPanel("currency"), FieldPanel("default_commission_rate")]),
        FieldRowPanel(
            [FieldPanel("attribution_window_days"), FieldPanel("hold_period_days")]
        ),
        FieldPanel("deep_link_template"),
        FieldPanel("sends_referrer"),
    ]
    base_form_class = MerchantForm
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("allowed_domains"),
        index.FilterField("currency"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_commission_rate__gte=0)
                & Q(default_commission_rate__lte=100),
                name="merchant_commission_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(attribution_window_days__gte=0)
                & Q(hold_period_days__gte=0),
                name="merchant_days_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def domains(self) -> list[str]:
        try:
            return parse_domains(self.allowed_domains)
        except ValidationError:
            return []

    def clean_fields(self, exclude=None) -> None:
        self.currency = currency_normalize(self.currency)
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            domains = parse_domains(self.allowed_domains)
            # Offer URLs on these domains are fetched by the link checker.
            for domain in domains:
                outbound_host_check(domain)
        except ValidationError as error:
            errors["allowed_domains"] = error.messages
        else:
            self.allowed_domains = "\n".join(domains)
            if not self.allowed_domains:
                errors["allowed_domains"] = [_("Give at least one domain.")]
        try:
            deeplinks.deep_link_check(self.deep_link_template)
        except ValidationError as error:
            errors["deep_link_template"] = error.messages
        else:
            host = deeplinks.deep_link_host(self.deep_link_template)
            if (
                host
                and "allowed_domains" not in errors
                and not host_is_allowed(host, parse_domains(self.allowed_domains))
            ):
                errors["deep_link_template"] = [
                    _("The network host %(host)s must be one of the allowed domains.")
                    % {"host": host}
                ]
        if errors:
            raise ValidationError(errors)


class ProductTag(TaggedItemBase):
    content_object = ParentalKey(
        "products.Product", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProductQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class Product(index.Indexed, ClusterableModel):
    """A thing that can be bought. Its offers say where, for how much."""

    objects = ProductQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(
        through=ProductTag, blank=True, verbose_name=_("tags")
    )
    gtin = models.CharField(
        _("GTIN"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        help_text=_("EAN/UPC barcode number, if known."),
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("brand"), FieldPanel("gtin"), FieldPanel("sku")]),
        FieldPanel("description"),
        FieldPanel("image"),
        FieldPanel("tags"),
        InlinePanel("offers", heading=_("Offers"), label=_("Offer")),
    ]
    base_form_class = ProductForm
    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("brand"),
        index.AutocompleteField("brand"),
        index.SearchField("description"),
        index.SearchField("slug"),
        index.FilterField("brand"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.brand} {self.title}".strip() if self.brand else self.title


class Availability(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    DISCONTINUED = "discontinued", _("Discontinued")


class Offer(models.Model):
    """One merchant's listing of one product."""

    product = ParentalKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="offers",
    )
    url = models.URLField(_("URL"), max_length=2000)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0"), message=_("A price cannot be negative."))
        ],
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[validate_currency],
        help_text=_("ISO 4217 code; leave empty for the merchant's currency."),
    )
    availability = models.CharField(
        _("availability"),
        max_length=20,
        choices=Availability.choices,
        default=Availability.IN_STOCK,
    )
    commission_rate = models.DecimalField(
        _("commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=percent_validators,
        help_text=_("Leave empty to use the merchant's default rate."),
    )
    list_price = models.DecimalField(
        _("regular price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message=_("A price cannot be negative."))
        ],
        help_text=_(
            "The price before a sale, when the offer is on sale; empty otherwise."
        ),
    )
    feed_item_id = models.CharField(
        _("feed item id"),
        max_length=150,
        blank=True,
        help_text=_(
            "The merchant's id for this offer in its product feed or network "
            "(a feed's g:id); kept up to date by the feed."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("merchant"), FieldPanel("availability")]),
        FieldPanel("url"),
        FieldRowPanel(
            [
                FieldPanel("price"),
                FieldPanel("list_price"),
                FieldPanel("currency"),
                FieldPanel("commission_rate"),
            ]
        ),
    ]

    class Meta:
        ordering = ["product", "price"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="offer_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__isnull=True)
                | (Q(commission_rate__gte=0) & Q(commission_rate__lte=100)),
                name="offer_commission_rate_percent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["merchant", "feed_item_id"],
                name="offer_feed_item",
                condition=~Q(feed_item_id=""),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.product} @ {self.merchant}" if self.merchant_id else str(self.url)
        )

    @property
    def effective_commission_rate(self) -> Decimal:
        if self.commission_rate is not None:
            return self.commission_rate
        return self.merchant.default_commission_rate

    def clean_fields(self, exclude=None) -> None:
        self.currency = currency_normalize(self.currency)
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if not self.currency and self.merchant_id:
            self.currency = self.merchant.currency
        if self.merchant_id and self.url:
            try:
                # The link checker fetches it: never inside the network.
                outbound_url_check(self.url)
                validate_offer_url(self.url, self.merchant.domains)
            except ValidationError as error:
                errors["url"] = error.messages
        if errors:
            raise ValidationError(errors)


class PriceSource(models.TextChoices):
    """Who told Zhongcao an offer's price."""

    EDITOR = "editor", _("Editor")
    FEED = "feed", _("Merchant feed")
    NETWORK = "network", _("Network API")


class OfferPrice(models.Model):
    """One state of an offer's price and stock, from ``recorded_at`` until the next.

    Append-only: ``products.services.offer_prices_record`` adds a row when an offer's
    price, regular price, currency or availability differs from its last row, and
    nothing changes or deletes one. The lowest prices of a period
    (``products.selectors.offers_lowest_prices``) are read from here."""

    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        on_delete=models.CASCADE,
        related_name="price_history",
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    list_price = models.DecimalField(
        _("regular price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices
    )
    recorded_at = models.DateTimeField(_("since"))
    source = models.CharField(_("source"), max_length=10, choices=PriceSource.choices)

    class Meta:
        verbose_name = _("offer price")
        verbose_name_plural = _("offer prices")
        ordering = ["offer", "recorded_at", "pk"]
        indexes = [
            models.Index(fields=["offer", "recorded_at"], name="offer_price_since")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="offer_price_history_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id}: {self.price} {self.currency} ({self.recorded_at})"


class LinkStatus(models.TextChoices):
    """What the link checker concludes about an offer's URL (products.services)."""

    OK = "ok", _("OK")
    SUSPECT = "suspect", _("Suspect (not found once)")
    BROKEN = "broken", _("Broken")
    ERROR = "error", _("Error (not broken yet)")
    BLOCKED = "blocked", _("Blocked / unknown")


class CheckResult(models.TextChoices):
    """What one check of a URL saw."""

    OK = "ok", _("OK")
    NOT_FOUND = "not_found", _("Not found (404/410)")
    BLOCKED = "blocked", _("Blocked (403/429)")
    ERROR = "error", _("Error")


class OfferLinkCheck(models.Model):
    """The link checker's record of one offer's URL: the last check and the streaks
    that decide whether the link is broken. Written only by
    ``products.services.offer_check_record``; kept apart from the offer so that an
    editor saving the product never overwrites a check, nor a check the offer."""

    offer = models.OneToOneField(
        Offer,
        verbose_name=_("offer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="link_check",
    )
    url = models.URLField(
        _("URL checked"),
        max_length=2000,
        help_text=_("A check of another URL (the offer's was changed) starts afresh."),
    )
    status = models.CharField(
        _("link status"), max_length=10, choices=LinkStatus.choices
    )
    result = models.CharField(
        _("last result"), max_length=10, choices=CheckResult.choices
    )
    http_status = models.PositiveSmallIntegerField(
        _("HTTP code"), null=True, blank=True
    )
    consecutive_failures = models.PositiveSmallIntegerField(
        _("not found in a row"),
        default=0,
        help_text=_("Consecutive checks that answered 404 or 410."),
    )
    consecutive_errors = models.PositiveSmallIntegerField(
        _("errors in a row"),
        default=0,
        help_text=_("Consecutive checks that ended in a 5xx, a timeout or no answer."),
    )
    checked_at = models.DateTimeField(_("last checked"))
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("offer link check")
        verbose_name_plural = _("offer link checks")
        indexes = [models.Index(fields=["status"], name="offer_link_check_status")]

    def __str__(self) -> str:
        return f"{self.url}: {self.get_status_display()}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class OfferProposal(models.Model):
    """An item of a merchant's feed that matches none of its offers: proposed to an
    editor, who accepts it (an offer on an existing or a new product) or dismisses
    it; never made into a product without them. Kept up to date by each sync
    (``products.feeds.services``), one per merchant and feed item id."""

    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="offer_proposals",
    )
    feed_item_id = models.CharField(_("feed item id"), max_length=150)
    title = models.CharField(_("title"), max_length=300, blank=True)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    mpn = models.CharField(_("MPN"), max_length=70, blank=True)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    image_url = models.URLField(_("image URL"), max_length=2000, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    list_price = models.DecimalField(
        _("regular price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The offer made when it was accepted."),
    )
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen in the feed"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-seen_at", "pk"]
        verbose_name = _("offer proposal")
        verbose_name_plural = _("offer proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "feed_item_id"], name="offer_proposal_once"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="offer_proposal_price_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "merchant"], name="proposal_status")]

    def __str__(self) -> str:
        return f"{self.title or self.feed_item_id} @ {self.merchant}"
