"""Pages: the home page, the articles section, reviews and guides; webhook endpoints
and their deliveries.

Layering: models <- selectors/services <- reader/api/admin/webhooks, and this module
imports none of those. A Wagtail page is also its own view, though: its
``get_context`` builds the reader site's context (``content.reader.pages``), and
``publish`` and ``serve_preview`` call the services. The pages keep those methods,
where a Wagtail developer looks for them, and call what the layers above hand them
in ``ContentConfig.ready()`` (``PageDelegates``, below). How the API shows a page's
fields is the API's business: ``api_fields`` only name them, and
``content.api.serializers`` says how the computed ones are serialized.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.api import APIField
from wagtail.contrib.settings.models import (
    BaseGenericSetting,
    BaseSiteSetting,
    register_setting,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from content.blocks import ArticleBodyBlock, ComparisonRowBlock, GuidePickBlock
from content.forms import ArticlePageForm
from products.fields import EncryptedTextField
from products.outbound import outbound_url_check
from products.signing import signing_secret_new

ARTICLE_TYPES = ["content.ReviewPage", "content.GuidePage"]


@dataclass(frozen=True)
class PageDelegates:
    """What the page models call, when served or published, in the layers above
    them: the reader site's context of each page type (``content.reader.pages``) and
    the services that publish an article's links and share its preview.

    The models cannot import those layers (they import the models), so
    ``ContentConfig.ready()`` makes one of these and keeps it; ``page_delegates()``
    finds it. Each callable takes the keyword arguments its service takes.
    """

    home_page_context: Callable[..., dict]
    article_index_page_context: Callable[..., dict]
    article_page_context: Callable[..., dict]
    article_links_publish: Callable[..., object]
    article_preview_share: Callable[..., str]


def page_delegates() -> PageDelegates:
    """The app's ``PageDelegates`` (set when the app registry is ready)."""
    return apps.get_app_config("content").page_delegates


class PreviewInAdminFrameMixin:
    """The admin shows a page's preview in a frame of its own origin; every other
    response of the site keeps X-Frame-Options: DENY."""

    def serve_preview(self, request, mode_name):
        response = super().serve_preview(request, mode_name)
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


@register_setting(icon="warning")
class AffiliateDisclosureSettings(BaseSiteSetting):
    """What every article says, before its first tracked link, about commissions."""

    text_zh = models.TextField(
        _("disclosure (Chinese)"),
        default="广告：本文含推广链接。通过文中链接购买，作者可能获得佣金，你支付的价格不变。",
    )
    text_en = models.TextField(
        _("disclosure (English)"),
        default=(
            "Advertising: this article contains affiliate links. If you buy through "
            "them, the author may earn a commission, at no extra cost to you."
        ),
    )

    class Meta:
        verbose_name = _("affiliate disclosure")

    def text_for(self, *, language: str) -> str:
        return self.text_zh if language.startswith("zh") else self.text_en


