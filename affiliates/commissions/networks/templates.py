"""Templated postbacks: a network calls our URL with its own parameter names.

CPA networks and tracking platforms (Impact, Everflow, TUNE/HasOffers, CAKE, Awin's
transaction notifications) do not speak our signed JSON. Each lets a publisher type
a URL with the network's macros in it (``?sub={SubId1}&amt={Payout}``) and calls it,
by GET or POST, when an action happens. A templated postback connection says how
to read such a call: which of their parameters carries which of our fields, what
their status words mean, how they write amounts and times, and how the call proves
it is theirs. The sale itself is then read by ``postbacks.conversion_data_parse``
and ingested by ``conversion_ingest``, exactly as our own postback is, so the rules
of a valid sale stay in one place.

The call arrives at ``/api/postbacks/<merchant-slug>/<connection-key>`` (the key is
the connection's unguessable ``key``) as a query string, a form body
(``application/x-www-form-urlencoded``) or a flat JSON object; parameters from the
query and the body are read together.

Settings (``NetworkConnection.settings``), checked by ``postback_template_parse``:

``params`` (required)
    Our field → their parameter name, e.g. ``{"click_id": "subid1", "order_id":
    "oid", "amount": "sale_amount", "commission": "payout"}``. Our fields:
    order_id (required), item_id, click_id, amount, commission, currency, status,
    occurred_at, customer_ref. Parameter names are matched exactly (Impact's
    macros are case-sensitive, so are we).
``statuses``
    Their status word → ours (pending, approved, refunded, cancelled), e.g.
    ``{"1": "approved", "reversed": "refunded"}``; case-insensitive. Our own
    words are understood unless mapped otherwise.
``default_status`` (default ``"pending"``)
    The status of a call that carries none (many networks only call on a sale).
    ``""`` makes the status required.
``amount_unit`` (default ``"decimal"``)
    ``"decimal"`` ("129.90") or ``"minor"`` (12990 fen, cents): the amount and
    commission in the currency's minor units, read exactly (no float).
``amount_from_commission`` (default false)
    For networks that report only the payout (CAKE's ``#price#``, a CPA lead): the
    sale amount is taken to be the commission when the call carries none.
``currency``
    The currency when the call carries none (ISO 4217). Either this or a
    ``currency`` parameter is required.
``time_format`` (default ``"iso8601"``)
    ``"iso8601"``, ``"unix"`` (seconds, a fraction allowed), ``"unix_ms"``, or a
    ``strptime`` pattern such as ``"%Y-%m-%d %H:%M:%S"``.
``time_zone``
    An IANA zone (``"Asia/Shanghai"``) for times written without an offset:
    required by a pattern without ``%z``. A call without a time is dated when it
    arrives.
``auth`` (required): how a call proves it is the network's
    ``"token"``: the connection's credential ``token``, in the parameter named by
    ``token_parameter`` (default ``"token"``), in the header named by
    ``token_header`` (default ``"X-Postback-Token"``) or as ``Authorization:
    Bearer <token>``; every token the call carries must match (compared in
    constant time). For networks that can only fill a URL.
    ``"hmac"``: our signature (``products.signing``, header
    ``Zhongcao-Signature``) with the credential ``secret``, over the body, or over
    the query string exactly as sent when the body is empty; only the signed
    part's parameters are read.
    ``"ip"``: the caller's address (``products.web.client_address``: the
    connection's own, or what the ``ZHONGCAO_PROXY_COUNT`` trusted proxies saw;
    never a client's own ``X-Forwarded-For``) must be in ``allowed_ips``, a list
    of addresses and CIDR networks.

Values a network left as its macro because it had nothing to put there (a literal
``{payout}``, ``%7Bpayout%7D``, ``[SUBID]``, ``#s2#``) are read as absent, not as
data: a click id of ``{SubId1}`` is no click id.

Every refusal names our field and their parameter, writes no conversion, and is
recorded on the connection's health (``last_error``: never a secret or an
address); a call that is applied records ``last_success_at``.
"""

