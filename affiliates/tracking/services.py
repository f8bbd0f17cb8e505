"""Tracking's writes: the tracked links of an article, a click noted on the reader's
path (click_record), clicks written to the database (clicks_store: billable or a
duplicate), and the purges of old clicks and hourly salts."""

import dataclasses
import datetime
import logging
import secrets
import string
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from affiliates.models import (
    Click,
    ClickDemotion,
    Conversion,
    CreatorProfile,
    HourlySalt,
    TrackedLink,
    VisitorSalt,
)
from affiliates.models.links import DEDUPE_CANDIDATES
from affiliates.tracking.clickids import click_id_make
from affiliates.tracking.clicks import (
    USER_AGENT_LENGTH,
    PendingClick,
    click_bot_flag,
    click_is_bot,
    hour_of,
    hourly_visitor_hash,
    request_opts_out,
    visitor_hash,
)
from affiliates.tracking.runtime import TrackingRuntime, tracking_runtime
from affiliates.tracking.selectors import LinkTarget
from affiliates.tracking.trackingids import tracking_ids_assign
from products.locks import CLICK_WRITER, advisory_lock_hold
from products.models import Offer
from products.web import client_address

logger = logging.getLogger(__name__)

# Letters and digits only: codes survive chat apps, SMS and copy-paste whole.
LINK_CODE_ALPHABET = string.ascii_letters + string.digits
LINK_CODE_LENGTH = 10


def _link_code() -> str:
    return "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))


def _embed_full(embed: tuple) -> tuple[str, int, str, int | None]:
    placement, product_id, *rest = embed
    block_type, position = rest if rest else ("", None)
    return placement, product_id, block_type, position


def _link_create(*, block_type: str, position: int | None, **fields) -> TrackedLink:
    # A code collision (one in 2**59 per pair) is retried with a new code.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    code=_link_code(),
                    block_type=block_type,
                    position=position,
                    **fields,
                )
        except IntegrityError:
            existing = TrackedLink.objects.filter(**fields).first()
            if existing is not None:
                return existing
    raise RuntimeError("Could not find a free tracked-link code.")


@transaction.atomic
def article_links_sync(
    *,
    article: Page,
    author: CreatorProfile,
    embeds: Iterable[tuple[str, int] | tuple[str, int, str, int]],
    preview: bool = False,
) -> dict[tuple[str, int], TrackedLink]:
    """Give every product embed of an article one tracked link per offer.

    ``embeds`` are (placement, product id) pairs, or (placement, product id, block
    type, position) for the placements reports: the block's type and the embed's
    1-based position among the article's embeds, kept on the link and updated when
    they change. An embed that is still there keeps its link; a link whose embed,
    offer or author is gone is retired (it keeps redirecting); a link that comes back
    is un-retired. Preview links are made apart and never retire anything. Returns
    the links by (placement, offer id).
    """
    embeds = [_embed_full(embed) for embed in embeds]
    now = timezone.now()
    offers_by_product: dict[int, list[Offer]] = {}
    for offer in Offer.objects.filter(product_id__in={embed[1] for embed in embeds}):
        offers_by_product.setdefault(offer.product_id, []).append(offer)
    existing = {
        (link.placement, link.offer_id): link
        for link in TrackedLink.objects.filter(
            article=article, author=author, is_preview=preview
        )
    }
    links: dict[tuple[str, int], TrackedLink] = {}
    for placement, product_id, block_type, position in embeds:
        for offer in offers_by_product.get(product_id, []):
            key = (placement, offer.pk)
            link = existing.get(key)
            if link is None:
                link = _link_create(
                    article=article,
                    author=author,
                    product_id=product_id,
                    offer=offer,
                    placement=placement,
                    is_preview=preview,
                    block_type=block_type,
                    position=position,
                )
            else:
                changed = []
                if link.retired_at is not None:
                    link.retired_at = None
                    changed.append("retired_at")
                if block_type and (link.block_type, link.position) != (
                    block_type,
                    position,
                ):
                    link.block_type, link.position = block_type, position
                    changed += ["block_type", "position"]
                if changed:
                    link.save(update_fields=changed)
            links[key] = link
    if not preview:
        kept = [link.pk for link in links.values()]
        TrackedLink.objects.filter(
            article=article, is_preview=False, retired_at__isnull=True
        ).exclude(pk__in=kept).update(retired_at=now)
        tracking_ids_assign(
            author=author,
            article=article,
            merchant_ids={
                offer.merchant_id
                for offers in offers_by_product.values()
                for offer in offers
            },
        )
    # New links work at once in every process, even with the database locked: their
    # targets go to this process's map and the shared cache once committed.
    tracking_runtime().link_targets.links_changed_on_commit(
        TrackedLink.objects.filter(pk__in=[link.pk for link in links.values()])
    )
    return links


