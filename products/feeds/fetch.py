"""Fetching a feed: its URL → a stream of its body, read as it comes.

Through the product's outbound client (``products.outbound``: only http and https,
no internal address at any hop, no proxy from the environment; hosts named in
ZHONGCAO_OUTBOUND_ALLOW_HOSTS excepted), following at most ``MAX_REDIRECTS``
redirects, each hop checked again. The body is never held whole: the parser reads
it from ``FeedStream`` a chunk at a time, bounded in size (decompressed size: a
gzip bomb is cut off like any other oversized feed) and in time (each wait for
data, and the whole download).
"""

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from products.outbound import (
    REDIRECT_CODES,
    REFUSED_SCHEME,
    SCHEMES,
    OutboundRefused,
    outbound_failure,
    outbound_session,
)

from .parse import FeedError

MAX_REDIRECTS = 3
# A feed of a few hundred thousand items is well under this.
MAX_FEED_BYTES = 1024 * 1024 * 1024
# Each wait for data, and the whole download.
READ_TIMEOUT = 60.0
TOTAL_TIMEOUT = 30 * 60.0
USER_AGENT = "Zhongcao feed reader (+https://zhongcao.example/docs/feeds)"


class FeedStream(io.RawIOBase):
    """The body of an answer as a raw binary stream, bounded in size and time."""

    def __init__(self, response: requests.Response, *, limit: int, deadline: float):
        super().__init__()
        self._raw = response.raw
        self._limit = limit
        self._deadline = deadline
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if time.monotonic() > self._deadline:
            raise FeedError(
                "The feed took too long to download; it was cut off "
                f"after {self.bytes_read} bytes."
            )
        try:
            chunk = self._raw.read1(len(buffer), decode_content=True)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as e:
            raise FeedError(
                f"The feed's download was cut off or too slow after {self.bytes_read} "
                "bytes."
            ) from e
        self.bytes_read += len(chunk)
        if self.bytes_read > self._limit:
            raise FeedError(
                f"The feed is larger than {self._limit} bytes; the rest was not read."
            )
        buffer[: len(chunk)] = chunk
        return len(chunk)


@contextmanager
def feed_open(
    *,
    url: str,
    limit: int = MAX_FEED_BYTES,
    timeout: float = READ_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
) -> Iterator[io.BufferedReader]:
    """The body of the feed at ``url``, as a buffered binary stream; FeedError
    (its reason safe to show editors: never an address or a port) when it cannot
    be had."""
    deadline = time.monotonic() + total_timeout
    session = outbound_session(headers={"User-Agent": USER_AGENT})
    response = None
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme.lower() not in SCHEMES:
                raise FeedError(f"Refused by policy: {REFUSED_SCHEME}.")
            try:
                response = session.get(url, timeout=(timeout, timeout))
            except OutboundRefused as error:
                raise FeedError(f"Refused by policy: {error.reason}.") from error
            except (requests.RequestException, ValueError) as error:
                raise FeedError(
                    f"{outbound_failure(error, timeout=timeout)}."
                ) from error
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_CODES and location:
                response.close()
                response = None
                url = urljoin(url, location.strip())
                continue
            break
        else:
            raise FeedError(f"More than {MAX_REDIRECTS} redirects.")
        if response is None or response.status_code != 200:
            status = response.status_code if response is not None else "?"
            raise FeedError(f"The feed's server answered HTTP {status}, not 200.")
        stream = io.BufferedReader(
            FeedStream(response, limit=limit, deadline=deadline), buffer_size=64 * 1024
        )
        yield stream
    finally:
        if response is not None:
            response.close()
        session.close()