import datetime
import hmac
import ipaddress
import json
import logging
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.commissions.postbacks import (
    ConversionData,
    ReportFieldError,
    conversion_data_parse,
)
from affiliates.commissions.services.conversions import (
    ConversionConflict,
    IngestResult,
    conversion_ingest,
)
from affiliates.models import (
    ConnectionKind,
    ConversionSource,
    ConversionStatus,
    NetworkConnection,
)
from products.currencies import (
    currency_minor_units,
    currency_normalize,
    is_active_currency,
)
from products.signing import SIGNATURE_HEADER, SignatureError, signature_verify

logger = logging.getLogger(__name__)

OUR_FIELDS = (
    "order_id",
    "item_id",
    "click_id",
    "amount",
    "commission",
    "currency",
    "status",
    "occurred_at",
    "customer_ref",
)
AUTH_MODES = ("token", "hmac", "ip")
AMOUNT_UNITS = ("decimal", "minor")
TIME_FORMATS = ("iso8601", "unix", "unix_ms")
DEFAULT_TOKEN_PARAMETER = "token"  # noqa: S105 (a parameter's name)
DEFAULT_TOKEN_HEADER = "X-Postback-Token"  # noqa: S105 (a header's name)
# A postback is one sale: a few dozen parameters at most. More is refused before
# any is looked at, so a call cannot make us build a large dictionary.
MAX_PARAMETERS = 200
MAX_PARAMETER_NAME = 100
# What the connection's health keeps of a refusal.
HEALTH_REASON_LIMIT = 500

# A value that is a whole macro: {payout}, {{payout}}, ${payout}, [SUBID], #s2#,
# and the same with its brackets percent-encoded once more (%7Bpayout%7D), which
# is what a network that encodes its URL template sends when it had no value.
# Impact, Everflow and TUNE write {name}; CAKE writes #name#
# (support.getcake.com/support/solutions/articles/5000546376); others [NAME].
_MACRO = re.compile(
    r"""
    \s*(?:
        \$?\{\{?[\w.\- ]{1,64}\}?\}
      | \[[\w.\- ]{1,64}\]
      | \#[\w.\-]{1,64}\#
      | (?:%24)?%7B(?:%7B)?[\w.\-]{1,64}(?:%7D)?%7D
      | %5B[\w.\-]{1,64}%5D
      | %23[\w.\-]{1,64}%23
    )\s*
    """,
    re.VERBOSE | re.IGNORECASE,
)


def value_is_unfilled_macro(value: str) -> bool:
    """Whether ``value`` is a macro the network left unfilled."""
    return _MACRO.fullmatch(value) is not None


# -- Settings ----------------------------------------------------------------------


class TemplateSettingsError(ValueError):
    """A connection's settings cannot be used; ``key`` names the setting."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True)
class PostbackTemplate:
    """A connection's settings, checked."""

    params: Mapping[str, str]
    statuses: Mapping[str, str]
    default_status: str
    amount_unit: str
    amount_from_commission: bool
    currency: str
    time_format: str
    time_zone: zoneinfo.ZoneInfo | None
    auth: str
    token_parameter: str
    token_header: str
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    def parameter_of(self, field: str) -> str | None:
        """Their parameter that carries our ``field``, if one does."""
        return self.params.get(field)


def _name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TemplateSettingsError(key, _("Must be a parameter name (text)."))
    name = value.strip()
    if len(name) > MAX_PARAMETER_NAME or any(ord(c) < 32 for c in name):
        raise TemplateSettingsError(
            key,
            _("At most %(limit)s printable characters.")
            % {"limit": MAX_PARAMETER_NAME},
        )
    return name


