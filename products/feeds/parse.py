"""Reading a Google Merchant Center product feed as a stream of items.

The formats (Google's product data specification):

- XML: RSS 2.0 (``<rss><channel><item>``) or Atom 1.0 (``<feed><entry>``), the
  attributes in the ``g:`` namespace (``http://base.google.com/ns/1.0``):
  ``<g:id>``, ``<g:price>1299.00 CNY</g:price>``… ``title`` and ``link`` may also
  be the channel format's own elements (RSS ``<title>``/``<link>``, Atom ``<title>``
  and ``<link href>``).
- Text: tab-separated values, a header row of attribute names (``id``, ``g:id`` or
  ``sale price`` all name the same attribute), one item a line.

Values: ``price`` and ``sale_price`` are a number and an ISO 4217 code ("1299.00
CNY"); ``sale_price_effective_date`` is two ISO 8601 moments separated by "/" (a
date alone runs from the start of its first day to the end of its last, and a
moment without a time zone is UTC, as Google reads them); ``availability`` is
``in_stock``, ``out_of_stock``, ``preorder`` or ``backorder`` (the older spellings
with a space are read too).

``feed_entries`` yields, in the feed's order, a ``FeedItem`` for each item it can
use and a ``FeedRejection`` (the item's number, or the line's in a text feed, and
why) for each it cannot; one bad item never stops the others. A feed that cannot
be read further (XML that is not well-formed, text that is not UTF-8) raises
``FeedError`` where it breaks, after the items before it were yielded.

XML from outside is read by defusedxml (no DTD entities, no external entities: no
"billion laughs", no XXE), and every item is dropped from the tree once read, so a
feed of any length is read in the memory of one item.
"""

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.core.exceptions import ValidationError

from products.models import Availability
from products.validators import validate_gtin

GOOGLE_NS = "http://base.google.com/ns/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
_G = "{" + GOOGLE_NS + "}"
_ATOM = "{" + ATOM_NS + "}"

FORMATS = ("auto", "xml", "tsv")

# Google's own limits are shorter; these keep a hostile feed's values bounded.
MAX_ID_LENGTH = 150  # Offer.feed_item_id
MAX_TEXT_LENGTH = 2000
MAX_TSV_FIELD = 64 * 1024

# Each of Google's availability values → ours. A preorder or a backorder can be
# ordered now (it ships later): a reader can buy it, so it counts as in stock.
AVAILABILITY = {
    "in_stock": Availability.IN_STOCK,
    "out_of_stock": Availability.OUT_OF_STOCK,
    "preorder": Availability.IN_STOCK,
    "backorder": Availability.IN_STOCK,
}

ATTRIBUTES = (
    "id",
    "title",
    "link",
    "price",
    "sale_price",
    "sale_price_effective_date",
    "availability",
    "image_link",
    "gtin",
    "mpn",
    "brand",
)

_PRICE = re.compile(
    r"^\s*(?:(?P<number>\d+(?:\.\d+)?)\s*(?P<currency>[A-Za-z]{3})"
    r"|(?P<currency_first>[A-Za-z]{3})\s*(?P<number_after>\d+(?:\.\d+)?))\s*$"
)


