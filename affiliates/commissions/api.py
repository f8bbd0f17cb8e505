"""The affiliates' part of the API: postbacks in; conversions and earnings out.

Mounted under /api/ by zhongcao.api, which also decides who is signed in (a session
or an API token): ``request.auth`` is the user here.
"""

import datetime

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from affiliates.api_errors import Error, error_response
from affiliates.commissions.networks.templates import (
    PostbackRefused,
    templated_connection_find,
    templated_postback_receive,
)
from affiliates.commissions.postbacks import (
    POSTBACK_MAX_BYTES,
    ReportFieldError,
    conversion_data_parse,
    postback_body_parse,
)
from affiliates.commissions.selectors import (
    conversions_earning,
    conversions_entries,
    conversions_filter,
    conversions_visible,
    creator_earnings,
    creator_other_items,
    ledger_balances,
    payouts_for,
)
from affiliates.commissions.services.conversions import (
    ConversionConflict,
    conversion_ingest,
)
from affiliates.creators.selectors import creator_profile_for_user
from affiliates.models import ConversionSource, LedgerEntry
from affiliates.roles import user_is_editor
from products.encryption import DecryptionError
from products.models import Merchant
from products.money import money_str
from products.signing import SIGNATURE_HEADER, SignatureError, signature_verify
from products.web import DATABASE_INTEGER_MAX, client_address

router = Router(tags=["conversions"])


class PostbackIn(Schema):
    """The body a merchant posts (documented here; parsed from the raw signed bytes)."""

    order_id: str
    click_id: str | None = None
    amount: str = Field(description='Decimal string, e.g. "129.90".')
    currency: str = Field(description="ISO 4217 code.")
    status: str = Field(description="pending, approved, refunded or cancelled.")
    occurred_at: datetime.datetime
    commission: str | None = None
    customer_ref: str | None = None


class PostbackOut(Schema):
    conversion_id: int
    order_id: str
    status: str
    attributed: bool
    held: bool


@router.post(
    "/postbacks/{merchant_slug}",
    auth=None,
    throttle=[],  # signed by the merchant: not an anonymous caller to rate-limit
    response={
        200: PostbackOut,
        400: Error,
        401: Error,
        404: Error,
        409: Error,
        413: Error,
        503: Error,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PostbackIn.model_json_schema()}},
        },
        "parameters": [
            {
                "in": "header",
                "name": SIGNATURE_HEADER,
                "required": True,
                "schema": {"type": "string"},
                "description": 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">',
            }
        ],
    },
    summary="Report a sale, or a later status of it",
)
def postback(request: HttpRequest, merchant_slug: str):
    """Signed with the merchant's postback secret; idempotent by order id and status.
    Nothing is written on any refusal."""
    body = _postback_body(request)
    if body is None:
        return error_response(
            413,
            "too_large",
            f"A postback body is at most {POSTBACK_MAX_BYTES} bytes.",
            field="body",
        )
    try:
        merchant = (
            Merchant.objects.select_related("connection")
            .filter(slug=merchant_slug)
            .first()
        )
    except DecryptionError:
        return error_response(*_UNREADABLE_SECRET)
    if merchant is None:
        return error_response(404, "not_found", "No merchant with this slug.")
    secret = getattr(getattr(merchant, "connection", None), "postback_secret", "")
    if not secret:
        return error_response(
            401, "signature", "This merchant has no postback secret yet."
        )
    try:
        signature_verify(
            secret=secret, body=body, header=request.headers.get(SIGNATURE_HEADER)
        )
    except SignatureError as error:
        return error_response(401, "signature", str(error))
    try:
        data = conversion_data_parse(
            postback_body_parse(body),
            status_mapping=merchant.connection.status_mapping(),
        )
    except ReportFieldError as error:
        return error_response(400, "invalid", error.message, field=error.field)
    try:
        result = conversion_ingest(
            merchant=merchant, data=data, source=ConversionSource.POSTBACK
        )
    except ConversionConflict as conflict:
        return error_response(409, "conflict", conflict.message, field=conflict.field)
    conversion = result.conversion
    return {
        "conversion_id": conversion.pk,
        "order_id": conversion.order_id,
        "status": data.status,
        "attributed": conversion.is_attributed,
        "held": bool(conversion.hold_reason),
    }