_CLICK_COLUMNS = [
    "click_id",
    "link_id",
    "destination_offer_id",
    "clicked_at",
    "visitor_hash",
    "user_agent",
    "referrer",
    "is_bot",
    "is_duplicate",
    "is_preview",
    "is_billable",
]
# Table and column names below are this module's own constants, never input.
_CLICK_TABLE = Click._meta.db_table
_CLICK_COLUMN_LIST = ", ".join(_CLICK_COLUMNS)
_CLICK_ROW = "(" + ", ".join(["%s"] * len(_CLICK_COLUMNS)) + ")"


def _click_insert_statement(rows: int) -> str:
    return (
        f"INSERT INTO {_CLICK_TABLE} ({_CLICK_COLUMN_LIST}) "  # noqa: S608
        f"VALUES {', '.join([_CLICK_ROW] * rows)} ON CONFLICT (click_id) DO NOTHING"
    )


_STAGING_CREATE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS click_staging ON COMMIT DELETE ROWS AS "  # noqa: S608
    f"SELECT {_CLICK_COLUMN_LIST} FROM {_CLICK_TABLE} WITH NO DATA"
)
_DIRECT_COPY = f"COPY {_CLICK_TABLE} ({_CLICK_COLUMN_LIST}) FROM STDIN"
_STAGING_COPY = f"COPY click_staging ({_CLICK_COLUMN_LIST}) FROM STDIN"
_STAGING_INSERT = (
    f"INSERT INTO {_CLICK_TABLE} ({_CLICK_COLUMN_LIST}) "  # noqa: S608
    f"SELECT {_CLICK_COLUMN_LIST} FROM click_staging ON CONFLICT (click_id) DO NOTHING"
)


