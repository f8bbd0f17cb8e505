"""Creators: a member's profile (kind, shares, referrer, invite code) and the groups that say who creates and who edits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from products.validators import percent_validators


class CreatorKind(models.TextChoices):
    KOL = "kol", _("KOL (invited influencer)")
    MEMBER = "member", _("Member")


class CreatorProfile(index.Indexed, models.Model):
    """The public face of a creator; every article has one as its author."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="creator_profile",
    )
    public_name = models.CharField(_("public name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    avatar = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("avatar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=CreatorKind.choices,
        default=CreatorKind.MEMBER,
    )
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        help_text=_("The creator who invited this one, if any."),
    )
    author_share = models.DecimalField(
        _("author share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=percent_validators,
        help_text=_(
            "Percent of the platform's commission this creator earns as author. "
            "Leave empty for the share of their kind (Settings → Commission settings)."
        ),
    )
    customer_refs = models.TextField(
        _("customer references"),
        blank=True,
        help_text=_(
            "The creator's own buyer references as merchants report them (one per "
            "line): a purchase with one of these is a self-purchase."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("user"),
        MultiFieldPanel(
            [FieldPanel("public_name"), FieldPanel("slug"), FieldPanel("bio")],
            heading=_("Public profile"),
        ),
        FieldPanel("avatar"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("referred_by")]),
        MultiFieldPanel(
            [FieldPanel("author_share"), FieldPanel("customer_refs")],
            heading=_("Commission"),
        ),
    ]
    search_fields = [
        index.SearchField("public_name"),
        index.AutocompleteField("public_name"),
        index.SearchField("slug"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["public_name"]
        verbose_name = _("creator profile")
        verbose_name_plural = _("creator profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(referred_by__isnull=True) | ~Q(referred_by=F("pk")),
                name="creator_not_self_referred",
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    def customer_ref_set(self) -> frozenset[str]:
        return frozenset(
            line.strip() for line in self.customer_refs.splitlines() if line.strip()
        )

    def clean(self) -> None:
        # Whether an own author share fits beside the referral overrides is checked
        # where a share is set (creators.services.creator_author_share_check): the
        # overrides are commission settings, which this model does not know.
        # Walk up the referral chain: a creator can be neither their own referrer
        # nor the referrer of anyone above them.
        referrer = self.referred_by
        seen: set[int] = set()
        while referrer is not None and referrer.pk not in seen:
            if self.pk is not None and referrer.pk == self.pk:
                raise ValidationError(
                    {
                        "referred_by": _(
                            "A creator cannot be referred by themselves or by someone they referred."
                        )
                    }
                )
            seen.add(referrer.pk)
            referrer = referrer.referred_by