def _params(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise TemplateSettingsError(
            "params",
            _('Map our fields to their parameters, e.g. {"order_id": "oid"}.'),
        )
    params = {}
    for field, parameter in value.items():
        if field not in OUR_FIELDS:
            raise TemplateSettingsError(
                "params",
                _("%(field)s is not one of %(fields)s.")
                % {"field": repr(field), "fields": ", ".join(OUR_FIELDS)},
            )
        params[field] = _name(parameter, f"params.{field}")
    if "order_id" not in params:
        raise TemplateSettingsError(
            "params", _("order_id must be mapped: it makes a report idempotent.")
        )
    return params


def _statuses(value: Any) -> dict[str, str]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise TemplateSettingsError(
            "statuses", _('Map their words to ours, e.g. {"1": "approved"}.')
        )
    ours = ConversionStatus.values
    statuses = {status: status for status in ours}
    for theirs, status in value.items():
        if not isinstance(status, str) or status.strip().lower() not in ours:
            raise TemplateSettingsError(
                f"statuses.{theirs}",
                _("Must be one of %(choices)s.") % {"choices": ", ".join(ours)},
            )
        word = str(theirs).strip().lower()
        if not word:
            raise TemplateSettingsError("statuses", _("Their word cannot be empty."))
        statuses[word] = status.strip().lower()
    return statuses


def _time(settings: Mapping[str, Any]) -> tuple[str, zoneinfo.ZoneInfo | None]:
    time_format = settings.get("time_format") or "iso8601"
    if not isinstance(time_format, str) or (
        time_format not in TIME_FORMATS and "%" not in time_format
    ):
        raise TemplateSettingsError(
            "time_format",
            _(
                "Must be iso8601, unix, unix_ms or a strptime pattern such as "
                "%(example)s."
            )
            % {"example": '"%Y-%m-%d %H:%M:%S"'},
        )
    if "%" in time_format:
        # A pattern strptime cannot read back what it writes fails here, when the
        # connection is saved, not on the network's call.
        sample = datetime.datetime(2026, 12, 7, 18, 30, 5, tzinfo=datetime.UTC)
        try:
            datetime.datetime.strptime(sample.strftime(time_format), time_format)  # noqa: DTZ007
        except ValueError as error:
            raise TemplateSettingsError(
                "time_format",
                _("strptime cannot read %(pattern)s: %(error)s.")
                % {"pattern": repr(time_format), "error": error},
            ) from error
    zone_name = settings.get("time_zone") or ""
    zone = None
    if zone_name:
        try:
            zone = zoneinfo.ZoneInfo(str(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise TemplateSettingsError(
                "time_zone",
                _("%(zone)s is not an IANA time zone.") % {"zone": repr(zone_name)},
            ) from error
    if "%" in time_format and "%z" not in time_format and zone is None:
        raise TemplateSettingsError(
            "time_zone",
            _(
                "The pattern has no %z: name the zone its times are in, "
                'such as "Asia/Shanghai".'
            ),
        )
    return time_format, zone


def _networks(value: Any) -> tuple:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not value:
        raise TemplateSettingsError(
            "allowed_ips",
            _(
                "List the network's addresses or CIDR networks, "
                'e.g. ["203.0.113.0/24"].'
            ),
        )
    networks = []
    for entry in value:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=True))
        except ValueError as error:
            raise TemplateSettingsError(
                "allowed_ips",
                _("%(entry)s is not an address or network.")
                % {"entry": repr(str(entry)[:60])},
            ) from error
    return tuple(networks)


def postback_template_parse(settings: Mapping[str, Any]) -> PostbackTemplate:
    """A connection's settings, checked; TemplateSettingsError names the first bad
    setting (see the module's docstring for them)."""
    if not isinstance(settings, Mapping):
        raise TemplateSettingsError("settings", _("Must be an object."))
    params = _params(settings.get("params"))
    statuses = _statuses(settings.get("statuses"))
    default_status = settings.get("default_status", ConversionStatus.PENDING.value)
    default_status = (default_status or "").strip().lower()
    if default_status and default_status not in ConversionStatus.values:
        raise TemplateSettingsError(
            "default_status",
            _("Must be one of %(choices)s, or empty.")
            % {"choices": ", ".join(ConversionStatus.values)},
        )
    amount_unit = settings.get("amount_unit") or "decimal"
    if amount_unit not in AMOUNT_UNITS:
        raise TemplateSettingsError("amount_unit", _("Must be decimal or minor."))
    amount_from_commission = settings.get("amount_from_commission", False)
    if not isinstance(amount_from_commission, bool):
        raise TemplateSettingsError(
            "amount_from_commission", _("Must be true or false.")
        )
    if "amount" not in params and not (
        amount_from_commission and "commission" in params
    ):
        raise TemplateSettingsError(
            "params",
            _("Map amount, or map commission and set amount_from_commission."),
        )
    currency = currency_normalize(str(settings.get("currency") or ""))
    if currency and not is_active_currency(currency):
        raise TemplateSettingsError(
            "currency",
            _("%(currency)s is not an ISO 4217 currency code in use.")
            % {"currency": currency[:10]},
        )
    if not currency and "currency" not in params:
        raise TemplateSettingsError(
            "currency",
            _("Set the currency, or map the network's currency parameter."),
        )
    time_format, zone = _time(settings)
    auth = settings.get("auth")
    if auth not in AUTH_MODES:
        raise TemplateSettingsError("auth", _("Must be token, hmac or ip."))
    token_parameter = _name(
        settings.get("token_parameter") or DEFAULT_TOKEN_PARAMETER, "token_parameter"
    )
    token_header = _name(
        settings.get("token_header") or DEFAULT_TOKEN_HEADER, "token_header"
    )
    networks = _networks(settings.get("allowed_ips")) if auth == "ip" else ()
    return PostbackTemplate(
        params=params,
        statuses=statuses,
        default_status=default_status,
        amount_unit=amount_unit,
        amount_from_commission=amount_from_commission,
        currency=currency,
        time_format=time_format,
        time_zone=zone,
        auth=auth,
        token_parameter=token_parameter,
        token_header=token_header,
        allowed_networks=networks,
    )


def postback_template_validate(
    *, settings: Mapping[str, Any], credentials: Mapping[str, Any]
) -> PostbackTemplate:
    """For the admin and the command line: the settings, checked, and the
    credential their ``auth`` needs present (its value is never shown)."""
    template = postback_template_parse(settings)
    needed = {"token": "token", "hmac": "secret"}.get(template.auth)
    if needed and not str(credentials.get(needed) or "").strip():
        raise TemplateSettingsError(
            "credentials",
            _("auth %(auth)s needs the credential %(credential)s.")
            % {"auth": template.auth, "credential": repr(needed)},
        )
    return template


# -- Reading a call ------------------------------------------------------------------


class PostbackRefused(Exception):
    """A call is refused: an HTTP status, a short code, a sentence (never a secret
    or an address), and our field and their parameter at fault, where one is."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        parameter: str | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.parameter = parameter

    @property
    def reason(self) -> str:
        """The refusal as the connection's health shows it."""
        where = self.field or ""
        if self.parameter:
            where = f"{where} ({self.parameter})" if where else self.parameter
        text = f"{where}: {self.detail}" if where else self.detail
        return text[:HEALTH_REASON_LIMIT]


# A parameter's value: text, or what a flat postback cannot use (a list when it
# came more than once, a JSON object or array), refused only if it is mapped.
Parameters = dict[str, Any]


class _Repeated(list):
    """The values of a parameter the call sent more than once."""


def _add(parameters: Parameters, name: str, value: Any) -> None:
    if name in parameters:
        previous = parameters[name]
        repeated = (
            previous if isinstance(previous, _Repeated) else _Repeated([previous])
        )
        repeated.append(value)
        parameters[name] = repeated
    else:
        parameters[name] = value


def _form(text_bytes: bytes, where: str, parameters: Parameters) -> None:
    try:
        text = text_bytes.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_PARAMETERS,
        )
    except UnicodeDecodeError as error:
        raise PostbackRefused(
            400, "invalid", "Is not valid UTF-8 (once percent-decoded).", field=where
        ) from error
    except ValueError as error:  # more than max_num_fields
        raise PostbackRefused(
            400, "invalid", f"More than {MAX_PARAMETERS} parameters.", field=where
        ) from error
    for name, value in pairs:
        _add(parameters, name, value)


