"""The one outbound HTTP client of Zhongcao, and the rule of where it may go.

Everything the product fetches (offer URLs for the link checker, webhook deliveries)
goes through ``outbound_request``. Nothing it fetches may reach the inside of its own
network (docs/operations.md, "Outbound requests"; ``ZHONGCAO_OUTBOUND_ALLOW_HOSTS``). Wagtail's
embed finder keeps its own client: it asks only the fixed oEmbed endpoints of known
providers, never a URL an editor typed.

- Only http and https, at every hop.
- The host's name is resolved once and the address is checked (``address_is_internal``:
  loopback, private, link-local and cloud metadata, carrier-grade NAT, multicast,
  reserved, unspecified, IPv4-mapped IPv6 and other special-purpose ranges); the
  connection then goes to that very address, the name kept for the ``Host`` header,
  TLS SNI and the certificate check. A name that resolves to 127.0.0.1 is refused
  like 127.0.0.1, and a second lookup cannot change the address (DNS rebinding).
  IP literals in any notation (``0x7f.0.0.1``, ``2130706433``) resolve to the
  address they stand for and are refused the same way.
- Redirects are followed here, one hop at a time (at most ``max_redirects``), each
  hop checked like the first. Bodies are never read, redirects' included (requests'
  own redirect handling reads them whole). Connecting and each wait for an answer
  are bounded by ``timeout``, cut to what is left of ``total_timeout`` for the
  whole request; no hop starts after it.
- Hosts named in ``ZHONGCAO_OUTBOUND_ALLOW_HOSTS`` (a staging feed, a test server)
  are reached whatever their address; a host is named by the name written in the
  URL, or by the address when the URL gives an address.

What editors see of a failure (``outbound_failure``) says what failed, never which
address or port answered how, so that the checker cannot serve as a port scanner.

The pinning of the checked address, with the Host header, SNI and certificate
hostname kept right, is ``requests-hardened`` (Saleor's, kept with ``requests``);
this module adds the product's rule on top of its filter, the allow list, the
redirects and the bounds.

``outbound_url_check`` and ``outbound_host_check`` refuse the same destinations when
they are typed in (webhook URL, offer URL, merchant domains), as far as a form can
tell without resolving names; the check at connect time is what closes the class.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter
from requests.utils import requote_uri
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = ("http", "https")
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Redirects after which a POST (or PUT…) continues as a GET, as browsers do.
SEE_OTHER = frozenset({301, 302, 303})
DEFAULT_TIMEOUT = 10.0

REFUSED_INTERNAL = "internal address"
REFUSED_SCHEME = "only http and https"

# Special-purpose ranges (IANA registries) that Python's ipaddress does not count as
# private or reserved in every 3.11 release, and that must not be reached either.
SPECIAL_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "100.64.0.0/10",  # carrier-grade NAT: can route to internal workloads
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "64:ff9b::/96",  # NAT64: reaches IPv4 addresses through a translator
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/23",  # IETF protocol assignments, Teredo among them
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: an IPv4 address inside an IPv6 one
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fec0::/10",  # site-local (deprecated, still routed inside some networks)
    )
)


class OutboundRefused(requests.RequestException):
    """The request was not sent: its destination is not one the product may reach.
    ``reason`` is one of the REFUSED_ constants, safe to show to editors."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OutboundAnswer:
    """The final answer of a request: its status and the URL that gave it."""

    status_code: int
    url: str


# -- The rule ----------------------------------------------------------------------


