"""Tracking ids: the ids a network knows a publisher by, for networks whose links
carry no free sub-id (a Taobao 推广位 adzone_id or 渠道 relation_id, an Amazon
tracking tag).

An editor imports the ids registered with the network into the connection's pool;
the first time a creator's article links to that network's merchant, the creator
(or, when the connection's ``tracking_id_scope`` setting is ``article``, the
creator's article) is given one from the pool, for good: a deep-link template's
``{tracking_id}`` becomes it in their links (tracking.selectors), and an order that
carries it back is credited to them (commissions' attribution). A click id, where
the network carries one too, wins over it.
"""

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from affiliates.models import (
    CreatorProfile,
    NetworkConnection,
    TrackingId,
    TrackingIdScope,
)

logger = logging.getLogger(__name__)

POOL_EMPTY = "No unassigned tracking ids are left: import more from the network."
TRACKING_ID_MAX = 64


class TrackingIdInvalid(ValueError):
    """An imported tracking id that cannot be one (empty, too long, not printable)."""


def tracking_ids_import(
    *, connection: NetworkConnection, values: Iterable[str]
) -> tuple[int, int]:
    """Add ids to the connection's pool; (added, already there). An id that
    cannot be one raises TrackingIdInvalid naming its line, and nothing is added."""
    cleaned = []
    for number, raw in enumerate(values, start=1):
        value = raw.strip()
        if not value:
            continue
        if len(value) > TRACKING_ID_MAX or not value.isprintable() or " " in value:
            raise TrackingIdInvalid(
                _(
                    "Line %(line)s: %(value)s is not a tracking id "
                    "(at most %(limit)s characters, no spaces)."
                )
                % {"line": number, "value": repr(value[:80]), "limit": TRACKING_ID_MAX}
            )
        cleaned.append(value)
    unique = list(dict.fromkeys(cleaned))
    with transaction.atomic():
        known = set(
            TrackingId.objects.filter(
                connection=connection, value__in=unique
            ).values_list("value", flat=True)
        )
        TrackingId.objects.bulk_create(
            [
                TrackingId(connection=connection, value=value)
                for value in unique
                if value not in known
            ]
        )
    return len(unique) - len(known), len(known)


def _scope_article(connection: NetworkConnection, article: Page) -> Page | None:
    scope = connection.settings.get("tracking_id_scope", TrackingIdScope.CREATOR)
    return article if scope == TrackingIdScope.ARTICLE else None


def tracking_ids_assign(
    *, author: CreatorProfile, article: Page, merchant_ids: Iterable[int]
) -> int:
    """Give ``author`` (or their ``article``) an id from the pool of every
    connection of these merchants that has one, unless they have theirs already;
    the number newly given. A pool that ran out shows on its connection's health."""
    connections = NetworkConnection.objects.filter(
        merchant_id__in=set(merchant_ids), tracking_ids__isnull=False
    ).distinct()
    given = 0
    for connection in connections:
        scoped = _scope_article(connection, article)
        mine = Q(connection=connection, creator=author) & (
            Q(article=scoped) if scoped is not None else Q(article__isnull=True)
        )
        if TrackingId.objects.filter(mine).exists():
            continue
        try:
            given += _tracking_id_take(
                connection=connection, author=author, article=scoped
            )
        except IntegrityError:
            # The same creator's other publish took one at the same moment.
            continue
    return given


def _tracking_id_take(
    *, connection: NetworkConnection, author: CreatorProfile, article: Page | None
) -> int:
    with transaction.atomic():
        free = (
            TrackingId.objects.select_for_update(skip_locked=True)
            .filter(connection=connection, creator__isnull=True)
            .order_by("pk")
            .first()
        )
        if free is None:
            logger.warning("Tracking id pool of connection %s is empty", connection.pk)
            NetworkConnection.objects.filter(pk=connection.pk).update(
                last_error_at=timezone.now(), last_error=POOL_EMPTY
            )
            return 0
        free.creator, free.article, free.assigned_at = (
            author,
            article,
            timezone.now(),
        )
        free.save(update_fields=["creator", "article", "assigned_at"])
        return 1