class FeedError(Exception):
    """The feed cannot be read (further): ``reason`` says where and why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ItemInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FeedItem:
    """One usable item of a feed, in our terms."""

    position: str  # "item 12" or "line 13": where it is in the feed
    id: str
    title: str
    link: str
    price: Decimal
    currency: str
    availability: Availability
    sale_price: Decimal | None = None
    sale_start: datetime.datetime | None = None
    sale_end: datetime.datetime | None = None
    image_link: str = ""
    gtin: str = ""
    mpn: str = ""
    brand: str = ""

    def sale_in_effect(self, at: datetime.datetime) -> bool:
        """Whether the sale price is the price at ``at``: there is one, and ``at``
        is within its dates (always, when it has none)."""
        if self.sale_price is None:
            return False
        if self.sale_start is not None and at < self.sale_start:
            return False
        return not (self.sale_end is not None and at >= self.sale_end)

    def prices_at(self, at: datetime.datetime) -> tuple[Decimal, Decimal | None]:
        """(the price a reader pays at ``at``, the regular price when that is a
        sale price lower than it, else None)."""
        if self.sale_in_effect(at) and self.sale_price is not None:
            if self.sale_price < self.price:
                return self.sale_price, self.price
            return self.sale_price, None
        return self.price, None


@dataclass(frozen=True)
class FeedRejection:
    """An item of the feed that cannot be used, and why."""

    position: str
    id: str
    field: str
    message: str

    def __str__(self) -> str:
        named = f" ({self.id})" if self.id else ""
        return f"{self.position}{named}: {self.field}: {self.message}"


FeedEntry = FeedItem | FeedRejection


# -- Values -----------------------------------------------------------------------------


def price_parse(value: str, *, field: str) -> tuple[Decimal, str]:
    """ "1299.00 CNY" → (Decimal("1299.00"), "CNY"); ItemInvalid otherwise."""
    match = _PRICE.match(value)
    if not match:
        raise ItemInvalid(
            field, f"{value[:40]!r} is not a number and a currency, as in 1299.00 CNY"
        )
    number = match.group("number") or match.group("number_after")
    currency = (match.group("currency") or match.group("currency_first")).upper()
    try:
        amount = Decimal(number)
    except InvalidOperation as error:  # the pattern admits only digits: defensive
        raise ItemInvalid(field, f"{number!r} is not a number") from error
    if amount.as_tuple().exponent < -2:
        raise ItemInvalid(field, f"{number} has more than two decimal places")
    if amount >= Decimal("1e10"):
        raise ItemInvalid(field, f"{number} is too large")
    return amount.quantize(Decimal("0.01")), currency


def _moment_parse(text: str, *, end: bool) -> datetime.datetime:
    text = text.strip()
    if len(text) == 10:  # a date alone: from the start of the day to its end
        day = datetime.date.fromisoformat(text)
        moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
        return moment + datetime.timedelta(days=1) if end else moment
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def sale_dates_parse(
    value: str,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """ "2026-11-11T00:00+0800/2026-11-12T00:00+0800" → (start, end); either side
    may be left empty. ItemInvalid when it is not that."""
    field = "sale_price_effective_date"
    start_text, slash, end_text = value.partition("/")
    if not slash:
        raise ItemInvalid(
            field, f"{value[:60]!r} is not two ISO 8601 dates separated by /"
        )
    try:
        start = _moment_parse(start_text, end=False) if start_text.strip() else None
        end = _moment_parse(end_text, end=True) if end_text.strip() else None
    except ValueError as error:
        raise ItemInvalid(
            field, f"{value[:60]!r} is not two ISO 8601 dates separated by /"
        ) from error
    if start is not None and end is not None and end <= start:
        raise ItemInvalid(field, "the sale ends before it starts")
    return start, end


def availability_parse(value: str) -> Availability:
    key = "_".join(value.strip().lower().replace("-", " ").split())
    key = {"preorder": "preorder", "pre_order": "preorder"}.get(key, key)
    if key not in AVAILABILITY:
        raise ItemInvalid(
            "availability",
            f"{value[:40]!r} is not in_stock, out_of_stock, preorder or backorder",
        )
    return AVAILABILITY[key]


def item_build(fields: dict[str, str], *, position: str) -> FeedEntry:
    """An item's attributes (Google's names, text values) → a FeedItem, or a
    FeedRejection naming the first attribute that cannot be used."""
    item_id = " ".join((fields.get("id") or "").split())
    try:
        if not item_id:
            raise ItemInvalid("id", "missing")
        if len(item_id) > MAX_ID_LENGTH:
            raise ItemInvalid("id", f"longer than {MAX_ID_LENGTH} characters")
        if not (fields.get("price") or "").strip():
            raise ItemInvalid("price", "missing")
        price, currency = price_parse(fields["price"], field="price")
        sale_price = sale_start = sale_end = None
        if (fields.get("sale_price") or "").strip():
            sale_price, sale_currency = price_parse(
                fields["sale_price"], field="sale_price"
            )
            if sale_currency != currency:
                raise ItemInvalid(
                    "sale_price", f"in {sale_currency}, the price is in {currency}"
                )
            if (fields.get("sale_price_effective_date") or "").strip():
                sale_start, sale_end = sale_dates_parse(
                    fields["sale_price_effective_date"]
                )
        if not (fields.get("availability") or "").strip():
            raise ItemInvalid("availability", "missing")
        availability = availability_parse(fields["availability"])
        gtin = (fields.get("gtin") or "").strip()
        if gtin:
            try:
                validate_gtin(gtin)
            except ValidationError as error:
                raise ItemInvalid("gtin", " ".join(error.messages)) from error
        texts = {
            name: " ".join((fields.get(name) or "").split())[:MAX_TEXT_LENGTH]
            for name in ("title", "link", "image_link", "mpn", "brand")
        }
    except ItemInvalid as error:
        return FeedRejection(
            position=position,
            id=item_id[:MAX_ID_LENGTH],
            field=error.field,
            message=error.message,
        )
    return FeedItem(
        position=position,
        id=item_id,
        price=price,
        currency=currency,
        availability=availability,
        sale_price=sale_price,
        sale_start=sale_start,
        sale_end=sale_end,
        gtin=gtin,
        **texts,
    )


# -- XML ----------------------------------------------------------------------------------

_ITEM_TAGS = frozenset({"item", f"{_ATOM}entry", "entry"})
_ROOT_TAGS = frozenset({"rss", f"{_ATOM}feed", "feed"})


def _xml_fields(element) -> dict[str, str]:
    """An item element's attributes: the g: ones, then the channel format's own
    title and link where the g: ones are absent."""
    fields: dict[str, str] = {}
    own: dict[str, str] = {}
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag.startswith(_G):
            name = tag[len(_G) :]
            if name in ATTRIBUTES and name not in fields:
                fields[name] = child.text or ""
        else:
            name = tag.rsplit("}", 1)[-1]
            if name == "link" and child.get("href") is not None:
                if child.get("rel", "alternate") == "alternate" and "link" not in own:
                    own["link"] = child.get("href", "")
            elif name in ("title", "link") and name not in own:
                own[name] = child.text or ""
    for name in ("title", "link"):
        if not (fields.get(name) or "").strip() and own.get(name):
            fields[name] = own[name]
    return fields


def xml_entries(stream: IO[bytes]) -> Iterator[FeedEntry]:
    """The items of an RSS 2.0 or Atom feed with the g: namespace."""
    number = 0
    parents: list = []
    try:
        for event, element in iterparse(
            stream, events=("start", "end"), forbid_dtd=False
        ):
            if event == "start":
                if not parents and element.tag not in _ROOT_TAGS:
                    raise FeedError(
                        f"The feed is XML but neither RSS nor Atom (its root is "
                        f"<{str(element.tag)[:60]}>)."
                    )
                parents.append(element)
                continue
            parents.pop()
            if element.tag in _ITEM_TAGS:
                number += 1
                yield item_build(_xml_fields(element), position=f"item {number}")
                # Dropped once read: the tree never holds more than one item.
                element.clear()
                if parents:
                    parents[-1].remove(element)
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise FeedError(
            f"line {line}, column {column}: the XML is not well-formed after item "
            f"{number} ({str(error).split(':')[0]}); the items after it were not "
            "read."
        ) from error
    except DefusedXmlException as error:
        raise FeedError(
            "The feed declares entities or a DTD that Zhongcao does not read "
            f"(a safeguard against entity expansion): {type(error).__name__}."
        ) from error


# -- Text (TSV) -------------------------------------------------------------------------


def _header_name(raw: str) -> str:
    name = raw.strip().lower()
    if name.startswith("g:"):
        name = name[2:]
    return "_".join(name.split())


def tsv_entries(stream: IO[bytes]) -> Iterator[FeedEntry]:
    """The items of a tab-separated feed: a header row, then one item a line."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    previous_limit = csv.field_size_limit(MAX_TSV_FIELD)
    try:
        reader = csv.reader(text, delimiter="\t")
        line = 0
        try:
            header = None
            while header is None:
                row = next(reader, None)
                if row is None:
                    return
                line = reader.line_num
                if any(cell.strip() for cell in row):
                    header = [_header_name(cell) for cell in row]
            if "id" not in header:
                raise FeedError(
                    f"line {line}: the header row names no id column (it names: "
                    f"{', '.join(name for name in header if name)[:200]})."
                )
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader, None)
                except csv.Error as error:
                    yield FeedRejection(
                        position=f"line {start}",
                        id="",
                        field="line",
                        message=str(error),
                    )
                    continue
                if row is None:
                    return
                line = start
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    yield FeedRejection(
                        position=f"line {line}",
                        id=(
                            row[header.index("id")]
                            if len(row) > header.index("id")
                            else ""
                        )[:MAX_ID_LENGTH],
                        field="line",
                        message=f"{len(row)} columns, the header has {len(header)}",
                    )
                    continue
                yield item_build(
                    dict(zip(header, row, strict=True)), position=f"line {line}"
                )
        except UnicodeDecodeError as error:
            raise FeedError(
                f"after line {line}: the feed is not UTF-8 text; the lines after it "
                "were not read."
            ) from error
    finally:
        csv.field_size_limit(previous_limit)
        text.detach()


# -- Either ---------------------------------------------------------------------------------


def format_detect(stream: io.BufferedReader) -> str:
    """ "xml" when the feed's first character (after a byte order mark and blanks)
    is "<", else "tsv"."""
    head = stream.peek(1024)[:1024]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return "xml" if head.lstrip().startswith(b"<") else "tsv"


def feed_entries(
    stream: IO[bytes], *, feed_format: str = "auto"
) -> Iterator[FeedEntry]:
    """Every item of the feed in ``stream`` (binary), as FeedItem or FeedRejection;
    ``feed_format`` "xml", "tsv" or "auto" (by its first character). Raises
    FeedError where the feed cannot be read further."""
    if feed_format not in FORMATS:
        raise FeedError(f"Unknown feed format {feed_format!r}: xml, tsv or auto.")
    if not isinstance(stream, io.BufferedReader):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    if feed_format == "auto":
        feed_format = format_detect(stream)
    if feed_format == "xml":
        return xml_entries(stream)
    return tsv_entries(stream)