def address_is_internal(address: Address) -> bool:
    """True for any address that is not a public unicast one: the product never
    connects there unless its host is named in ZHONGCAO_OUTBOUND_ALLOW_HOSTS."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or any(address in network for network in SPECIAL_NETWORKS)
    )


def _host_normalize(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _address_of_literal(host: str) -> Address | None:
    """The address an IP literal stands for, in any notation a resolver accepts
    (``127.0.0.1``, ``::1``, ``0x7f.0.0.1``, ``2130706433``, ``127.1``); None for a
    name."""
    host = _host_normalize(host)
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not all(char in "0123456789abcdefx." for char in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _allowed() -> tuple[frozenset[str], frozenset[Address]]:
    names, addresses = set(), set()
    for entry in settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS:
        host = _host_normalize(entry)
        try:
            addresses.add(ipaddress.ip_address(host))
        except ValueError:
            names.add(host)
    return frozenset(names), frozenset(addresses)


def outbound_host_is_allowed(host: str) -> bool:
    """True when ``host``, as written in a URL, is named in
    ZHONGCAO_OUTBOUND_ALLOW_HOSTS: by the same name, or by the same address when the
    URL gives an address. A name is not allowed by its address, nor an address by a
    name that resolves to it."""
    names, addresses = _allowed()
    host = _host_normalize(host)
    try:
        return ipaddress.ip_address(host) in addresses
    except ValueError:
        return host in names


def outbound_allow_hosts_invalid() -> list[str]:
    """Entries of ZHONGCAO_OUTBOUND_ALLOW_HOSTS that are neither a host name nor an
    address (a URL, a port, a path): they would allow nothing."""
    invalid = []
    for entry in settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS:
        host = _host_normalize(entry)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not host or any(char in host for char in ":/@?#[] \t"):
                invalid.append(entry)
    return invalid


def outbound_settings_check(app_configs=None, **kwargs) -> list[checks.Error]:
    """System check: every entry of ZHONGCAO_OUTBOUND_ALLOW_HOSTS is a host name or
    an address (a URL or a port there would silently allow nothing)."""
    return [
        checks.Error(
            f"ZHONGCAO_OUTBOUND_ALLOW_HOSTS: {entry!r} is not a host name or an "
            "address.",
            hint="Name hosts as in example.com or 10.0.0.5, without scheme or port.",
            id="products.E001",
        )
        for entry in outbound_allow_hosts_invalid()
    ]


# -- At input time -----------------------------------------------------------------


def outbound_host_check(host: str) -> None:
    """Raise ValidationError when ``host`` is known, without resolving it, to be
    inside the network: an internal IP literal in any notation, or ``localhost``
    (RFC 6761). Hosts named in ZHONGCAO_OUTBOUND_ALLOW_HOSTS pass."""
    if outbound_host_is_allowed(host):
        return
    address = _address_of_literal(host)
    name = _host_normalize(host)
    if (address is not None and address_is_internal(address)) or (
        name == "localhost" or name.endswith(".localhost")
    ):
        raise ValidationError(
            _(
                "%(host)s is inside the network: Zhongcao sends no requests there "
                "(an operator can allow a host with ZHONGCAO_OUTBOUND_ALLOW_HOSTS)."
            ),
            params={"host": host},
            code="internal_address",
        )


def outbound_url_check(url: str) -> None:
    """Raise ValidationError when ``url`` is not http(s) or its host is refused by
    ``outbound_host_check``."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise ValidationError(
            _("Only http:// and https:// addresses can be used."), code="scheme"
        )
    try:
        host = parts.hostname or ""
    except ValueError as error:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from error
    outbound_host_check(host)


# -- At connect time ---------------------------------------------------------------