def _postback_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than a postback can be: its declared
    length is checked before it is read (Django reads no more than that length)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > POSTBACK_MAX_BYTES:
        return None
    try:
        body = request.body
    except RequestDataTooBig:  # DATA_UPLOAD_MAX_MEMORY_SIZE set below ours
        return None
    return body if len(body) <= POSTBACK_MAX_BYTES else None


# A stored secret that none of ZHONGCAO_ENCRYPTION_KEYS opens (a key was dropped or
# mistyped): the server's fault, said without a 500; the caller retries later.
_UNREADABLE_SECRET = (
    503,
    "misconfigured",
    "The connection's secret cannot be read on this server; try again later.",
)


# -- A network's templated postback ----------------------------------------------------


class TemplatedPostbackOut(Schema):
    conversion_id: int
    order_id: str
    item_id: str
    status: str
    changed: bool = Field(description="False when this report was already known.")
    attributed: bool
    held: bool


class TemplatedError(Error):
    parameter: str | None = Field(
        None, description="The network's parameter at fault (the connection's map)."
    )


def _templated_error(refusal: PostbackRefused):
    return Status(
        refusal.status,
        {
            "error": refusal.code,
            "field": refusal.field,
            "parameter": refusal.parameter,
            "detail": refusal.detail,
        },
    )


_PARAMETERS = {"type": "object", "additionalProperties": {"type": "string"}}


@router.api_operation(
    ["GET", "POST"],
    "/postbacks/{merchant_slug}/{connection_key}",
    auth=None,
    throttle=[],  # a network's server, authenticated by the connection's auth
    response={
        200: TemplatedPostbackOut,
        400: TemplatedError,
        401: TemplatedError,
        403: TemplatedError,
        404: TemplatedError,
        409: TemplatedError,
        413: TemplatedError,
        414: TemplatedError,
        415: TemplatedError,
        503: TemplatedError,
    },
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/x-www-form-urlencoded": {"schema": _PARAMETERS},
                "application/json": {"schema": _PARAMETERS},
            },
        },
    },
    summary="A network's postback, in its own parameters (a templated connection)",
)
def templated_postback(request: HttpRequest, merchant_slug: str, connection_key: str):
    """A CPA network or tracking platform reports a sale with its own parameter
    names and macros, as the connection maps them (see
    affiliates.commissions.networks.templates); by query, form or JSON.
    Idempotent; nothing is written on any refusal."""
    query = request.META.get("QUERY_STRING", "")
    if len(query) > POSTBACK_MAX_BYTES:
        return _templated_error(
            PostbackRefused(
                414,
                "too_large",
                f"A postback's query string is at most {POSTBACK_MAX_BYTES} bytes.",
                field="query",
            )
        )
    body = _postback_body(request)
    if body is None:
        return _templated_error(
            PostbackRefused(
                413,
                "too_large",
                f"A postback body is at most {POSTBACK_MAX_BYTES} bytes.",
                field="body",
            )
        )
    try:
        connection = templated_connection_find(
            merchant_slug=merchant_slug, key=connection_key
        )
    except DecryptionError:
        return _templated_error(PostbackRefused(*_UNREADABLE_SECRET))
    if connection is None:
        return _templated_error(
            PostbackRefused(404, "not_found", "No such postback connection.")
        )
    try:
        data, result = templated_postback_receive(
            connection=connection,
            # WSGI hands the query string over as Latin-1 text: these are its bytes,
            # exactly as sent (what an HMAC over a query string signs).
            query=query.encode("iso-8859-1", "replace"),
            body=body,
            content_type=request.META.get("CONTENT_TYPE", ""),
            headers=request.headers,
            client_address=client_address(request),
        )
    except PostbackRefused as refusal:
        return _templated_error(refusal)
    conversion = result.conversion
    return {
        "conversion_id": conversion.pk,
        "order_id": conversion.order_id,
        "item_id": conversion.item_id,
        "status": data.status,
        "changed": result.changed,
        "attributed": conversion.is_attributed,
        "held": bool(conversion.hold_reason),
    }


