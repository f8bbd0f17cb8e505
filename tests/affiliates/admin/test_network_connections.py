"""Network connections in the Wagtail admin, through its own URLs: who may open
them, the form (credentials write-only and masked, blank keeps, the base URL checked
as every outbound address is, settings as a JSON object), the health page and list,
and Pull now (enqueued once, a running pull reported rather than doubled)."""

import datetime
import json
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from wagtail.users.models import UserProfile

from affiliates.admin.forms import TEMPLATED_SETTINGS_EXAMPLE
from affiliates.commissions.networks import base
from affiliates.models import (
    ConnectionKind,
    ConnectionRun,
    ConversionReport,
    NetworkConnection,
    RunState,
)
from affiliates.tasks import pull_conversions
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

VIEWSET = "affiliates_network_connections"
APP_KEY = "jd-app-key-0001abcd"
APP_SECRET = "s3cr3t-value-that-must-never-show-9f8e"
NOW = timezone.now()


def url(view: str, *args) -> str:
    return reverse(f"{VIEWSET}:{view}", args=args)


class PagedConnector(base.Connector):
    """Two pages of order lines for any window (the admin's part is what is tested
    here; each network's wire format is tested against its own local server)."""

    kind = ConnectionKind.AWIN
    credential_names = ("app_key", "app_secret")
    max_window = datetime.timedelta(days=30)
    lines = [
        {
            "order_id": f"AW-{number}",
            "amount": "100.00",
            "currency": "CNY",
            "status": "pending",
            "occurred_at": (NOW - datetime.timedelta(hours=1)).isoformat(),
        }
        for number in range(3)
    ]

    def fetch(self, window):
        yield self.lines[:2]
        yield [*self.lines[2:], {"order_id": "AW-bad", "amount": "much"}]


@pytest.fixture
def connector(connector_replace):
    connector_replace(ConnectionKind.AWIN, PagedConnector)
    return PagedConnector


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def creator_client(creator):
    client = Client()
    client.force_login(creator.user)
    return client


@pytest.fixture
def pulled(connector, shop):
    return NetworkConnection.objects.create(
        merchant=shop,
        kind=ConnectionKind.AWIN,
        credentials={"app_key": APP_KEY, "app_secret": APP_SECRET},
        settings={"time_zone": "Asia/Shanghai"},
    )


@pytest.fixture
def templated(shop):
    return NetworkConnection.objects.create(
        merchant=shop,
        kind=ConnectionKind.TEMPLATED_POSTBACK,
        credentials={"token": "tok-0123456789-wxyz"},
        settings=USABLE_TEMPLATE,
    )


# Settings a templated postback can be used with (templates.postback_template_parse).
USABLE_TEMPLATE = {
    "auth": "token",
    "params": {"click_id": "subid1", "order_id": "oid", "amount": "sale"},
    "currency": "CNY",
}