def _json_scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value  # text (numbers are kept as their literal text), list or dict


def _json(body: bytes, parameters: Parameters) -> None:
    try:
        # Numbers stay as the text the network wrote ("12.50", not a float).
        data = json.loads(
            body.decode("utf-8"),
            parse_float=str,
            parse_int=str,
            parse_constant=str,
        )
    except UnicodeDecodeError as error:
        raise PostbackRefused(
            400, "invalid", "The body is not valid UTF-8.", field="body"
        ) from error
    except RecursionError as error:
        raise PostbackRefused(
            400, "invalid", "The JSON is nested too deeply.", field="body"
        ) from error
    except ValueError as error:
        raise PostbackRefused(
            400, "invalid", "The body is not valid JSON.", field="body"
        ) from error
    if not isinstance(data, dict):
        raise PostbackRefused(
            400, "invalid", "Must be a JSON object of parameters.", field="body"
        )
    if len(data) > MAX_PARAMETERS:
        raise PostbackRefused(
            400, "invalid", f"More than {MAX_PARAMETERS} parameters.", field="body"
        )
    for name, value in data.items():
        _add(parameters, name, _json_scalar(value))


def postback_parameters_read(
    *, query: bytes, body: bytes, content_type: str
) -> Parameters:
    """The call's parameters: the query string's, then the body's (a form or a JSON
    object; another body is refused). A parameter sent twice is kept as both
    values (and refused if it is one we read)."""
    parameters: Parameters = {}
    if query:
        _form(query, "query", parameters)
    if body:
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type in ("", "text/plain"):
            # Some networks send no type, or text/plain, whatever the body is.
            looks_json = body.lstrip()[:1] == b"{"
            media_type = (
                "application/json"
                if looks_json
                else "application/x-www-form-urlencoded"
            )
        if media_type == "application/json" or media_type.endswith("+json"):
            _json(body, parameters)
        elif media_type == "application/x-www-form-urlencoded":
            _form(body, "body", parameters)
        else:
            raise PostbackRefused(
                415,
                "unsupported",
                "Send parameters in the query, as a form "
                "(application/x-www-form-urlencoded) or as a JSON object.",
                field="body",
            )
    return parameters


