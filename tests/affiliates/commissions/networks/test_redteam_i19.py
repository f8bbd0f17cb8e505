"""Red team of issue 19's network connections: each test is an attack or a careless
network's call. A defect that is recorded, not fixed, is marked xfail(strict)."""

import datetime
import io
import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db_connection
from django.test import override_settings
from django.utils import timezone

from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.postbacks import conversion_data_parse
from affiliates.commissions.services.conversions import (
    ConversionConflict,
    conversion_ingest,
)
from affiliates.models import (
    ConnectionKind,
    Conversion,
    ConversionSource,
    MerchantConnection,
    NetworkConnection,
)
from products.signing import signature_make
from tests.affiliates.commissions.test_api_templated_postback import (
    TOKEN,
    call,
    connect,
    counts,
    url,
)
from tests.affiliates.conftest import SECRET, postback, sale

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


# -- Who may call a templated postback ------------------------------------------------


def test_a_key_on_another_merchants_url_is_not_found(client, shop, network):
    theirs = connect(shop)
    response = client.get(
        f"/api/postbacks/{network.slug}/{theirs.key}?" + _q(call(token=TOKEN))
    )
    assert response.status_code == 404
    assert counts() == (0, 0, 0)


def test_a_disabled_or_pulled_connection_is_not_a_postback(client, shop):
    disabled = connect(shop)
    disabled.enabled = False
    disabled.save()
    assert client.get(url(disabled, call(token=TOKEN))).status_code == 404
    pulled = connect(shop)
    NetworkConnection.objects.filter(pk=pulled.pk).update(kind=ConnectionKind.IMPACT)
    assert client.get(url(pulled, call(token=TOKEN))).status_code == 404
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "credentials", [{}, {"token": ""}, {"token": "   "}, {"token": None}]
)
def test_no_token_configured_lets_nobody_in(client, shop, credentials):
    """An empty configured token must not match an empty or missing given one."""
    everflow = connect(shop, credentials=credentials)
    for given in ({"token": ""}, {"token": "   "}, {}):
        response = client.get(url(everflow, call(**given)), HTTP_X_POSTBACK_TOKEN="")
        assert response.status_code == 401, response.content
    assert counts() == (0, 0, 0)


def test_a_right_header_does_not_excuse_a_wrong_query_token(client, shop):
    everflow = connect(shop)
    response = client.get(
        url(everflow, call(token="wrong")), HTTP_X_POSTBACK_TOKEN=TOKEN
    )
    assert response.status_code == 401
    response = client.get(
        url(everflow, call(token="wrong")), HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert response.status_code == 401
    assert counts() == (0, 0, 0)


def test_a_forged_forwarded_for_does_not_pass_the_ip_allow_list(client, shop):
    everflow = connect(shop, auth="ip", allowed_ips=["203.0.113.0/24"])
    for forged in ("203.0.113.7", "203.0.113.7, 198.51.100.1", "::ffff:203.0.113.7"):
        response = client.get(
            url(everflow, call()),
            REMOTE_ADDR="198.51.100.1",
            HTTP_X_FORWARDED_FOR=forged,
        )
        assert response.status_code == 403, forged
    with override_settings(ZHONGCAO_PROXY_COUNT=1):
        # The proxy appends the address it saw; what the client wrote is left of it.
        response = client.get(
            url(everflow, call()),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1",
        )
        assert response.status_code == 403
    assert counts() == (0, 0, 0)
    # The IPv4-mapped form of an allowed address is that address.
    response = client.get(url(everflow, call()), REMOTE_ADDR="::ffff:203.0.113.9")
    assert response.status_code == 200, response.content


def test_hmac_reads_only_the_signed_body_not_an_added_query(client, shop):
    """A captured signed call, replayed with a query that says refunded, is the
    signed call: the query is not read, and the replay changes nothing."""
    everflow = connect(shop, auth="hmac", credentials={"secret": "whsec_n"})
    body = json.dumps(call(status="1")).encode()
    header = signature_make(secret="whsec_n", body=body, timestamp=int(time.time()))
    first = client.post(
        url(everflow),
        data=body,
        content_type="application/json",
        HTTP_ZHONGCAO_SIGNATURE=header,
    )
    assert first.status_code == 200, first.content
    replay = client.post(
        url(everflow, {"status": "reversed", "sale_amount": "1.00"}),
        data=body,
        content_type="application/json",
        HTTP_ZHONGCAO_SIGNATURE=header,
    )
    assert replay.status_code == 200, replay.content
    assert replay.json()["changed"] is False
    conversion = Conversion.objects.get()
    assert conversion.status == "approved"
    assert conversion.amount == Decimal("129.90")


# -- Money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "minor", "exact"),
    [
        ("JPY", "12990", Decimal("12990")),
        ("BHD", "12345", Decimal("12.345")),
        ("CNY", "1", Decimal("0.01")),
        ("USD", "999999999999", Decimal("9999999999.99")),
    ],
)
def test_minor_units_are_exact_in_every_currency(client, shop, currency, minor, exact):
    everflow = connect(shop, amount_unit="minor")
    response = client.get(
        url(
            everflow,
            call(token=TOKEN, currency=currency, sale_amount=minor, payout="0"),
        )
    )
    if response.status_code == 200:
        assert Conversion.objects.get().amount == exact
    else:  # too large for the column is refused by name, never rounded
        assert response.status_code == 400
        assert response.json()["field"] == "amount"