def form_data(**fields) -> dict:
    data = {
        "name": "",
        "enabled": "on",
        "base_url": "",
        "pull_every_minutes": "30",
        "settings": "{}",
        "credential_app_key": "",
        "credential_app_secret": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def messages_of(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


# -- Who may open what -----------------------------------------------------------------


def test_creators_are_refused_everywhere(creator_client, pulled, templated):
    gets = [
        url("index"),
        url("add"),
        url("add_kind", ConnectionKind.AWIN),
        url("edit", pulled.pk),
        url("edit", 999_999),
        url("inspect", pulled.pk),
        url("inspect", 999_999),
        url("progress", pulled.pk),
    ]
    for address in gets:
        response = creator_client.get(address)
        assert response.status_code in (302, 403), address
        assert APP_KEY not in response.content.decode()
    responses = [
        creator_client.post(url("pull", pulled.pk)),
        creator_client.post(url("edit", pulled.pk), form_data(name="taken")),
        creator_client.post(
            url("add_kind", ConnectionKind.AWIN),
            form_data(merchant=str(pulled.merchant_id), name="mine"),
        ),
    ]
    assert all(response.status_code in (302, 403) for response in responses)
    assert NetworkConnection.objects.count() == 2
    assert NetworkConnection.objects.get(pk=pulled.pk).name == ""
    assert not ConnectionRun.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, pulled):
    response = client.get(url("inspect", pulled.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_editors_see_the_money_menu_item(editor_client):
    response = editor_client.get(reverse("wagtailadmin_home"))
    assert url("index") in response.content.decode()


# -- The form --------------------------------------------------------------------------


def test_a_new_connection_starts_with_its_kind(
    editor_client, connector, connector_replace
):
    connector_replace(ConnectionKind.JD_UNION, None)
    page = editor_client.get(url("add")).content.decode()
    assert url("add_kind", ConnectionKind.AWIN) in page
    assert url("add_kind", ConnectionKind.TEMPLATED_POSTBACK) in page
    # A kind whose connector is not installed is not offered.
    assert url("add_kind", ConnectionKind.JD_UNION) not in page
    assert (
        editor_client.get(url("add_kind", ConnectionKind.JD_UNION)).status_code == 404
    )
    assert editor_client.get(url("add_kind", "nonsense")).status_code == 404


def test_an_editor_connects_a_network_with_its_credentials(
    editor_client, connector, shop
):
    form = editor_client.get(url("add_kind", ConnectionKind.AWIN)).content.decode()
    assert 'name="credential_app_key"' in form
    assert 'name="credential_app_secret"' in form
    response = editor_client.post(
        url("add_kind", ConnectionKind.AWIN),
        form_data(
            merchant=str(shop.pk),
            name="Awin EU",
            credential_app_key=APP_KEY,
            credential_app_secret=APP_SECRET,
            settings=json.dumps({"time_zone": "Europe/London"}),
            pull_every_minutes="15",
        ),
    )
    connection = NetworkConnection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("inspect", connection.pk)
    assert connection.credentials == {"app_key": APP_KEY, "app_secret": APP_SECRET}
    assert connection.settings == {"time_zone": "Europe/London"}
    assert (connection.name, connection.pull_every_minutes) == ("Awin EU", 15)
    assert connection.merchant == shop and connection.enabled


def test_credentials_are_shown_masked_never_in_full(editor_client, pulled):
    for address in (url("edit", pulled.pk), url("inspect", pulled.pk), url("index")):
        page = editor_client.get(address).content.decode()
        assert APP_SECRET not in page and APP_KEY not in page, address
        # Not even the parts of it that a mask leaves out.
        assert APP_SECRET[:-4] not in page
    edit = editor_client.get(url("edit", pulled.pk)).content.decode()
    assert "••••9f8e" in edit and "••••abcd" in edit
    inspect = editor_client.get(url("inspect", pulled.pk)).content.decode()
    assert "••••9f8e" in inspect


def test_a_blank_credential_keeps_the_stored_one_and_a_new_one_replaces_it(
    editor_client, pulled
):
    response = editor_client.post(
        url("edit", pulled.pk),
        form_data(name="renamed", credential_app_key="new-key-7777"),
    )
    assert response.status_code == 302
    pulled.refresh_from_db()
    assert pulled.name == "renamed"
    assert pulled.credentials == {"app_key": "new-key-7777", "app_secret": APP_SECRET}


def test_an_edit_leaves_the_cursor_and_health_to_the_pulls(editor_client, pulled):
    cursor = NOW - datetime.timedelta(hours=2)
    NetworkConnection.objects.filter(pk=pulled.pk).update(
        cursor=cursor, last_error="HTTP 503", last_error_at=NOW
    )
    editor_client.post(url("edit", pulled.pk), form_data(enabled=None))
    pulled.refresh_from_db()
    assert pulled.cursor == cursor and pulled.last_error == "HTTP 503"
    assert not pulled.enabled


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080/",
        "http://localhost/api",
        "http://10.0.0.5/",
        "http://[::1]/",
        "ftp://example.com/",
        "not a url",
    ],
)
def test_an_internal_or_unusable_base_url_is_refused(editor_client, pulled, base_url):
    response = editor_client.post(
        url("edit", pulled.pk), form_data(name="changed", base_url=base_url)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["base_url"]
    pulled.refresh_from_db()
    assert pulled.base_url == "" and pulled.name == ""


def test_an_internal_base_url_named_by_the_operator_is_accepted(
    editor_client, pulled, local_servers_allowed
):
    response = editor_client.post(
        url("edit", pulled.pk), form_data(base_url="http://127.0.0.1:8080/awin")
    )
    assert response.status_code == 302
    pulled.refresh_from_db()
    assert pulled.base_url == "http://127.0.0.1:8080/awin"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("[1, 2]", "JSON object"),
        ("{not json", "JSON"),
        ('{"app_secret": "x"}', "credential"),
        ('{"base_url": "https://x.example"}', "field of the connection"),
    ],
)
def test_settings_must_be_a_json_object_of_settings(
    editor_client, pulled, settings, message
):
    response = editor_client.post(
        url("edit", pulled.pk), form_data(name="changed", settings=settings)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["settings"])
    pulled.refresh_from_db()
    assert pulled.settings == {"time_zone": "Asia/Shanghai"} and pulled.name == ""


