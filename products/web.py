"""What every app may believe of a web request, and where the site lives.

Three rules that every app needs and that must not be decided twice:

- ``client_address``: who is calling. The connection's address, or, behind
  ``ZHONGCAO_PROXY_COUNT`` trusted reverse proxies, the address the outermost of them
  saw. Nothing a client writes in ``X-Forwarded-For`` is believed beyond that, so a
  client cannot pass for another by sending a new header. Clicks' visitor hashes,
  the sign-up rate limit and the API's anonymous rate limit all key on it.
- ``public_url``: absolute URLs (e-mails, canonical URLs, Open Graph, JSON-LD, the
  sitemap, the API's links) start from ``ZHONGCAO_PUBLIC_BASE_URL``, never from the
  request's ``Host`` header, which the client chooses.
- ``DATABASE_INTEGER_MIN``/``MAX``: an integer a request carries (an id, an offset)
  must fit the database's 64-bit integer before it reaches a query, so that an
  out-of-range number is a 400 naming its field, not a database error.

Here, at the bottom of the import chain (products <- affiliates <- content), so that
every app can use them.
"""

from django.conf import settings
from django.http import HttpRequest

# The database's integers (BigAutoField, bigint; SQLite's INTEGER): signed 64 bits.
DATABASE_INTEGER_MIN = -(2**63)
DATABASE_INTEGER_MAX = 2**63 - 1


def client_address(request: HttpRequest) -> str:
    """The client's address, as far as trusted hops can vouch for it.

    With ``ZHONGCAO_PROXY_COUNT = 0`` (no proxy in front), the connection's address:
    ``X-Forwarded-For`` is the client's own words and is ignored. With N proxies,
    each appends the address it got the request from, so the Nth entry from the
    right is the one the outermost proxy wrote; everything to its left came from the
    client. A header with fewer entries did not pass all the proxies: the
    connection's address stands. Used for keys and hashes only, never stored or
    logged.
    """
    meta = request.META
    proxies = settings.ZHONGCAO_PROXY_COUNT
    if proxies > 0:
        # META, not request.headers: that builds a dict of every header, a tenth of
        # the tracked redirect's own time.
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= proxies:
            address = forwarded[-proxies].strip()
            if address:
                return address
    return meta.get("REMOTE_ADDR", "")


def public_base_url() -> str:
    """The site's public origin, such as ``https://zhongcao.example`` (no slash)."""
    return settings.ZHONGCAO_PUBLIC_BASE_URL


def public_url(path: str = "/") -> str:
    """The absolute public URL of ``path`` (a path from the site's root)."""
    return settings.ZHONGCAO_PUBLIC_BASE_URL + path