@pytest.mark.parametrize(
    "amount",
    # JSON literals as a network might write them: numbers, and odd text.
    ["1e2", "1E+2", "100.000", '"0x10"', '"1_000"', '"١٢٣"', "NaN", "-5", "Infinity"],
)
def test_odd_numbers_are_refused_or_exact(client, shop, amount):
    everflow = connect(shop)
    body = (
        f'{{"oid": "O-1", "sale_amount": {amount}, "payout": "0", "token": "{TOKEN}"}}'
    )
    response = client.post(url(everflow), data=body, content_type="application/json")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert Conversion.objects.get().amount == Decimal(100)
    else:
        assert response.json()["field"] == "amount", response.content
        assert counts() == (0, 0, 0)


def test_commission_above_the_amount_in_minor_units_is_refused(client, shop):
    everflow = connect(shop, amount_unit="minor")
    response = client.get(
        url(everflow, call(token=TOKEN, sale_amount="100", payout="101"))
    )
    assert response.status_code == 400
    assert response.json()["field"] == "commission"
    assert counts() == (0, 0, 0)


def _data(**fields):
    return conversion_data_parse(sale(**fields))


def test_an_order_is_not_credited_both_whole_and_by_its_items(shop):
    """Reported whole by the merchant's postback and by items by a pull, one order
    would be two sales and paid twice: the second granularity is refused."""
    conversion_ingest(
        merchant=shop, data=_data(order_id="O-9"), source=ConversionSource.POSTBACK
    )
    with pytest.raises(ConversionConflict) as conflict:
        conversion_ingest(
            merchant=shop,
            data=_data(order_id="O-9", item_id="SKU-1", amount="400.00"),
            source=ConversionSource.PULL,
        )
    assert conflict.value.field == "item_id"
    conversion_ingest(
        merchant=shop,
        data=_data(order_id="O-10", item_id="SKU-1"),
        source=ConversionSource.PULL,
    )
    conversion_ingest(
        merchant=shop,
        data=_data(order_id="O-10", item_id="SKU-2"),
        source=ConversionSource.PULL,
    )
    with pytest.raises(ConversionConflict):
        conversion_ingest(
            merchant=shop,
            data=_data(order_id="O-10"),
            source=ConversionSource.POSTBACK,
        )
    assert Conversion.objects.count() == 3


def test_whole_order_and_item_through_the_endpoints_are_one_sale(client, connected):
    everflow = connect(connected)
    assert postback(client, connected, sale(order_id="EF-1001")).status_code == 200
    response = client.get(url(everflow, call(token=TOKEN, sku="SKU-1")))
    assert response.status_code == 409, response.content
    assert response.json()["field"] == "item_id"
    assert Conversion.objects.count() == 1


def test_refunding_one_item_leaves_the_other(shop):
    for sku in ("A", "B"):
        conversion_ingest(
            merchant=shop,
            data=_data(order_id="O-1", item_id=sku, commission="10.00"),
            source=ConversionSource.PULL,
        )
    conversion_ingest(
        merchant=shop,
        data=_data(order_id="O-1", item_id="A", status="refunded", commission="10.00"),
        source=ConversionSource.PULL,
    )
    statuses = dict(Conversion.objects.values_list("item_id", "status"))
    assert statuses == {"A": "refunded", "B": "pending"}


# -- Encryption at rest ---------------------------------------------------------------


def _raw(table: str, column: str) -> list[str]:
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_secrets_are_not_readable_in_the_database(connected):
    everflow = connect(connected)
    raw_credentials = _raw(NetworkConnection._meta.db_table, "credentials")
    assert raw_credentials
    assert all(TOKEN not in value for value in raw_credentials)
    raw_secrets = _raw(MerchantConnection._meta.db_table, "postback_secret")
    assert raw_secrets
    assert all(SECRET not in value for value in raw_secrets)
    assert everflow.credentials == {"token": TOKEN}


def test_dumpdata_round_trips_a_connections_credentials(shop):
    connect(shop)
    out = io.StringIO()
    call_command("dumpdata", "affiliates.networkconnection", stdout=out)
    dumped = json.loads(out.getvalue())
    credentials = dumped[0]["fields"]["credentials"]
    # Written as JSON, so loaddata reads back the same dict.
    assert NetworkConnection._meta.get_field("credentials").to_python(credentials) == {
        "token": TOKEN
    }


