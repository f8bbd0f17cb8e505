"""Network connections: how a merchant's or a network's orders reach us besides our
own signed postback and report files (MerchantConnection, in money.py).

A connection is a kind (one connector class in affiliates.commissions.networks),
its credentials (encrypted at rest), its settings (the parameter and status maps of
a templated postback, the time zone of a network's report), the API base URL a pull
goes to, and the cursor a pull resumes from. Each pull is recorded as a
ConnectionRun: its window, its progress and its outcome are the connection's health.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from products.fields import EncryptedJSONField


class ConnectionKind(models.TextChoices):
    TEMPLATED_POSTBACK = "templated-postback", _("Templated postback")
    JD_UNION = "jd-union", _("京东联盟 (JD Union) order report")
    TAOBAO_UNION = "taobao-union", _("淘宝联盟 (Taobao Union) order report")
    PDD_DDK = "pdd-ddk", _("多多进宝 (Pinduoduo) order report")
    AWIN = "awin", _("Awin transactions")
    IMPACT = "impact", _("Impact actions")
    # Nothing to pull: Amazon only offers reports, imported by an editor; the
    # connection holds the tracking ids (tags) given to creators.
    AMAZON_ASSOCIATES = "amazon-associates", _("Amazon Associates earnings reports")
    # Not orders: the merchant's product feed (Google Merchant Center format), read
    # on a schedule to keep its offers' prices and stock true (products.feeds).
    MERCHANT_FEED = "merchant-feed", _("Merchant product feed")


def connection_key_new() -> str:
    """The unguessable part of a templated postback's URL (the connection's key)."""
    return secrets.token_urlsafe(16)


class NetworkConnection(models.Model):
    """One way a network reports one merchant's orders (or a network's, for all the
    merchants it runs): a templated postback it calls, or a report API we pull."""

    merchant = models.ForeignKey(
        "products.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="network_connections",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ConnectionKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    key = models.CharField(
        _("key"),
        max_length=64,
        unique=True,
        default=connection_key_new,
        help_text=_("Part of a templated postback's URL."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_("Empty: the network's own. Another only for tests or staging."),
    )
    # The network's names for them (app_key/app_secret, client_id/client_secret,
    # a bearer token, a postback token): never shown again in full, never logged.
    credentials = EncryptedJSONField(_("credentials"), blank=True, default=dict)
    # What is not secret: parameter and status maps, a time zone, an account id.
    settings = models.JSONField(_("settings"), blank=True, default=dict)
    pull_every_minutes = models.PositiveIntegerField(
        _("pull every (minutes)"),
        default=30,
        help_text=_("How often the schedule pulls the network's report."),
    )
    # A pull resumes from here (less the connector's overlap): the end of the last
    # window every order line of which was applied.
    cursor = models.DateTimeField(_("resumes from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True)
    last_error = models.TextField(_("last error's reason"), blank=True)

    class Meta:
        ordering = ["merchant__name", "kind", "pk"]
        verbose_name = _("network connection")
        verbose_name_plural = _("network connections")

    def __str__(self) -> str:
        return self.name or f"{self.merchant} · {self.get_kind_display()}"


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ConnectionRun(models.Model):
    """One pull of a connection's report: its window, progress and outcome."""

    connection = models.ForeignKey(
        NetworkConnection, on_delete=models.CASCADE, related_name="runs"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Progress, saved after each page: what the admin's health shows while it runs.
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("to"))
    lines_seen = models.PositiveIntegerField(_("order lines read"), default=0)
    lines_applied = models.PositiveIntegerField(_("order lines applied"), default=0)
    lines_unchanged = models.PositiveIntegerField(_("already known"), default=0)
    lines_rejected = models.PositiveIntegerField(_("refused"), default=0)
    # A feed's sync: its items that matched no offer, proposed to an editor.
    lines_proposed = models.PositiveIntegerField(_("proposed"), default=0)
    # The first refusals, each "order/item: field: reason"; bounded.
    rejections = models.JSONField(_("refusals"), blank=True, default=list)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("connection run")
        constraints = [
            # One pull of a connection at a time: a second one is refused by the
            # database, whoever started it (the schedule, Pull now, the command).
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(state="running"),
                name="connection_one_running_pull",
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.started_at:%Y-%m-%d %H:%M}"


class TrackingIdScope(models.TextChoices):
    CREATOR = "creator", _("One per creator")
    ARTICLE = "article", _("One per article and creator")


class TrackingId(models.Model):
    """An id a publisher registered with a network that carries no free sub-id (a
    Taobao 推广位 adzone_id or 渠道 relation_id, an Amazon tracking tag): imported
    into a connection's pool, assigned to one creator (or one creator's article)
    the first time their links need one, and never reassigned, so that an order
    carrying it credits them however late it comes."""

    connection = models.ForeignKey(
        NetworkConnection, on_delete=models.CASCADE, related_name="tracking_ids"
    )
    value = models.CharField(_("tracking id"), max_length=64)
    creator = models.ForeignKey(
        "affiliates.CreatorProfile",
        verbose_name=_("creator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    article = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tracking id")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "value"], name="tracking_id_once_per_connection"
            ),
            models.UniqueConstraint(
                fields=["connection", "creator"],
                condition=Q(creator__isnull=False, article__isnull=True),
                name="tracking_id_one_per_creator",
            ),
            models.UniqueConstraint(
                fields=["connection", "creator", "article"],
                condition=Q(creator__isnull=False, article__isnull=False),
                name="tracking_id_one_per_article",
            ),
        ]

    def __str__(self) -> str:
        return self.value