def test_a_templated_postback_shows_its_inbound_url_and_auth_credential(
    editor_client, templated, shop
):
    inbound = f"http://testserver/api/postbacks/{shop.slug}/{templated.key}"
    for address in (url("inspect", templated.pk), url("edit", templated.pk)):
        page = editor_client.get(address).content.decode()
        assert inbound in page
        assert "data-copy-target" in page
        assert "tok-0123456789-wxyz" not in page and "••••wxyz" in page
    edit = editor_client.get(url("edit", templated.pk)).content.decode()
    # Nothing to pull: no base URL, no interval; its credentials are its token and
    # its HMAC secret.
    assert 'name="base_url"' not in edit and 'name="pull_every_minutes"' not in edit
    assert 'name="credential_token"' in edit and 'name="credential_secret"' in edit
    response = editor_client.post(
        url("edit", templated.pk),
        {
            "enabled": "on",
            "settings": json.dumps(USABLE_TEMPLATE | {"auth": "hmac"}),
            "credential_token": "",
            "credential_secret": "hmac-secret-1234567",
        },
    )
    assert response.status_code == 302
    templated.refresh_from_db()
    assert templated.credentials == {
        "token": "tok-0123456789-wxyz",
        "secret": "hmac-secret-1234567",
    }
    assert templated.settings == USABLE_TEMPLATE | {"auth": "hmac"}
    assert not editor_client.get(url("inspect", templated.pk)).context["can_pull"]


def test_a_templated_postback_with_settings_it_cannot_use_is_a_form_error(
    editor_client, shop
):
    """Settings that would refuse the network's every call (503) are refused when
    typed, on the settings field, with nothing written; a disabled connection may
    be saved half set up."""
    add = url("add_kind", ConnectionKind.TEMPLATED_POSTBACK)
    data = {"merchant": shop.pk, "enabled": "on", "credential_token": "tok-1234567890"}
    response = editor_client.post(add, {**data, "settings": "{}"})
    assert response.status_code == 200
    assert "params" in " ".join(response.context["form"].errors["settings"])
    response = editor_client.post(
        add, {**data, "settings": json.dumps({**USABLE_TEMPLATE, "auth": "hmac"})}
    )
    assert response.status_code == 200
    assert "secret" in str(response.context["form"].errors)
    assert not NetworkConnection.objects.exists()
    del data["enabled"]
    assert editor_client.post(add, {**data, "settings": "{}"}).status_code == 302
    connection = NetworkConnection.objects.get()
    assert not connection.enabled
    response = editor_client.post(
        url("edit", connection.pk), {"enabled": "on", "settings": "{}"}
    )
    assert response.status_code == 200
    connection.refresh_from_db()
    assert not connection.enabled


# -- Health ----------------------------------------------------------------------------