class _GuardedAdapter(IPFilterAdapter):
    """requests-hardened's adapter (resolve once, refuse what its filter refuses,
    connect to that address with the name kept for Host, SNI and the certificate),
    with the product's rule checked on the address connected to, and the hosts
    named in ZHONGCAO_OUTBOUND_ALLOW_HOSTS let through."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host = urlsplit(request.url).hostname or ""
        if outbound_host_is_allowed(host):
            return HTTPAdapter.build_connection_pool_key_attributes(
                self, request, verify, cert
            )
        try:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(
                request, verify, cert
            )
        except InvalidIPAddress as error:
            raise OutboundRefused(REFUSED_INTERNAL) from error
        connected_to = ipaddress.ip_address(host_params["host"].strip("[]"))
        if address_is_internal(connected_to):
            raise OutboundRefused(REFUSED_INTERNAL)
        return host_params, pool_kwargs


class _GuardedSession(requests.Session):
    """A session that never follows redirects itself (``outbound_request`` does, hop
    by hop) and never reads a body unasked."""

    def send(self, request, **kwargs):
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        return super().send(request, **kwargs)


def outbound_session(*, headers: dict[str, str] | None = None) -> requests.Session:
    """A session for ``outbound_request``: http and https through the guarded
    adapter, every other scheme refused. Proxies from the environment are not
    used: the address checked must be the one connected to. Not thread-safe: one
    per thread."""
    session = _GuardedSession()
    session.trust_env = False
    session.mount("http://", _GuardedAdapter(is_https_proto=False))
    session.mount("https://", _GuardedAdapter(is_https_proto=True))
    if headers:
        session.headers.update(headers)
    return session


def _scheme_check(url: str) -> None:
    if urlsplit(url).scheme.lower() not in SCHEMES:
        raise OutboundRefused(REFUSED_SCHEME)


def outbound_request(
    *,
    method: str,
    url: str,
    session: requests.Session | None = None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    total_timeout: float | None = None,
    max_redirects: int = 0,
) -> OutboundAnswer:
    """Send one request and follow up to ``max_redirects`` redirects (0: a redirect
    is the answer), each hop checked by the rule of this module. ``timeout`` bounds
    connecting and each wait for an answer; ``total_timeout`` (default three times
    ``timeout``) the whole request, redirects included. The body of no answer is
    read. Raises OutboundRefused, or another requests.RequestException (Timeout,
    ConnectionError, TooManyRedirects, InvalidURL); ``outbound_failure`` words it."""
    own_session = session is None
    session = session or outbound_session()
    deadline = time.monotonic() + (total_timeout or 3 * timeout)
    method = method.upper()
    redirects = 0
    try:
        while True:
            _scheme_check(url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise requests.Timeout("The request took too long.")
            wait = min(timeout, remaining)
            try:
                response = session.request(
                    method, url, headers=headers, data=data, timeout=(wait, wait)
                )
            except requests.RequestException:
                raise  # InvalidURL and others are ValueErrors too: as they are
            except ValueError as error:  # a port out of range, say
                raise requests.exceptions.InvalidURL(str(error)) from error
            location = response.headers.get("Location")
            response.close()
            if (
                response.status_code not in REDIRECT_CODES
                or not location
                or max_redirects == 0
            ):
                return OutboundAnswer(response.status_code, url)
            if redirects == max_redirects:
                raise requests.TooManyRedirects(f"More than {max_redirects} redirects.")
            redirects += 1
            try:
                url = requote_uri(urljoin(url, location.strip()))
            except ValueError as error:  # a Location such as http://[::1
                raise requests.exceptions.InvalidURL(str(error)) from error
            # As browsers do: 303, and 301/302 after a POST, continue with a GET.
            if method not in ("GET", "HEAD") and response.status_code in SEE_OTHER:
                method, data = "GET", None
    finally:
        if own_session:
            session.close()


# -- What editors see --------------------------------------------------------------


def outbound_failure(error: Exception, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """A short, fixed description of why a request failed, for the admin: never an
    address, a port or an operating system's error text."""
    if isinstance(error, OutboundRefused):
        return f"Refused by policy: {error.reason}"
    if isinstance(error, requests.exceptions.InvalidSchema):
        return f"Refused by policy: {REFUSED_SCHEME}"
    if isinstance(error, requests.Timeout):
        return f"Timed out (no answer within {timeout:g} s)"
    if isinstance(error, requests.TooManyRedirects):
        return "Too many redirects"
    if isinstance(error, requests.exceptions.SSLError):
        return "Could not connect: TLS handshake or certificate failed"
    if isinstance(error, requests.ConnectionError):
        return "Could not connect"
    if isinstance(
        error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
    ):
        return "Invalid URL"
    return "Request failed"