def postback_nul_refuse(*, template: PostbackTemplate, parameters: Parameters) -> None:
    """PostbackRefused (400) naming our field and their parameter when a parameter's
    name or text value has a NUL character (%00): no field has a use for one, and
    PostgreSQL refuses one in text. (The rest of the API refuses it earlier, in
    zhongcao.badrequests, which lets these calls through to say it this way.)"""
    fields = {parameter: field for field, parameter in template.params.items()}
    for name, value in parameters.items():
        values = value if isinstance(value, list) else [value]
        if "\x00" in name or any(
            isinstance(text, str) and "\x00" in text for text in values
        ):
            raise PostbackRefused(
                400,
                "invalid",
                "A NUL character is not allowed.",
                field=fields.get(name),
                parameter=name.replace("\x00", "\N{REPLACEMENT CHARACTER}"),
            )


# -- Authentication --------------------------------------------------------------------


def _tokens_given(
    *, template: PostbackTemplate, parameters: Parameters, headers: Mapping[str, str]
) -> list[str]:
    given = []
    value = parameters.get(template.token_parameter)
    if isinstance(value, _Repeated):
        given.extend(str(v) for v in value)
    elif value is not None:
        given.append(str(value))
    header = headers.get(template.token_header)
    if header:
        given.append(header)
    scheme, _sep, bearer = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and bearer.strip():
        given.append(bearer)
    return [token.strip() for token in given if not value_is_unfilled_macro(token)]


def postback_authenticate(
    *,
    template: PostbackTemplate,
    credentials: Mapping[str, Any],
    parameters: Parameters,
    headers: Mapping[str, str],
    signed: bytes,
    client_address: str,
) -> None:
    """Raise PostbackRefused (401, or 403 for an address) unless the call proves
    it is the network's, the way the connection's ``auth`` says."""
    if template.auth == "token":
        expected = str(credentials.get("token") or "").strip()
        if not expected:
            raise PostbackRefused(401, "auth", "This connection has no token yet.")
        given = _tokens_given(template=template, parameters=parameters, headers=headers)
        if not given:
            raise PostbackRefused(
                401,
                "auth",
                f"The token is missing (parameter {template.token_parameter} or "
                f"header {template.token_header}).",
            )
        matched = True
        for token in given:  # each is compared, so timing tells nothing of which
            matched &= hmac.compare_digest(
                token.encode("utf-8", "replace"), expected.encode("utf-8")
            )
        if not matched:
            raise PostbackRefused(401, "auth", "The token does not match.")
    elif template.auth == "hmac":
        secret = str(credentials.get("secret") or "").strip()
        if not secret:
            raise PostbackRefused(
                401, "signature", "This connection has no secret yet."
            )
        try:
            signature_verify(
                secret=secret, body=signed, header=headers.get(SIGNATURE_HEADER)
            )
        except SignatureError as error:
            raise PostbackRefused(401, "signature", str(error)) from error
    else:
        try:
            address = ipaddress.ip_address(client_address)
        except ValueError as error:
            raise PostbackRefused(
                403, "forbidden", "The caller's address cannot be read."
            ) from error
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not any(address in network for network in template.allowed_networks):
            raise PostbackRefused(
                403, "forbidden", "The caller's address is not in allowed_ips."
            )