_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""}
)
_ROWS_PER_INSERT = 500  # 5,500 parameters: within SQLite's limit


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _clicks_insert(rows: list[tuple]) -> None:
    """Insert click rows, skipping click ids already written.

    PostgreSQL: the batch as one COPY payload straight into the table. A click id can
    only be there already when a batch is retried after an unclear commit; then the
    batch goes through a staging table and INSERT ... ON CONFLICT DO NOTHING.
    Elsewhere: one INSERT per 500 rows. (The ORM's bulk_create cost ~150 us a row in
    Python, more than the redirect itself; the staging table on every batch doubled
    the database's work per click.)
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for start in range(0, len(rows), _ROWS_PER_INSERT):
                chunk = rows[start : start + _ROWS_PER_INSERT]
                cursor.execute(
                    _click_insert_statement(len(chunk)),
                    [value for row in chunk for value in row],
                )
            return
        import psycopg  # the PostgreSQL driver, present whenever this path runs

        payload = "".join(
            "\t".join([_copy_value(value) for value in row]) + "\n" for row in rows
        ).encode()
        try:
            # Click ids never collide; only a batch retried after an unclear commit
            # meets rows already written, and then the staging table sorts it out.
            with transaction.atomic(), cursor.cursor.copy(_DIRECT_COPY) as copy:
                copy.write(payload)
            return
        except psycopg.errors.UniqueViolation:
            pass
        cursor.execute(_STAGING_CREATE)
        # Emptied here too: ON COMMIT clears it, but not inside an outer transaction.
        cursor.execute("DELETE FROM click_staging")
        with cursor.cursor.copy(_STAGING_COPY) as copy:
            copy.write(payload)
        cursor.execute(_STAGING_INSERT)


def click_record(
    *, request: HttpRequest, target: LinkTarget, runtime: TrackingRuntime
) -> str:
    """Note a click on ``target`` for writing, and return its click id: to the
    journal of ``runtime`` (this process's), else to its click buffer.

    Never touches the database on the reader's path (but for the visitor salt, once a
    day per process) and never raises for a tracking fault.
    """
    clicked_at = timezone.now()
    click_id = click_id_make(
        link_id=target.link_id, clicked_at=clicked_at, offer_id=target.offer_id
    )
    try:
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        if request_opts_out(request):
            hashed = hourly_visitor_hash(
                salts=runtime.hourly_salts,
                ip=client_address(request),
                user_agent=user_agent,
                hour=hour_of(clicked_at),
            )
        else:
            hashed = visitor_hash(
                salts=runtime.visitor_salts,
                ip=client_address(request),
                user_agent=user_agent,
                day=clicked_at.date(),
            )
        click = PendingClick(
            click_id=click_id,
            link_id=target.link_id,
            offer_id=target.offer_id,
            clicked_at=clicked_at,
            visitor_hash=hashed,
            user_agent=user_agent[:USER_AGENT_LENGTH],
            referrer=request.META.get("HTTP_REFERER", "")[:1000],
            is_bot=click_bot_flag(request),
            is_preview=target.is_preview,
        )
        # To the writer process if there is one (gunicorn), else to this process's
        # own buffer and writer thread (runserver, tests, an unwritable journal).
        if not runtime.click_journal_append(click):
            runtime.click_buffer.add(click)
    except Exception:  # tracking must never stand between a reader and the shop
        logger.exception("Click %s could not be noted", click_id)
    return click_id


@dataclasses.dataclass(frozen=True)
class ClicksStored:
    """What clicks_store wrote: the click ids of the batch, and the ids of the
    stored clicks it demoted to duplicates (the sales through either are decided
    again: commissions' clicks_store_settling)."""

    click_ids: list[str]
    demoted: list[str]


def clicks_store(*, clicks: list[PendingClick]) -> ClicksStored:
    """Write clicks, each billable or a duplicate by one rule: a visitor's billable
    click on a link for a UTC clock hour is their earliest click on it in that hour
    (the smaller click id on a tie), and their other clicks on it in that hour are
    duplicates. So a visitor bills at most once per link and clock hour, and which
    click bills depends on the clicks alone, never on the order they are written in.

    A click written after a later one of the same hour (two processes' buffers, two
    servers' journal writers) becomes the billable one, and the click that was
    billable is marked a duplicate in the same transaction (and noted as a
    ClickDemotion). Returns the batch's click ids and the demoted ones: once this
    commits, the sales through them are decided again as if the clicks had been
    written in order (commissions' clicks_store_settling, which calls this). A late
    click can only ever demote the one billable click of its own hour.

    Only billable clicks are read back (one per visitor, link and hour), so a flush
    costs the same however hot the link. Safe to run twice on the same clicks (the
    click id is unique and conflicts are ignored) and from several processes at once
    (writers take turns: products.locks.CLICK_WRITER on PostgreSQL, SQLite's write
    lock otherwise).
    """
    if not clicks:
        return ClicksStored(click_ids=[], demoted=[])
    # The redirect leaves the crawler check of most clicks to here (click_bot_flag).
    clicks = sorted(
        (
            click
            if click.is_bot is not None
            else dataclasses.replace(click, is_bot=click_is_bot(click))
            for click in clicks
        ),
        key=lambda click: click.clicked_at,
    )
    with transaction.atomic():
        advisory_lock_hold(lock=CLICK_WRITER)
        hashed = [click for click in clicks if click.visitor_hash and not click.is_bot]
        billable: set[str] = set()
        demoted: list[str] = []
        if hashed:
            billable, demoted = _billable_choose(
                clicks=hashed, stored=_billable_clicks_stored(hashed)
            )
        rows = []
        adapt_time = (
            (lambda value: value)  # COPY takes aware datetimes as they are
            if connection.vendor == "postgresql"
            else connection.ops.adapt_datetimefield_value
        )
        for click in clicks:
            duplicate = (
                bool(click.visitor_hash)
                and not click.is_bot
                and click.click_id not in billable
            )
            rows.append(
                (
                    click.click_id,
                    click.link_id,
                    click.offer_id,
                    adapt_time(click.clicked_at),
                    click.visitor_hash,
                    click.user_agent,
                    click.referrer,
                    click.is_bot,
                    duplicate,
                    click.is_preview,
                    not (click.is_bot or duplicate or click.is_preview),
                )
            )
        _clicks_insert(rows)
        if demoted:
            Click.objects.filter(pk__in=demoted).update(
                is_duplicate=True, is_billable=False
            )
            ClickDemotion.objects.bulk_create(
                [ClickDemotion(click_id=click_id) for click_id in demoted],
                ignore_conflicts=True,
            )
    return ClicksStored(click_ids=[click.click_id for click in clicks], demoted=demoted)


BillingKey = tuple[int, str, datetime.datetime]  # link id, visitor hash, UTC hour
ONE_HOUR = datetime.timedelta(hours=1)


def _billable_choose(
    *,
    clicks: list[PendingClick],
    stored: list[tuple[int, str, str, datetime.datetime]],
) -> tuple[set[str], list[str]]:
    """The billable click of each (link, visitor, UTC hour) of ``clicks`` (with
    visitor hashes, not bots): the earliest, then the smallest click id, of those
    ``clicks`` and of the ``stored`` billable clicks, (link id, visitor hash,
    click id, time). Returns the click ids that bill, and the stored clicks that no
    longer do (a click of this batch came before them)."""
    first: dict[BillingKey, tuple[datetime.datetime, str]] = {}
    for click in clicks:
        key = (click.link_id, click.visitor_hash, hour_of(click.clicked_at))
        candidate = (click.clicked_at, click.click_id)
        first[key] = min(first.get(key, candidate), candidate)
    stored_ids: list[str] = []
    for link_id, visitor, click_id, clicked_at in stored:
        key = (link_id, visitor, hour_of(clicked_at))
        if key not in first:  # read along with the others, of an hour not in hand
            continue
        stored_ids.append(click_id)
        first[key] = min(first[key], (clicked_at, click_id))
    billable = {click_id for _clicked_at, click_id in first.values()}
    return billable, sorted(set(stored_ids) - billable)


# One probe of the click_dedupe index per (visitor, link, hour) in the batch. The
# OFFSET keeps PostgreSQL from flattening the subquery into a join that it might
# answer by scanning all recent clicks (as it does when the table's statistics are
# stale: a fast-growing table, autovacuum behind), whatever the statistics say.
_BILLABLE_STORED = (
    "SELECT bucket.link_id, bucket.visitor_hash, stored.click_id, "  # noqa: S608
    "stored.clicked_at "
    "FROM unnest(%s::varchar[], %s::bigint[], %s::timestamptz[]) "
    "AS bucket(visitor_hash, link_id, hour_start) "
    "CROSS JOIN LATERAL ("
    f"SELECT click_id, clicked_at FROM {_CLICK_TABLE} "
    "WHERE visitor_hash = bucket.visitor_hash AND link_id = bucket.link_id "
    "AND clicked_at >= bucket.hour_start "
    "AND clicked_at < bucket.hour_start + interval '1 hour' "
    # the condition of the click_dedupe index (DEDUPE_CANDIDATES)
    "AND NOT is_bot AND NOT is_duplicate AND NOT visitor_hash = '' "
    "OFFSET 0) AS stored"
)


def _billable_clicks_stored(
    clicks: list[PendingClick],
) -> list[tuple[int, str, str, datetime.datetime]]:
    """(link id, visitor hash, click id, time) of the stored billable clicks of the
    visitors, links and UTC hours of ``clicks`` (time-ordered, with visitor hashes):
    one per (visitor, link, hour), as this module writes them."""
    keys = sorted(
        {
            (click.visitor_hash, click.link_id, hour_of(click.clicked_at))
            for click in clicks
        }
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _BILLABLE_STORED,
                [
                    [key[0] for key in keys],
                    [key[1] for key in keys],
                    [key[2] for key in keys],
                ],
            )
            return cursor.fetchall()
    # SQLite plans this on click_dedupe by itself; _billable_choose leaves out what
    # it reads of hours not in hand.
    return list(
        Click.objects.filter(
            DEDUPE_CANDIDATES,
            clicked_at__gte=hour_of(clicks[0].clicked_at),
            clicked_at__lt=hour_of(clicks[-1].clicked_at) + ONE_HOUR,
            link_id__in={key[1] for key in keys},
            visitor_hash__in={key[0] for key in keys},
        ).values_list("link_id", "visitor_hash", "click_id", "clicked_at")
    )


def clicks_purge(*, older_than_days: int) -> int:
    """Delete clicks older than ``older_than_days`` that nothing refers to.

    A conversion refers to its click by click id (the click's row may be written
    after the purchase arrives), so those clicks stay; so do the clicks of any model
    that points at Click, through its reverse relations.
    """
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    queryset = Click.objects.filter(clicked_at__lt=cutoff).exclude(
        click_id__in=Conversion.objects.exclude(click_id="").values("click_id")
    )
    for relation in Click._meta.related_objects:
        queryset = queryset.filter(**{f"{relation.name}__isnull": True})
    deleted, _by_model = queryset.delete()
    VisitorSalt.objects.filter(
        day__lt=timezone.now().date() - datetime.timedelta(days=1)
    ).delete()
    hourly_salts_purge()
    return deleted


def hourly_salts_purge() -> int:
    """Delete the hourly salts of hours that are over (HourlySalt says why)."""
    deleted, _by_model = HourlySalt.objects.filter(
        hour__lt=hour_of(timezone.now())
    ).delete()
    return deleted