def test_health_shows_the_last_success_error_orders_today_and_cursor(
    editor_client, pulled, connector
):
    editor_client.post(url("pull", pulled.pk))
    # One report came yesterday: not today's.
    yesterday = ConversionReport.objects.filter(connection=pulled).first()
    ConversionReport.objects.filter(pk=yesterday.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=1, hours=1)
    )
    NetworkConnection.objects.filter(pk=pulled.pk).update(
        last_error="HTTP 429 from Awin: rate limited",
        last_error_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    inspect = editor_client.get(url("inspect", pulled.pk))
    assert inspect.context["object"].orders_today == 2
    page = inspect.content.decode()
    assert "HTTP 429 from Awin: rate limited" in page
    assert "AW-bad" in page  # the refusal, with its reason
    run = inspect.context["runs"][0]
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (4, 3, 1)
    listing = editor_client.get(url("index"))
    (row,) = [row for row in listing.context["object_list"] if row.pk == pulled.pk]
    assert row.orders_today == 2
    # It resumes from the end of the window it read.
    assert row.cursor == ConnectionRun.objects.get().window_end
    listed = listing.content.decode()
    assert "Failed" in listed and "rate limited" in listed
    assert f'href="{url("inspect", pulled.pk)}"' in listed


# -- Pull now --------------------------------------------------------------------------


def test_pull_now_is_a_post(editor_client, pulled):
    assert editor_client.get(url("pull", pulled.pk)).status_code == 405
    assert not ConnectionRun.objects.exists()


def test_pull_now_needs_the_csrf_token(editor, pulled):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(url("pull", pulled.pk)).status_code == 403
    assert not ConnectionRun.objects.exists()


def test_pull_now_runs_the_pull_in_the_background(editor_client, pulled):
    response = editor_client.post(url("pull", pulled.pk), follow=True)
    assert "was started" in " ".join(messages_of(response))
    run = ConnectionRun.objects.get()
    assert run.state == RunState.SUCCEEDED
    assert (run.lines_seen, run.lines_applied) == (4, 3)
    assert pulled.reports.count() == 3


@pytest.fixture
def queue(settings):
    """Tasks wait in a queue nobody works, so a test sees what was enqueued."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    backend = task_backends["default"]
    backend.clear()
    return backend


def test_pull_now_enqueues_once_and_a_running_pull_is_not_doubled(
    editor_client, pulled, queue
):
    editor_client.post(url("pull", pulled.pk))
    assert [(result.task.name, result.args) for result in queue.results] == [
        (pull_conversions.name, [pulled.pk])
    ]
    # The worker starts it: a run is under way, with progress.
    ConnectionRun.objects.create(
        connection=pulled,
        window_start=NOW - datetime.timedelta(hours=1),
        window_end=NOW,
        lines_seen=120,
        lines_applied=100,
    )
    response = editor_client.post(url("pull", pulled.pk), follow=True)
    assert len(queue.results) == 1
    assert "already running (120 order lines read" in " ".join(messages_of(response))
    page = editor_client.get(url("inspect", pulled.pk)).content.decode()
    assert 'data-field="lines_seen">120<' in page
    assert url("progress", pulled.pk) in page
    progress = editor_client.get(url("progress", pulled.pk)).json()
    assert progress["running"] and progress["lines_seen"] == 120
    assert progress["lines_applied"] == 100
    listing = editor_client.get(url("index")).content.decode()
    assert "Pulling: 120 read, 100 applied" in listing


def test_a_postback_connection_is_not_pulled(editor_client, templated, queue):
    response = editor_client.post(url("pull", templated.pk), follow=True)
    assert "is not pulled" in " ".join(messages_of(response))
    assert queue.results == []


def test_the_connections_of_other_merchants_are_listed_too(editor_client, pulled):
    other = MerchantFactory(name="Other shop")
    NetworkConnection.objects.create(merchant=other, kind=ConnectionKind.AWIN)
    listing = editor_client.get(url("index"))
    assert len(listing.context["object_list"]) == 2


def test_a_chinese_speaking_editor_reads_the_pages_in_chinese(
    editor_client, editor, pulled
):
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "zh-hans"
    profile.save()
    inspect = editor_client.get(url("inspect", pulled.pk)).content.decode()
    assert "立即拉取" in inspect and "今日收到的订单" in inspect
    assert "联盟接入" in editor_client.get(url("index")).content.decode()
    edit = editor_client.get(url("edit", pulled.pk)).content.decode()
    assert "已保存：••••9f8e。留空则保持不变。" in edit


# -- Tracking ids ----------------------------------------------------------------------


def test_an_editor_adds_tracking_ids_and_sees_the_pool(editor_client, shop):
    response = editor_client.post(
        url("add_kind", ConnectionKind.AMAZON_ASSOCIATES),
        {
            "merchant": str(shop.pk),
            "name": "Amazon US",
            "enabled": "on",
            "settings": "{}",
            "tracking_ids": "lulu-20\nann-20\n",
        },
    )
    connection = NetworkConnection.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(connection.tracking_ids.values_list("value", flat=True)) == [
        "ann-20",
        "lulu-20",
    ]
    page = editor_client.get(url("inspect", connection.pk)).content.decode()
    assert "2 ids, 0 given to creators" in page


def test_a_bad_tracking_id_is_a_form_error_and_saves_nothing(editor_client, pulled):
    response = editor_client.post(
        url("edit", pulled.pk),
        form_data(name="Renamed", tracking_ids="ok-1\nhas space\n"),
    )
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    pulled.refresh_from_db()
    assert pulled.name == "" and not pulled.tracking_ids.exists()


# -- Said in words, for a newcomer -------------------------------------------------------


def dd(page: str, marker: str) -> str:
    """The text of the health list's entry marked ``data-<marker>``."""
    found = re.search(rf"<dd data-{marker}>(.*?)</dd>", page, re.DOTALL)
    assert found, marker
    return found.group(1).strip()


def test_a_new_connections_health_reads_in_words(editor_client, templated):
    page = editor_client.get(url("inspect", templated.pk)).content.decode()
    assert dd(page, "enabled") == "yes"
    assert dd(page, "last-success") == "never"
    assert dd(page, "last-error") == "none"
    shown = [
        value.strip() for value in re.findall(r"<dd[^>]*>(.*?)</dd>", page, re.DOTALL)
    ]
    assert not {"None", "True", "False"} & set(shown), shown
    # A network that calls us has no API address nor interval to show.
    assert "API base URL" not in page and "Pull every" not in page
    NetworkConnection.objects.filter(pk=templated.pk).update(enabled=False)
    page = editor_client.get(url("inspect", templated.pk)).content.decode()
    assert dd(page, "enabled") == "no"


def test_a_pulled_connection_shows_its_api_and_times_in_the_editors_zone(
    editor_client, editor, pulled
):
    profile = UserProfile.get_for_user(editor)
    profile.current_time_zone = "Asia/Shanghai"
    profile.save()
    succeeded = timezone.now().replace(second=0, microsecond=0)
    NetworkConnection.objects.filter(pk=pulled.pk).update(last_success_at=succeeded)
    page = editor_client.get(url("inspect", pulled.pk)).content.decode()
    in_shanghai = succeeded.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert dd(page, "last-success") == f"{in_shanghai:%Y-%m-%d %H:%M}"
    assert dd(page, "cursor") == "the first pull's look-back"
    assert "API base URL" in page and "Pull every" in page
    listed = editor_client.get(url("index")).content.decode()
    assert f"OK {in_shanghai:%Y-%m-%d %H:%M}" in listed


def test_the_templated_form_gives_a_settings_example_that_works(editor_client, shop):
    form = editor_client.get(url("add_kind", ConnectionKind.TEMPLATED_POSTBACK))
    help_text = str(form.context["form"].fields["settings"].help_text)
    assert "docs/networks/templated-postback.md" in help_text
    example = json.loads(re.search(r"\{.*\}(?=\. )", help_text).group(0))
    assert example == TEMPLATED_SETTINGS_EXAMPLE
    response = editor_client.post(
        url("add_kind", ConnectionKind.TEMPLATED_POSTBACK),
        {
            "merchant": shop.pk,
            "enabled": "on",
            "settings": json.dumps(example),
            "credential_token": "tok-1234567890",
        },
    )
    assert response.status_code == 302
    assert NetworkConnection.objects.get().enabled


def test_the_two_kinds_of_connection_say_which_is_which(editor_client):
    pages = {
        name: editor_client.get(reverse(f"{name}:index")).content.decode()
        for name in ("affiliates_merchant_connections", VIEWSET)
    }
    said = {
        name: re.search(r"<p [^>]*data-page-description>(.*?)</p>", page, re.DOTALL)
        for name, page in pages.items()
    }
    assert "signed postback" in said["affiliates_merchant_connections"].group(1)
    assert "Network connections" in said["affiliates_merchant_connections"].group(1)
    assert "templated postback" in said[VIEWSET].group(1)
    assert "Merchant connections" in said[VIEWSET].group(1)