@pytest.mark.parametrize("dump_format", ["json", "jsonl", "xml"])
def test_dumpdata_does_not_write_secrets_in_plain_text(connected, dump_format):
    connect(connected)
    out = io.StringIO()
    call_command(
        "dumpdata",
        "affiliates.networkconnection",
        "affiliates.merchantconnection",
        format=dump_format,
        stdout=out,
    )
    assert TOKEN not in out.getvalue()
    assert SECRET not in out.getvalue()
    assert "zhongcao-encrypted:" in out.getvalue()


def test_a_wrong_encryption_key_gives_no_500_on_the_postbacks(client, connected):
    everflow = connect(connected)
    client.raise_request_exception = False
    with override_settings(ZHONGCAO_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        signed = postback(client, connected, sale())
        templated = client.get(url(everflow, call(token=TOKEN)))
    assert signed.status_code == 503, signed.content
    assert templated.status_code == 503, templated.content
    assert templated.json()["error"] == "misconfigured"
    assert Conversion.objects.count() == 0


def test_a_wrong_encryption_key_gives_no_500_on_the_connections_list(
    client, connected, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "r@x.cn", "pw")
    client.force_login(admin)
    client.raise_request_exception = False
    with override_settings(ZHONGCAO_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        response = client.get("/admin/money/merchant-connections/")
    assert response.status_code == 200


# -- Pulls: a slow or hostile network ------------------------------------------------


class _Dribbler(BaseHTTPRequestHandler):
    """Answers 200 and then one byte of JSON every 0.2 s for ``seconds``."""

    seconds = 6.0

    def _dribble(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        stop = time.monotonic() + self.seconds
        try:
            while time.monotonic() < stop:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
            self.wfile.write(b"[]")
        except OSError:
            pass

    do_GET = _dribble  # noqa: N815
    do_POST = _dribble  # noqa: N815

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def dribbler(local_servers_allowed):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dribbler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _pull_connection(shop, kind, base_url, settings, credentials):
    return NetworkConnection.objects.create(
        merchant=shop,
        kind=kind,
        base_url=base_url,
        settings=settings,
        credentials=credentials,
    )


def _timed_pull(connection, monkeypatch, attribute, owner):
    monkeypatch.setattr(owner, attribute, 0.5, raising=False)
    now = timezone.now()
    started = time.monotonic()
    run = connection_pull(
        connection=connection, since=now - datetime.timedelta(hours=1), until=now
    )
    return run, time.monotonic() - started


def test_a_slow_loris_jd_does_not_hold_the_pull(shop, dribbler, monkeypatch):
    from affiliates.commissions.networks import jd

    connection = _pull_connection(
        shop,
        ConnectionKind.JD_UNION,
        dribbler,
        {},
        {"app_key": "k", "app_secret": "s"},
    )
    run, elapsed = _timed_pull(connection, monkeypatch, "timeout", jd.JdUnionConnector)
    assert run.state == "failed"
    assert elapsed < 3.0


def test_a_slow_loris_pdd_does_not_hold_the_pull(shop, dribbler, monkeypatch):
    from affiliates.commissions.networks import pdd

    connection = _pull_connection(
        shop,
        ConnectionKind.PDD_DDK,
        dribbler,
        {"pid": "1_2"},
        {"client_id": "c", "client_secret": "s"},
    )
    run, elapsed = _timed_pull(connection, monkeypatch, "timeout", pdd.PddConnector)
    assert run.state == "failed"
    assert elapsed < 3.0


def test_a_slow_loris_impact_does_not_hold_the_pull(shop, dribbler, monkeypatch):
    from affiliates.commissions.networks import impact

    connection = _pull_connection(
        shop,
        ConnectionKind.IMPACT,
        dribbler,
        {"account_sid": "IRabc"},
        {"auth_token": "t"},
    )
    run, elapsed = _timed_pull(
        connection, monkeypatch, "request_timeout", impact.ImpactConnector
    )
    assert run.state == "failed"
    assert elapsed < 3.0


def _q(query: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


# -- Pulls: secrets and internal addresses --------------------------------------------

APP_SECRET = "jd-app-secret-0123456789abcdef"  # noqa: S105 (a test's secret)


class _Echo(BaseHTTPRequestHandler):
    """A gateway (or a base_url pointed at a hostile server) that echoes the
    secret back in its error text, as JD's error_response carries it."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps(
            {
                "error_response": {
                    "code": "19",
                    "zh_desc": f"签名错误 app_secret={APP_SECRET}",
                    "en_desc": f"Invalid signature, secret {APP_SECRET}",
                }
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer  # noqa: N815
    do_POST = _answer  # noqa: N815

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def echo(local_servers_allowed):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_secret_the_network_echoes_is_not_kept_or_logged(shop, echo, caplog):
    connection = _pull_connection(
        shop,
        ConnectionKind.JD_UNION,
        echo,
        {},
        {"app_key": "k", "app_secret": APP_SECRET},
    )
    now = timezone.now()
    with caplog.at_level("DEBUG"):
        run = connection_pull(
            connection=connection, since=now - datetime.timedelta(hours=1), until=now
        )
    connection.refresh_from_db()
    assert run.state == "failed"
    assert run.error
    assert APP_SECRET not in run.error
    assert APP_SECRET not in connection.last_error
    assert APP_SECRET not in caplog.text


@pytest.mark.parametrize(
    "base_url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://2130706433/routerjson",  # 127.0.0.1 as one decimal number
        "http://0x7f000001/routerjson",
        "http://[::1]/routerjson",
        "http://[::ffff:127.0.0.1]/routerjson",
        "http://localhost/routerjson",
        "http://10.0.0.1/routerjson",
        "file:///etc/passwd",
    ],
)
def test_an_internal_base_url_is_refused(shop, base_url):
    connection = _pull_connection(
        shop,
        ConnectionKind.JD_UNION,
        base_url,
        {},
        {"app_key": "k", "app_secret": APP_SECRET},
    )
    now = timezone.now()
    run = connection_pull(
        connection=connection, since=now - datetime.timedelta(hours=1), until=now
    )
    assert run.state == "failed"
    assert "policy" in run.error.lower() or "invalid url" in run.error.lower(), (
        run.error
    )
    connection.refresh_from_db()
    assert connection.cursor is None


# -- Tracking ids -------------------------------------------------------------------


def test_another_merchants_tracking_id_credits_nobody(shop, network, creator):
    from affiliates.models import TrackingId

    theirs = NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.TEMPLATED_POSTBACK, settings={}
    )
    TrackingId.objects.create(connection=theirs, value="mm_1_2_3", creator=creator)
    result = conversion_ingest(
        merchant=network,
        data=_data(order_id="N-1", currency="USD", tracking_id="mm_1_2_3"),
        source=ConversionSource.POSTBACK,
    )
    assert result.conversion.author is None
    other = NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.TEMPLATED_POSTBACK, settings={}
    )
    result = conversion_ingest(
        merchant=shop,
        data=_data(order_id="N-2", tracking_id="mm_1_2_3"),
        source=ConversionSource.NETWORK,
        connection=other,
    )
    assert result.conversion.author is None  # not that connection's id
    result = conversion_ingest(
        merchant=shop,
        data=_data(order_id="N-3", tracking_id="mm_1_2_3"),
        source=ConversionSource.NETWORK,
        connection=theirs,
    )
    assert result.conversion.author == creator


# -- The same order by two ways at once (PostgreSQL) ------------------------------------


@pytest.mark.skipif(
    db_connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("items", [("", ""), ("", "SKU-1"), ("SKU-1", "")])
def test_a_pull_and_a_postback_of_one_order_at_once_are_one_sale(shop, items):
    """A pull's line and a postback of the same order racing: one conversion,
    whether both report it whole or one whole and one by its item."""
    barrier = threading.Barrier(2)
    outcomes = []

    def ingest(item_id, source):
        barrier.wait()
        try:
            conversion_ingest(
                merchant=shop,
                data=_data(order_id="RACE-1", item_id=item_id, commission="10.00"),
                source=source,
            )
            outcomes.append("ok")
        except ConversionConflict:
            outcomes.append("conflict")
        finally:
            db_connection.close()

    threads = [
        threading.Thread(target=ingest, args=(items[0], ConversionSource.PULL)),
        threading.Thread(target=ingest, args=(items[1], ConversionSource.NETWORK)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Conversion.objects.filter(order_id="RACE-1").count() == 1
    expected = ["ok", "ok"] if items[0] == items[1] else ["conflict", "ok"]
    assert sorted(outcomes) == expected


def test_a_refused_call_does_not_log_or_keep_its_token(client, shop, caplog):
    everflow = connect(shop)
    with caplog.at_level("DEBUG"):
        response = client.get(url(everflow, call(token=TOKEN, sale_amount="12,50")))
    assert response.status_code == 400
    everflow.refresh_from_db()
    assert everflow.last_error
    assert TOKEN not in everflow.last_error
    assert TOKEN not in caplog.text
    assert TOKEN not in response.content.decode()


def test_the_connection_page_does_not_show_the_whole_secret_again(
    client, connected, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "r@x.cn", "pw")
    client.force_login(admin)
    pk = MerchantConnection.objects.get(merchant=connected).pk
    response = client.get(f"/admin/money/merchant-connections/edit/{pk}/")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