class HomePage(PreviewInAdminFrameMixin, Page):
    """The site's front page, curated by editors."""

    intro = RichTextField(_("intro"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "featured_articles",
            heading=_("Featured articles"),
            label=_("Article"),
            max_num=12,
        ),
        InlinePanel(
            "collection_placements", heading=_("Collections"), label=_("Collection")
        ),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ArticleIndexPage"]
    max_count = 1
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [
        APIField("intro"),
        APIField("featured_articles"),
        APIField("collection_placements"),
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        return page_delegates().home_page_context(
            request=request,
            page=self,
            context=super().get_context(request, *args, **kwargs),
        )


class ArticleChoice(Orderable):
    """One article chosen by an editor, in order (featured or in a collection)."""

    article = models.ForeignKey(
        "content.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [PageChooserPanel("article", page_type=ARTICLE_TYPES)]
    api_fields = [APIField("article")]

    class Meta(Orderable.Meta):
        abstract = True


class HomePageFeaturedArticle(ArticleChoice):
    page = ParentalKey(
        HomePage, on_delete=models.CASCADE, related_name="featured_articles"
    )


class ArticleCollection(ClusterableModel):
    """A named, ordered collection of articles, such as “Gifts under ¥200”."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True, max_length=500)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        InlinePanel("items", heading=_("Articles"), label=_("Article")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("article collection")
        verbose_name_plural = _("article collections")

    def __str__(self) -> str:
        return self.name


class ArticleCollectionItem(ArticleChoice):
    collection = ParentalKey(
        ArticleCollection, on_delete=models.CASCADE, related_name="items"
    )


class HomePageCollection(Orderable):
    page = ParentalKey(
        HomePage, on_delete=models.CASCADE, related_name="collection_placements"
    )
    collection = models.ForeignKey(
        ArticleCollection,
        verbose_name=_("collection"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("collection")]
    api_fields = [APIField("collection")]


class ArticleIndexPage(PreviewInAdminFrameMixin, Page):
    """The articles section: creators write here and nowhere else."""

    intro = RichTextField(_("intro"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ARTICLE_TYPES
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("articles section")

    def get_context(self, request, *args, **kwargs):
        return page_delegates().article_index_page_context(
            request=request,
            page=self,
            context=super().get_context(request, *args, **kwargs),
        )


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(PreviewInAdminFrameMixin, Page):
    """What reviews and guides share: an author, a summary, a hero image, a body.

    Concrete (multi-table) so that every article, whatever its type, can be listed,
    searched and joined to its author in one query.
    """

    author = models.ForeignKey(
        "affiliates.CreatorProfile",
        verbose_name=_("author"),
        null=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    summary = models.TextField(
        _("summary"),
        max_length=400,
        help_text=_("One or two sentences for lists and search."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(
        through=ArticleTag, blank=True, verbose_name=_("tags")
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_(
            "The language the article is written in; its disclosure follows it."
        ),
    )

    base_form_class = ArticlePageForm
    is_creatable = False
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types: list[str] = []

    article_panels = [
        FieldPanel("author"),
        FieldPanel("language"),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.RelatedFields("author", [index.SearchField("public_name")]),
        index.FilterField("author"),
    ]
    api_fields = [
        APIField("author"),
        APIField("language"),
        APIField("summary"),
        APIField("hero_image"),
        APIField("tags"),
        APIField("body"),
        APIField("disclosure"),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def publish(self, revision, *args, **kwargs):
        """Publishing gives every product embed its tracked links (and retires the
        links of embeds that are gone), whichever way the page is published."""
        result = super().publish(revision, *args, **kwargs)
        page_delegates().article_links_publish(article=revision.as_object())
        return result

    @property
    def preview_modes(self):
        """The reader site's page, and the frontend's if one is configured."""
        modes = [("", _("Reader site"))]
        if settings.ZHONGCAO_FRONTEND_PREVIEW_URL:
            modes.append(("frontend", _("On the frontend")))
        return modes

    def serve_preview(self, request, mode_name):
        if mode_name == "frontend" and settings.ZHONGCAO_FRONTEND_PREVIEW_URL:
            share_url = page_delegates().article_preview_share(
                request=request, article=self
            )
            return redirect(share_url)
        return super().serve_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        return page_delegates().article_page_context(
            request=request,
            page=self,
            context=super().get_context(request, *args, **kwargs),
        )

    def _stream_ids_store(self) -> None:
        # Stream data written in Wagtail's short list form (a ListBlock as a plain list
        # of values) gets its item ids only when loaded, and new ones at every load.
        # Loading every block before saving stores the ids, so placements stay put.
        for field in self._meta.fields:
            if isinstance(field, StreamField):
                for _block in getattr(self, field.attname):
                    pass

    def save(self, *args, **kwargs):
        self._stream_ids_store()
        return super().save(*args, **kwargs)

    def save_revision(self, *args, **kwargs):
        self._stream_ids_store()
        return super().save_revision(*args, **kwargs)


class ReviewPage(ArticlePage):
    """A review of one product: rating, verdict, pros and cons."""

    page_description = _("One product you tried: a rating out of 10, pros and cons.")

    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("reviewed product"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rating = models.DecimalField(
        _("rating (out of 10)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    verdict = models.CharField(_("verdict"), max_length=200)
    pros = StreamField(
        [("point", wagtail_blocks.CharBlock(max_length=200, label=_("pro")))],
        verbose_name=_("pros"),
        blank=True,
    )
    cons = StreamField(
        [("point", wagtail_blocks.CharBlock(max_length=200, label=_("con")))],
        verbose_name=_("cons"),
        blank=True,
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(ArticlePage.article_panels, heading=_("Article")),
        MultiFieldPanel(
            [
                FieldPanel("product"),
                FieldRowPanel([FieldPanel("rating"), FieldPanel("verdict")]),
                FieldPanel("pros"),
                FieldPanel("cons"),
            ],
            heading=_("Review"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types: list[str] = []
    is_creatable = True
    search_fields = [
        *ArticlePage.search_fields,
        index.SearchField("verdict"),
        index.SearchField("pros"),
        index.SearchField("cons"),
        index.RelatedFields(
            "product", [index.SearchField("title"), index.SearchField("brand")]
        ),
    ]
    api_fields = [
        *ArticlePage.api_fields,
        APIField("product"),
        APIField("rating"),
        APIField("verdict"),
        APIField("pros"),
        APIField("cons"),
    ]

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=0) & models.Q(rating__lte=10),
                name="review_rating_out_of_ten",
            )
        ]


class GuidePage(ArticlePage):
    """A buying guide (“best X for Y”): ranked picks and a comparison."""

    page_description = _(
        "Several products ranked for one need (“best X for Y”), with a comparison."
    )

    intro = RichTextField(_("intro"), features=["bold", "italic", "link"])
    picks = StreamField(
        [("pick", GuidePickBlock())],
        verbose_name=_("ranked picks"),
        help_text=_("In rank order: the first is the top pick."),
        min_num=1,
    )
    show_comparison_table = models.BooleanField(
        _("show a comparison table of the picks"), default=False
    )
    comparison_rows = StreamField(
        [("row", ComparisonRowBlock())],
        verbose_name=_("comparison rows"),
        help_text=_(
            "Extra rows for the table; price and rating rows are added for you."
        ),
        blank=True,
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(ArticlePage.article_panels, heading=_("Article")),
        FieldPanel("intro"),
        FieldPanel("picks"),
        MultiFieldPanel(
            [FieldPanel("show_comparison_table"), FieldPanel("comparison_rows")],
            heading=_("Comparison table"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types: list[str] = []
    is_creatable = True
    search_fields = [
        *ArticlePage.search_fields,
        index.SearchField("intro"),
        index.SearchField("picks"),
        index.SearchField("comparison_rows"),
    ]
    api_fields = [
        *ArticlePage.api_fields,
        APIField("intro"),
        APIField("picks"),
        APIField("show_comparison_table"),
        APIField("comparison_rows"),
    ]

    class Meta:
        verbose_name = _("buying guide")
        verbose_name_plural = _("buying guides")


# -- Outbound webhooks (content.webhooks) ------------------------------------------


class WebhookEvent(models.TextChoices):
    """What a frontend can be told about; each names what changed."""

    ARTICLE_PUBLISHED = "article.published", _("Article published")
    ARTICLE_UNPUBLISHED = "article.unpublished", _("Article unpublished")
    ARTICLE_DELETED = "article.deleted", _("Article deleted")
    PRODUCT_CHANGED = "product.changed", _("Product or offer changed")


class DeliveryStatus(models.TextChoices):
    # A context: "Pending" alone is the affiliates app's (a commission waiting).
    PENDING = "pending", pgettext_lazy("webhook delivery status", "Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


def webhook_secret_new() -> str:
    """A new signing secret for a webhook endpoint (the field's default)."""
    return signing_secret_new()


class WebhookEndpoint(models.Model):
    """Where Zhongcao POSTs signed events, and which events it wants."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An http:// or https:// address that accepts POST requests."),
    )
    # Encrypted, not hashed: signing needs the secret itself. Generated, never typed.
    secret = EncryptedTextField(
        _("signing secret"), default=webhook_secret_new, editable=False
    )
    secret_created_at = models.DateTimeField(
        _("secret created at"), default=timezone.now, editable=False
    )
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Deliveries are POSTed to it: never inside the network (products.outbound).
        if self.url:
            try:
                outbound_url_check(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error.messages}) from error

    def subscribes_to(self, event_type: str) -> bool:
        return self.is_active and event_type in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, written in the transaction that
    made the change, then delivered (and retried) until it succeeds or fails."""

    delivery_id = models.UUIDField(
        _("delivery id"), default=uuid.uuid4, unique=True, editable=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.CharField(_("event id"), max_length=40)
    event_type = models.CharField(
        _("event"), max_length=40, choices=WebhookEvent.choices
    )
    # The exact body sent, so that every attempt sends the same bytes.
    payload = models.TextField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last response status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # Identical events made in one transaction (a product saved with its offers)
    # become one delivery: same batch and same coalesce key.
    batch = models.CharField(max_length=32, blank=True, editable=False)
    coalesce_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="webhook_delivery_due"
            ),
            models.Index(fields=["batch", "coalesce_key"], name="webhook_coalesce"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="webhook_delivery_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"


# -- The publish gate (content.gate) ----------------------------------------------------


@register_setting(icon="warning")
class PublishGateSettings(BaseGenericSetting):
    """How strict the publish gate is: what counts as a price change, and whether an
    article with issues may be published at all (content.gate)."""

    price_change_percent = models.DecimalField(
        _("price change that counts (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15"),
        validators=[
            MinValueValidator(Decimal("0")),
            MaxValueValidator(Decimal("1000")),
        ],
        help_text=_(
            "An embedded offer whose price moved by more than this since the article "
            "was first published is flagged."
        ),
    )
    require_clean_gate = models.BooleanField(
        _("require a clean gate to publish"),
        default=False,
        help_text=_(
            "When on, an article whose offers or price claims have issues is not "
            "published, nor approved in moderation, until they are fixed, unless "
            "an editor chooses “Publish anyway” (recorded)."
        ),
    )

    class Meta:
        verbose_name = _("publish gate")


class PublishGateOverride(models.Model):
    """An article published although its gate had issues: who chose "Publish
    anyway", for which revision, and the issues they saw. Written only by
    ``content.gate.services.gate_override_record``."""

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("revision"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issues = models.JSONField(_("issues"))
    created_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("publish gate override")
        verbose_name_plural = _("publish gate overrides")

    def __str__(self) -> str:
        return f"{self.page_id} @ {self.created_at}"