# -- Reading conversions ---------------------------------------------------------------


class EntryOut(Schema):
    id: int
    creator: str | None = Field(description="Creator slug; null for the platform.")
    kind: str
    status: str
    amount: str
    currency: str
    origin: int | None = Field(description="The item this entry moves or cancels.")
    reverses: int | None
    payout: int | None
    created_at: datetime.datetime


class ArticleRef(Schema):
    id: int
    title: str
    path: str | None


class AttributionOut(Schema):
    click_id: str
    clicked_at: datetime.datetime | None
    article: ArticleRef | None
    author: str | None = Field(description="The author's creator slug.")
    attributed_by: str = Field(
        description='"click", "tracking-id" (the network carried only the id the '
        'author was given; no link, placement or offer), or "" (unattributed).'
    )
    tracking_id: str = Field(description="The tracking id the network reported.")
    offer: int | None
    placement: str
    unattributed_reason: str


class ConversionOut(Schema):
    id: int
    merchant: str
    order_id: str
    status: str
    amount: str
    currency: str
    commission: str = Field(description="The platform's commission.")
    occurred_at: datetime.datetime
    received_at: datetime.datetime
    held_because: str
    review: str
    approvable_from: datetime.datetime | None
    attribution: AttributionOut
    entries: list[EntryOut]