# -- Their parameters to our fields ---------------------------------------------------


def _refuse_field(template: PostbackTemplate, field: str, message: str):
    return PostbackRefused(
        400,
        "invalid",
        message,
        field=field,
        parameter=template.parameter_of(field),
    )


def _value(template: PostbackTemplate, parameters: Parameters, field: str) -> str:
    """Their value for our ``field``: "" when unmapped, absent or an unfilled macro."""
    parameter = template.parameter_of(field)
    if parameter is None or parameter not in parameters:
        return ""
    value = parameters[parameter]
    if isinstance(value, _Repeated):
        raise _refuse_field(template, field, "Was sent more than once.")
    if isinstance(value, list | dict):
        raise _refuse_field(template, field, "Must be a single value, not a list.")
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    return "" if value_is_unfilled_macro(value) else value


_MINOR = re.compile(r"[0-9]{1,15}")
_UNIX = re.compile(r"[0-9]{1,11}(?:\.[0-9]{1,9})?")
_UNIX_MS = re.compile(r"[0-9]{1,14}")


def _amount(template: PostbackTemplate, field: str, value: str, currency: str) -> str:
    if (
        not value
        or template.amount_unit == "decimal"
        or not is_active_currency(currency)
    ):
        return value  # conversion_data_parse refuses it, or the currency first
    if not _MINOR.fullmatch(value):
        raise _refuse_field(
            template,
            field,
            f"Must be a whole number of {currency}'s minor units, such as 12990.",
        )
    places = currency_minor_units(currency)
    return str(Decimal(value).scaleb(-places))


def _zoned(template: PostbackTemplate, moment: datetime.datetime, field: str):
    if moment.tzinfo is not None:
        return moment
    if template.time_zone is None:
        raise _refuse_field(
            template,
            field,
            "Carries no UTC offset, and the connection names no time_zone.",
        )
    return moment.replace(tzinfo=template.time_zone)


def _occurred_at(template: PostbackTemplate, value: str, now: datetime.datetime) -> str:
    field = "occurred_at"
    if not value:
        return now.isoformat()  # dated when it arrives
    time_format = template.time_format
    try:
        if time_format == "unix":
            if not _UNIX.fullmatch(value):
                raise ValueError
            seconds = Decimal(value)
            moment = datetime.datetime.fromtimestamp(int(seconds), tz=datetime.UTC)
            moment += datetime.timedelta(microseconds=int(seconds % 1 * 1_000_000))
        elif time_format == "unix_ms":
            if not _UNIX_MS.fullmatch(value):
                raise ValueError
            moment = datetime.datetime.fromtimestamp(int(value) / 1000, tz=datetime.UTC)
        elif time_format == "iso8601":
            moment = _zoned(template, datetime.datetime.fromisoformat(value), field)
        else:
            moment = _zoned(
                template,
                datetime.datetime.strptime(value, time_format),  # noqa: DTZ007 (zoned)
                field,
            )
    except (ValueError, OverflowError, OSError) as error:
        shown = {
            "unix": "Unix seconds, such as 1764990000",
            "unix_ms": "Unix milliseconds, such as 1764990000000",
            "iso8601": "an ISO 8601 time, such as 2026-12-07T10:00:00+08:00",
        }.get(time_format, f"a time written as {time_format}")
        raise _refuse_field(template, field, f"Must be {shown}.") from error
    return moment.isoformat()


