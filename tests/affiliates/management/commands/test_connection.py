"""`manage.py connection`: creating and changing a network connection from the
command line (credentials encrypted, fields, settings with dotted keys and JSON
values), `--show` with secrets masked, and bad input refused with nothing changed."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection as database

from affiliates.commissions.networks import base
from affiliates.models import ConnectionKind, ConnectionRun, NetworkConnection
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

SECRET = "app-secret-never-printed-7f3a"


class KeyedConnector(base.Connector):
    kind = ConnectionKind.JD_UNION
    credential_names = ("app_key", "app_secret")


@pytest.fixture
def jd(connector_replace):
    connector_replace(ConnectionKind.JD_UNION, KeyedConnector)


def run(*args) -> str:
    out = StringIO()
    call_command("connection", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_connection_with_encrypted_credentials(jd, shop):
    out = run(
        shop.slug,
        "--kind=jd-union",
        "--set",
        "app_key=key-12345678",
        "--set",
        f"app_secret={SECRET}",
        "--set",
        "base_url=https://api.jd.example/routerjson",
        "--set",
        "pull_every_minutes=15",
        "--set",
        "enabled=false",
        "--set",
        "time_zone=Asia/Shanghai",
    )
    connection = NetworkConnection.objects.get()
    assert f"Created connection #{connection.pk}" in out
    assert connection.credentials == {"app_key": "key-12345678", "app_secret": SECRET}
    assert connection.settings == {"time_zone": "Asia/Shanghai"}
    assert connection.base_url == "https://api.jd.example/routerjson"
    assert (connection.pull_every_minutes, connection.enabled) == (15, False)
    # Encrypted at rest: the column does not hold the secret in the clear.
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT credentials FROM affiliates_networkconnection WHERE id = %s",
            [connection.pk],
        )
        (stored,) = cursor.fetchone()
    assert SECRET not in str(stored)
    # Printed masked.
    assert SECRET not in out and "••••7f3a" in out


def test_it_changes_the_merchants_connection_of_that_kind(jd, shop):
    run(shop.slug, "--kind=jd-union", "--set", f"app_secret={SECRET}")
    run(
        shop.slug,
        "--kind=jd-union",
        "--set",
        "app_key=key-2",
        "--set",
        "app_secret=",
        "--set",
        "statuses.16=approved",
    )
    connection = NetworkConnection.objects.get()
    # An empty credential keeps the stored one.
    assert connection.credentials == {"app_secret": SECRET, "app_key": "key-2"}
    assert connection.settings == {"statuses": {"16": "approved"}}


def test_settings_take_dotted_keys_json_values_and_unset(shop):
    run(
        shop.slug,
        "--kind=templated-postback",
        "--set",
        "auth=token",
        "--set",
        "token=tok-abcdefgh1234",
        "--set",
        "params.click_id=subid1",
        "--set",
        "params.order_id=oid",
        "--set",
        "params.amount=sale",
        "--set",
        "currency=CNY",
        "--set",
        'statuses={"approved": "approved", "rejected": "cancelled"}',
    )
    connection = NetworkConnection.objects.get()
    assert connection.settings == {
        "auth": "token",
        "params": {"click_id": "subid1", "order_id": "oid", "amount": "sale"},
        "currency": "CNY",
        "statuses": {"approved": "approved", "rejected": "cancelled"},
    }
    assert connection.credentials == {"token": "tok-abcdefgh1234"}
    run(shop.slug, "--kind=templated-postback", "--unset", "params.click_id")
    connection.refresh_from_db()
    assert connection.settings["params"] == {"order_id": "oid", "amount": "sale"}


def test_settings_a_templated_postback_cannot_use_are_refused(shop):
    """An enabled templated postback whose settings would refuse every call (503)
    is refused with the setting named, and nothing changes; a disabled one may be
    set up a step at a time."""
    with pytest.raises(CommandError, match="params"):
        run(shop.slug, "--kind=templated-postback", "--set", "token=tok-abcdefgh1234")
    assert not NetworkConnection.objects.exists()
    step = ("--kind=templated-postback", "--set", "enabled=false", "--set")
    run(shop.slug, *step, "token=tok-abcdefgh1234")
    run(
        shop.slug,
        *step,
        'params={"order_id": "oid", "amount": "sale"}',
        "--set",
        "auth=token",
    )
    with pytest.raises(CommandError, match="currency"):
        run(shop.slug, "--kind=templated-postback", "--set", "enabled=true")
    run(shop.slug, *step, "currency=CNY")
    run(shop.slug, "--kind=templated-postback", "--set", "enabled=true")
    with pytest.raises(CommandError, match="order_id"):
        run(shop.slug, "--kind=templated-postback", "--unset", "params.order_id")
    connection = NetworkConnection.objects.get()
    assert connection.enabled and connection.settings["params"]["order_id"] == "oid"


def test_show_prints_health_and_the_inbound_url_with_secrets_masked(jd, shop):
    run(shop.slug, "--kind=jd-union", "--set", f"app_secret={SECRET}")
    run(
        shop.slug,
        "--kind=templated-postback",
        "--set",
        "token=tok-abcdefgh1234",
        "--set",
        "enabled=false",  # no settings yet: not answering postbacks
    )
    pulled, templated = NetworkConnection.objects.order_by("kind")
    NetworkConnection.objects.filter(pk=pulled.pk).update(
        last_error="HTTP 503 from JD", last_error_at=datetime.datetime.now(datetime.UTC)
    )
    ConnectionRun.objects.create(
        connection=pulled,
        window_start=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        window_end=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC),
        lines_seen=42,
    )
    out = run(shop.slug, "--show")
    assert SECRET not in out and "tok-abcdefgh1234" not in out
    assert "app_secret: ••••7f3a" in out and "app_key: (not set)" in out
    assert "HTTP 503 from JD" in out
    assert "42 order lines read" in out
    assert f"/api/postbacks/{shop.slug}/{templated.key}" in out
    assert "orders received today: 0" in out
    only_jd = run(shop.slug, "--show", "--kind=jd-union")
    assert "templated" not in only_jd.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--kind=jd-union"], "No merchant"),
        (["{shop}", "--kind=nonsense"], "not a connection kind"),
        (["{shop}", "--set", "app_key=x"], "--kind is required"),
        (["{shop}", "--kind=jd-union", "--set", "app_key"], "key=value"),
        (["{shop}", "--kind=jd-union", "--set", "enabled=maybe"], "true or false"),
        (["{shop}", "--kind=jd-union", "--set", "pull_every_minutes=x"], "whole"),
        (["{shop}", "--kind=jd-union", "--set", "pull_every_minutes=0"], "1 to"),
        (["{shop}", "--kind=jd-union", "--set", "base_url=http://10.1.2.3/"], "inside"),
        (["{shop}", "--kind=jd-union", "--set", "base_url=ftp://x.example/"], "http"),
        (["{shop}", "--kind=jd-union", "--set", "access_token=x"], "credential"),
        (["{shop}", "--kind=jd-union", "--set", "map={bad json"], "not valid JSON"),
        (["{shop}", "--kind=jd-union", "--set", "a..b=x"], "empty part"),
        (["{shop}", "--kind=jd-union", "--unset", "app_key"], "only settings"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    jd, shop, args, message
):
    args = [arg.replace("{shop}", shop.slug) for arg in args]
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not NetworkConnection.objects.exists()


def test_a_setting_under_a_map_that_is_not_one_is_refused(jd, shop):
    run(shop.slug, "--kind=jd-union", "--set", "params=flat")
    with pytest.raises(CommandError, match="params is not a map"):
        run(shop.slug, "--kind=jd-union", "--set", "params.click_id=sub")
    assert NetworkConnection.objects.get().settings == {"params": "flat"}


def test_several_connections_of_a_kind_are_told_apart_by_name(jd, shop):
    run(shop.slug, "--kind=jd-union", "--name=cn", "--set", "app_key=k1")
    run(shop.slug, "--kind=jd-union", "--name=hk", "--set", "app_key=k2")
    with pytest.raises(CommandError, match="--name"):
        run(shop.slug, "--kind=jd-union", "--set", "app_key=k3")
    run(shop.slug, "--kind=jd-union", "--name=hk", "--set", "app_key=k4")
    keys = {
        connection.name: connection.credentials["app_key"]
        for connection in NetworkConnection.objects.all()
    }
    assert keys == {"cn": "k1", "hk": "k4"}


def test_a_merchant_without_connections_says_so(shop):
    other = MerchantFactory(name="Empty")
    assert "has no network connection" in run(other.slug, "--show")


def test_tracking_ids_are_added_from_a_file_and_shown(shop, tmp_path):
    ids = tmp_path / "tags.txt"
    ids.write_text("lulu-20\nann-20\n\nlulu-20\n", encoding="utf-8")
    out = run(shop.slug, "--kind=amazon-associates", "--tracking-ids", str(ids))
    assert "Added 2 tracking ids (0 already there)." in out
    assert "tracking ids: 2, 0 given to creators" in out
    again = run(shop.slug, "--kind=amazon-associates", "--tracking-ids", str(ids))
    assert "Added 0 tracking ids (2 already there)." in again


def test_a_bad_tracking_id_names_its_line_and_adds_none(shop, tmp_path):
    ids = tmp_path / "tags.txt"
    ids.write_text("good-20\nhas space\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--tracking-ids: Line 2"):
        run(shop.slug, "--kind=amazon-associates", "--tracking-ids", str(ids))
    assert not NetworkConnection.objects.filter(merchant=shop).exists()