class ConversionFilters(Schema):
    order_id: str = ""
    merchant: str = Field("", description="Merchant slug.")
    status: str = ""
    author: str = Field("", description="Author's creator slug.")
    since: datetime.date | None = Field(None, description="Purchased on or after.")
    until: datetime.date | None = Field(None, description="Purchased on or before.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=DATABASE_INTEGER_MAX)


class ConversionPage(Schema):
    count: int
    items: list[ConversionOut]


def _article_ref(article) -> dict | None:
    if article is None:
        return None
    return {"id": article.pk, "title": article.title, "path": article.url}


def _entry_out(entry: LedgerEntry) -> dict:
    return {
        "id": entry.pk,
        "creator": entry.creator.slug if entry.creator else None,
        "kind": entry.kind,
        "status": entry.status,
        "amount": money_str(entry.amount, entry.currency),
        "currency": entry.currency,
        "origin": entry.origin_id,
        "reverses": entry.reverses_id,
        "payout": entry.payout_id,
        "created_at": entry.created_at,
    }


def _conversions_out(conversions) -> list[dict]:
    by_conversion: dict[int, list[dict]] = {}
    for entry in conversions_entries(conversions=conversions):
        by_conversion.setdefault(entry.conversion_id, []).append(_entry_out(entry))
    return [
        {
            "id": conversion.pk,
            "merchant": conversion.merchant.slug,
            "order_id": conversion.order_id,
            "status": conversion.status,
            "amount": money_str(conversion.amount, conversion.currency),
            "currency": conversion.currency,
            "commission": money_str(conversion.commission, conversion.currency),
            "occurred_at": conversion.occurred_at,
            "received_at": conversion.received_at,
            "held_because": conversion.hold_reason,
            "review": conversion.review,
            "approvable_from": conversion.hold_until,
            "attribution": {
                "click_id": conversion.click_id,
                "clicked_at": conversion.clicked_at,
                "article": _article_ref(conversion.article),
                "author": conversion.author.slug if conversion.author else None,
                "attributed_by": conversion.attributed_by,
                "tracking_id": conversion.tracking_id,
                "offer": conversion.offer_id,
                "placement": conversion.placement,
                "unattributed_reason": conversion.unattributed_reason,
            },
            "entries": by_conversion.get(conversion.pk, []),
        }
        for conversion in conversions
    ]


@router.get(
    "/conversions",
    response={200: ConversionPage, 403: Error},
    summary="Conversions with their attribution and ledger entries (editors)",
)
def conversions_list(request: HttpRequest, filters: Query[ConversionFilters]):
    if not user_is_editor(user=request.auth):
        return error_response(403, "forbidden", "Editors only.")
    queryset = conversions_filter(
        conversions_visible(user=request.auth),
        **filters.dict(exclude={"limit", "offset"}),
    )
    page = list(queryset[filters.offset : filters.offset + filters.limit])
    return {
        "count": queryset.count(),
        "items": _conversions_out(page),
    }


class BalanceOut(Schema):
    currency: str
    status: str
    amount: str


class EarningOut(Schema):
    conversion_id: int
    order_id: str
    merchant: str
    article: ArticleRef | None
    placement: str
    attributed_by: str = Field(
        description='"click", or "tracking-id" when the network carried only the '
        "id you were given (no placement; the article where the id is one's)."
    )
    sale_amount: str
    kind: str = Field(description="author, override_1 or override_2.")
    amount: str
    currency: str
    status: str = Field(
        description="held, pending, approved, processing, paid, or reversed."
    )
    occurred_at: datetime.datetime
    approvable_from: datetime.datetime | None


class PayoutOut(Schema):
    id: int
    run_date: datetime.date
    amount: str
    currency: str
    status: str


class OtherItemOut(Schema):
    id: int
    kind: str = Field(description="adjustment, or reversal (a refund after payment).")
    amount: str
    currency: str
    status: str
    order_id: str | None
    note: str
    created_at: datetime.datetime


class EarningsOut(Schema):
    creator: str
    balances: list[BalanceOut]
    earnings: list[EarningOut]
    other: list[OtherItemOut] = Field(
        description="Adjustments and refunds after payment: money no sale explains."
    )
    payouts: list[PayoutOut]


@router.get(
    "/me/earnings",
    response={200: EarningsOut, 404: Error},
    summary="The signed-in creator's balances, conversions and payouts",
)
def my_earnings(
    request: HttpRequest,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=DATABASE_INTEGER_MAX),
):
    creator = creator_profile_for_user(user=request.auth)
    if creator is None:
        return error_response(404, "not_found", "You have no creator profile.")
    with transaction.atomic():  # one consistent view of the ledger
        conversions = list(
            conversions_earning(creator=creator)[offset : offset + limit]
        )
        earnings = creator_earnings(creator=creator, conversions=conversions)
        balances = ledger_balances(creator=creator)
        payouts = list(payouts_for(creator=creator))
        others = creator_other_items(creator=creator)
    return {
        "creator": creator.slug,
        "balances": [
            {
                "currency": b["currency"],
                "status": b["status"],
                "amount": money_str(b["amount"], b["currency"]),
            }
            for b in balances
        ],
        "earnings": [
            {
                "conversion_id": e.conversion.pk,
                "order_id": e.conversion.order_id,
                "merchant": e.conversion.merchant.slug,
                "article": _article_ref(e.conversion.article),
                "placement": e.conversion.placement,
                "attributed_by": e.conversion.attributed_by,
                "sale_amount": money_str(e.conversion.amount, e.currency),
                "kind": e.kind,
                "amount": money_str(e.amount, e.currency),
                "currency": e.currency,
                "status": e.status,
                "occurred_at": e.conversion.occurred_at,
                "approvable_from": e.conversion.hold_until,
            }
            for e in earnings
        ],
        "other": [
            {
                "id": o.entry.pk,
                "kind": o.entry.kind,
                "amount": money_str(o.entry.amount, o.entry.currency),
                "currency": o.entry.currency,
                "status": o.status,
                "order_id": o.entry.conversion.order_id if o.entry.conversion else None,
                "note": o.entry.note,
                "created_at": o.entry.created_at,
            }
            for o in others
        ],
        "payouts": [
            {
                "id": p.pk,
                "run_date": p.run.run_date,
                "amount": money_str(p.amount, p.currency),
                "currency": p.currency,
                "status": p.status,
            }
            for p in payouts
        ],
    }


# -- A creator's figures for a period --------------------------------------------------