def _status(template: PostbackTemplate, value: str) -> str:
    if not value:
        if not template.default_status:
            raise _refuse_field(template, "status", "This field is required.")
        return template.default_status
    status = template.statuses.get(value.lower())
    if status is None:
        known = ", ".join(sorted(template.statuses))
        raise _refuse_field(
            template, "status", f"{value[:40]!r} is not one of: {known}."
        )
    return status


def postback_conversion_read(
    *,
    template: PostbackTemplate,
    parameters: Parameters,
    now: datetime.datetime | None = None,
) -> ConversionData:
    """The sale a call reports, read by the connection's template and then by the
    postback's own rules (``conversion_data_parse``); PostbackRefused (400) names
    our field and their parameter."""
    now = now or timezone.now()
    raw = {
        field: _value(template, parameters, field)
        for field in ("order_id", "item_id", "click_id", "customer_ref")
    }
    currency = currency_normalize(_value(template, parameters, "currency"))
    raw["currency"] = currency or template.currency
    for field in ("amount", "commission"):
        raw[field] = _amount(
            template, field, _value(template, parameters, field), raw["currency"]
        )
    if not raw["amount"] and template.amount_from_commission:
        raw["amount"] = raw["commission"]
    raw["status"] = _status(template, _value(template, parameters, "status"))
    raw["occurred_at"] = _occurred_at(
        template, _value(template, parameters, "occurred_at"), now
    )
    try:
        return conversion_data_parse(raw)
    except ReportFieldError as error:
        raise _refuse_field(template, error.field, error.message) from error


# -- One call, start to end -----------------------------------------------------------


def templated_connection_find(
    *, merchant_slug: str, key: str
) -> NetworkConnection | None:
    """The enabled templated postback connection of this merchant with this key."""
    return (
        NetworkConnection.objects.select_related("merchant")
        .filter(
            kind=ConnectionKind.TEMPLATED_POSTBACK,
            enabled=True,
            key=key,
            merchant__slug=merchant_slug,
        )
        .first()
    )


def _health_record(*, connection: NetworkConnection, reason: str = "") -> None:
    now = timezone.now()
    if reason:
        changes = {"last_error_at": now, "last_error": reason}
    else:
        changes = {"last_success_at": now}
    NetworkConnection.objects.filter(pk=connection.pk).update(**changes)
    for name, value in changes.items():
        setattr(connection, name, value)


def templated_postback_receive(
    *,
    connection: NetworkConnection,
    query: bytes,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str],
    client_address: str,
) -> tuple[ConversionData, IngestResult]:
    """Read, authenticate and ingest one call of a templated postback connection.

    Raises PostbackRefused on any refusal, after recording it on the connection's
    health; nothing else is written then. Idempotent, as ``conversion_ingest``
    is: the same call twice is one conversion, the second changes nothing."""
    try:
        try:
            template = postback_template_parse(connection.settings)
        except TemplateSettingsError as error:
            raise PostbackRefused(
                503,
                "misconfigured",
                f"The connection's settings cannot be used: {error}",
            ) from error
        signed = b""
        if template.auth == "hmac":
            # Only what the signature covers is read: the body, or the query
            # string exactly as sent when there is no body.
            signed = body or query
            query = b"" if body else query
        parameters = postback_parameters_read(
            query=query, body=body, content_type=content_type
        )
        postback_nul_refuse(template=template, parameters=parameters)
        postback_authenticate(
            template=template,
            credentials=connection.credentials,
            parameters=parameters,
            headers=headers,
            signed=signed,
            client_address=client_address,
        )
        data = postback_conversion_read(template=template, parameters=parameters)
        try:
            result = conversion_ingest(
                merchant=connection.merchant,
                data=data,
                source=ConversionSource.NETWORK,
                connection=connection,
            )
        except ConversionConflict as conflict:
            raise PostbackRefused(
                409,
                "conflict",
                conflict.message,
                field=conflict.field,
                parameter=template.parameter_of(conflict.field),
            ) from conflict
    except PostbackRefused as refusal:
        logger.info(
            "Templated postback of connection %s refused: %s",
            connection.pk,
            refusal.reason,
        )
        _health_record(connection=connection, reason=refusal.reason)
        raise
    _health_record(connection=connection)
    return data, result
