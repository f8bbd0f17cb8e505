"""The product's one outbound client (products.outbound) never reaches the inside of
its own network: seen through the link checker (products.services.offers_check),
against listeners on 127.0.0.1 and [::1] that must never receive a connection
(tests/trap.py), and through the forms where merchant domains and offer URLs are
typed in. Webhooks: tests/content/webhooks/test_services.py."""

import socket

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from products.models import CheckResult, OfferLinkCheck
from products.services import offers_check
from tests.factories import MerchantFactory, OfferFactory

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5
REFUSED_INTERNAL = "Refused by policy: internal address"
REFUSED_SCHEME = "Refused by policy: only http and https"

# Hosts, as written in a URL, that all end up on the loopback interface, where the
# trap listens: the name and every notation of the address.
LOOPBACK_HOSTS = [
    "127.0.0.1",
    "localhost",  # a name that resolves to 127.0.0.1
    "0x7f.0.0.1",
    "0177.0.0.1",
    "2130706433",
    "127.1",
    "0.0.0.0",  # noqa: S104 - connecting there reaches this machine
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
]
# Internal addresses where nothing can listen in a test: refused before connecting.
INTERNAL_URLS = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
]


def check_one(url: str) -> OfferLinkCheck:
    offer = OfferFactory(url=url)
    offers_check(offers=[offer], timeout=TIMEOUT)
    return OfferLinkCheck.objects.get(offer=offer)


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_loopback_in_any_notation_is_never_reached(trap, host):
    checked = check_one(trap.url(host, "/secret"))
    assert trap.connections == 0
    assert (checked.result, checked.http_status) == (CheckResult.ERROR, None)
    assert checked.error == REFUSED_INTERNAL


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_addresses_are_refused_before_connecting(url):
    checked = check_one(url)
    assert checked.result == CheckResult.ERROR
    assert checked.error == REFUSED_INTERNAL


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "gopher://127.0.0.1:{port}/_", "ftp://127.0.0.1:{port}/"],
)
def test_schemes_other_than_http_are_refused(trap, url):
    checked = check_one(url.format(port=trap.port))
    assert trap.connections == 0
    assert checked.error == REFUSED_SCHEME


@pytest.mark.parametrize(
    "target",
    ["localhost", "0x7f.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "file", "gopher"],
)
def test_a_redirect_from_an_allowed_server_to_the_inside_is_refused(
    link_server, trap, target
):
    """127.0.0.1 is allowed (link_server); the redirect's host is another one, checked
    on its own: refused, though it is the same machine."""
    location = {
        "file": "file:///etc/passwd",
        "gopher": f"gopher://127.0.0.1:{trap.port}/_",
    }.get(target) or trap.url(target, "/secret")
    link_server.routes["/to-inside"] = (302, 302)
    link_server.redirects["/to-inside"] = location
    checked = check_one(link_server.url("/to-inside"))
    assert trap.connections == 0
    assert checked.result == CheckResult.ERROR
    assert checked.error in (REFUSED_INTERNAL, REFUSED_SCHEME)
    assert [path for _method, path, _agent in link_server.requests] == ["/to-inside"]


def test_a_host_named_in_the_setting_is_reached(settings, trap):
    """The trap does count what reaches it: allowed by name, localhost is checked."""
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["LocalHost"]
    checked = check_one(trap.url("localhost"))
    assert checked.result == CheckResult.OK
    assert trap.connections == 1


def test_an_address_in_the_setting_allows_that_address_only(settings, trap):
    """Naming 127.0.0.1 allows URLs that give 127.0.0.1, not a name that resolves
    to it nor another notation of it."""
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["127.0.0.1"]
    assert check_one(trap.url("localhost")).error == REFUSED_INTERNAL
    assert check_one(trap.url("0x7f.0.0.1")).error == REFUSED_INTERNAL
    assert trap.connections == 0
    assert check_one(trap.url("127.0.0.1")).result == CheckResult.OK
    assert trap.connections == 1


def test_the_address_checked_is_the_address_connected_to(monkeypatch, trap):
    """A name that resolves to a public address when checked and to 127.0.0.1 the
    next time (DNS rebinding) is connected to at the address that was checked: the
    system's resolver is replaced by one that answers so."""
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.215.14"])

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.zhongcao.test":
            host = next(answers, "127.0.0.1")
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    check_one(f"http://rebind.zhongcao.test:{trap.port}/")
    assert trap.connections == 0


def test_errors_name_no_address_port_or_system_error(settings, trap):
    """Where a request may go, what failed is said in fixed words: a closed port
    reads as any other failure to connect."""
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["127.0.0.1"]
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    checked = check_one(f"http://127.0.0.1:{closed_port}/")
    assert checked.error == "Could not connect"


def test_the_command_refuses_too(trap):
    OfferFactory(url=trap.url("localhost"))
    call_command("check_links", "--timeout", "0.5", "--no-progress")
    assert OfferLinkCheck.objects.get().error == REFUSED_INTERNAL
    assert trap.connections == 0


# -- When they are typed in -------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    [
        "127.0.0.1",
        "0x7f.0.0.1",
        "0177.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "100.64.0.7",
    ],
)
def test_a_merchant_domain_inside_the_network_is_refused(domain):
    merchant = MerchantFactory.build(allowed_domains=f"shop.example\n{domain}")
    with pytest.raises(ValidationError) as refused:
        merchant.full_clean()
    assert "inside the network" in str(refused.value.message_dict["allowed_domains"])


def test_a_merchant_domain_named_in_the_setting_is_accepted(settings):
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["10.1.2.3"]
    merchant = MerchantFactory.build(allowed_domains="10.1.2.3")
    merchant.full_clean()
    assert merchant.allowed_domains == "10.1.2.3"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/item/1",
        "http://[::1]/item/1",
        "http://[::ffff:127.0.0.1]/item/1",
        "http://localhost/item/1",
        "http://169.254.169.254/item/1",
    ],
)
def test_an_offer_url_inside_the_network_is_refused(url):
    """Even on a merchant whose domains were saved before the rule."""
    merchant = MerchantFactory(
        allowed_domains="127.0.0.1\n::1\n::ffff:127.0.0.1\nlocalhost\n169.254.169.254"
    )
    offer = OfferFactory.build(merchant=merchant, url=url)
    with pytest.raises(ValidationError) as refused:
        offer.full_clean()
    assert "inside the network" in str(refused.value.message_dict["url"])


def test_a_public_offer_url_still_passes():
    offer = OfferFactory.build(
        merchant=MerchantFactory(), url="https://item.shop.example/42"
    )
    offer.full_clean(exclude=["product"])
