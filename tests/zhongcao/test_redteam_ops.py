"""Red team of issue 16's operations surfaces, as an attacker with the demo accounts
would try them: two-factor sign-in (zhongcao.two_factor), /healthz, /readyz and
/metrics (zhongcao.operations), the Background tasks report (zhongcao.admin_views)
and the task queue (zhongcao.taskqueue).

Each defect found is a strict xfail that fails because of it; the other tests are
attacks that held, kept as guards.
"""

import csv
import hmac
import io
import os
import re
import socket
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from content.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from content.webhooks.services import webhook_event_emit
from tests.factories import CreatorProfileFactory, EditorFactory, token_for
from tests.zhongcao.test_two_factor import (
    CODE_STEP,
    LOGIN,
    WRONG,
    code_now,
    enrolled,
    password_step,
    signed_in,
    throttle_wait_over,
    wrong_code,
)
from zhongcao.metrics import metrics_render
from zhongcao.models import TaskFailure, TaskOutcome
from zhongcao.settings.base import address_networks

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def editor_2fa(editor):
    device, codes = enrolled(editor)
    return editor, device, codes


@pytest.fixture
def required(settings):
    settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = True


# What an attacker holding only an editor's password would want: money, the admin's
# APIs, previews, API tokens, the background tasks report and its exports.
ADMIN_TARGETS = [
    "/admin/",
    "/admin/money/payouts/",
    "/admin/money/payouts/new/",
    "/admin/money/conversions/",
    "/admin/reports/held-conversions/",
    "/admin/reports/background-tasks/",
    "/admin/reports/background-tasks/?export=csv",
    "/admin/api-tokens/",
    "/admin/api-tokens/new/",
    "/admin/api/main/pages/",
    "/admin/pages/",
]
API_TARGETS = ["/api/conversions", "/api/me/earnings"]


# Two-factor sign-in: a session that gave the password but not the code --------------


def test_a_pending_sign_in_reaches_no_admin_page_nor_the_api(client, editor_2fa):
    """The password was right, the code never given: every page of the admin sends
    the browser to sign in, the API refuses, and a POST creates nothing."""
    editor, _device, _codes = editor_2fa
    assert password_step(client, editor).url == CODE_STEP
    for url in ADMIN_TARGETS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(LOGIN), url
    for url in API_TARGETS:
        assert client.get(url).status_code == 401, url
    response = client.post("/admin/money/payouts/new/", {})
    assert response.status_code in (302, 403)
    assert not signed_in(client)


def test_a_session_signed_in_by_any_other_path_is_worth_nothing(editor_2fa):
    """force_login stands for any sign-in path but the code step (a password reset,
    a future login view): the session is signed out at its first request, in the
    admin, its APIs and the reader site alike."""
    editor, _device, _codes = editor_2fa
    for url in [*ADMIN_TARGETS, *API_TARGETS, "/"]:
        client = Client()
        client.force_login(editor)
        response = client.get(url)
        assert response.status_code in (302, 401, 200), url
        if response.status_code == 302:
            assert response.url.startswith(LOGIN), url
        assert not signed_in(client), url


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example/",
        "https://evil.example/",
        "http://evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example/",
        "/%2F%2Fevil.example/",
        "http://testserver@evil.example/",
    ],
)
def test_the_code_step_redirects_nowhere_off_site(client, editor_2fa, next_url):
    editor, device, _codes = editor_2fa
    client.post(
        f"{LOGIN}?next={next_url}",
        {"username": editor.username, "password": "password", "next": next_url},
    )
    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert response.status_code == 302
    assert url_has_allowed_host_and_scheme(
        response.url, allowed_hosts={"testserver"}, require_https=False
    )
    # Off-site addresses fall back to the dashboard; an encoded path stays a path
    # on this site (which answers 404).
    assert response.url == "/admin/" or response.url.startswith("/%2F%2F")


def test_the_sign_in_code_cannot_be_replayed_to_turn_it_off(client, editor_2fa):
    """A code seen over the shoulder (or in a proxy's log) at sign-in is spent."""
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    code = code_now(device)
    client.post(CODE_STEP, {"code": code})
    assert signed_in(client)
    response = client.post(reverse("zhongcao_two_factor_disable"), {"code": code})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_turning_it_off_without_a_code_is_refused(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    client.post(CODE_STEP, {"code": code_now(device)})
    url = reverse("zhongcao_two_factor_disable")
    for data in [{}, {"code": ""}, {"code": " "}, {"code": "0" * 40}]:
        assert client.post(url, data).status_code == 200
    assert client.get(url).status_code == 405
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
    assert StaticDevice.objects.filter(user=editor).exists()


def test_another_users_codes_are_refused(client, editor_2fa):
    """An editor's authenticator and recovery codes sign in that editor only; nor can
    a signed-in creator turn off their own two-factor sign-in with them."""
    editor, _device, codes = editor_2fa
    creator = CreatorProfileFactory(user__username="kol9").user
    creator_device, creator_codes = enrolled(creator)

    password_step(client, editor)
    assert client.post(CODE_STEP, {"code": code_now(creator_device)}).status_code == 200
    assert client.post(CODE_STEP, {"code": creator_codes[0]}).status_code == 200
    assert not signed_in(client)

    other = Client()
    password_step(other, creator)
    throttle_wait_over(creator_device)
    other.post(CODE_STEP, {"code": code_now(creator_device)})
    assert signed_in(other)
    response = other.post(reverse("zhongcao_two_factor_disable"), {"code": codes[0]})
    assert WRONG in response.content.decode()
    assert TOTPDevice.objects.filter(user=creator, confirmed=True).exists()


def test_guessing_codes_from_fresh_sessions_is_throttled(editor_2fa):
    """Each guess from a new session (a new password step) counts against the same
    device: after three wrong codes even the right one waits, whichever kind of code
    (authenticator or recovery) the guesses were."""
    editor, device, codes = editor_2fa
    for guess in [wrong_code(device), "zzzzzzzz", wrong_code(device), "yyyyyyyy"]:
        client = Client()
        password_step(client, editor)
        client.post(CODE_STEP, {"code": guess})
    client = Client()
    password_step(client, editor)
    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert "Too many wrong codes" in response.content.decode()
    response = client.post(CODE_STEP, {"code": codes[0]})
    assert "Too many wrong codes" in response.content.decode()
    assert not signed_in(client)


def test_renewing_recovery_codes_after_signing_in_with_one_keeps_the_session(
    client, editor_2fa
):
    editor, device, codes = editor_2fa
    password_step(client, editor)
    client.post(CODE_STEP, {"code": codes[0]})
    assert signed_in(client)
    throttle_wait_over(device)
    response = client.post(
        reverse("zhongcao_two_factor_recovery_codes"), {"code": code_now(device)}
    )
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 200


# Two-factor sign-in required of editors: nothing before enrolling --------------------


def test_an_editor_who_must_enrol_reaches_no_money_page_first(client, required):
    editor = EditorFactory(username="mei")
    password_step(client, editor)
    set_up = reverse("zhongcao_two_factor_set_up")
    for url in ADMIN_TARGETS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == set_up, url
    for url in [
        "/admin/money/payouts/new/",
        "/admin/api-tokens/new/",
        reverse("zhongcao_two_factor_disable"),
        reverse("zhongcao_two_factor_recovery_codes"),
    ]:
        response = client.post(url, {"name": "x", "code": "123456"})
        assert response.status_code == 302, url
        assert response.url == set_up, url
    for url in API_TARGETS:
        assert client.get(url).status_code == 401, url
    assert client.get("/documents/").status_code in (302, 404)


def test_two_sessions_enrolling_never_see_the_same_secret(required):
    editor = EditorFactory(username="mei")
    set_up = reverse("zhongcao_two_factor_set_up")

    owner = Client()
    password_step(owner, editor)
    assert owner.get(set_up).status_code == 200

    # Someone with the password alone, at any time before the editor confirms,
    # copies the secret off the set-up page as an authenticator app would.
    attacker = Client()
    password_step(attacker, editor)
    page = attacker.get(set_up).content.decode()
    shown = re.search(r'two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    key = b32decode(shown.replace(" ", "") + "=" * (-len(shown.replace(" ", "")) % 8))
    attacker.post(reverse("wagtailadmin_logout"))

    # The editor finishes setting up their own (the first), in their own session.
    device = TOTPDevice.objects.filter(user=editor, confirmed=False).order_by("pk")[0]
    assert device.bin_key != key
    owner.post(set_up, {"code": code_now(device)})
    assert list(TOTPDevice.objects.filter(user=editor)) == [device]
    device.refresh_from_db()
    assert device.confirmed

    # Password and the copied secret: signed in, two-factor and all.
    password_step(attacker, editor)
    step = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(step, device.last_t + 1)
    attacker.post(CODE_STEP, {"code": f"{hotp(key, step, digits=6):06d}"})
    assert not signed_in(attacker)


def test_an_editor_who_must_enrol_has_no_api_access_by_token(client, required):
    editor = EditorFactory(username="mei")
    token = token_for(editor)
    response = client.get("/api/conversions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in (401, 403)
    enrolled(editor)  # once they have set it up, their token answers again
    response = client.get("/api/conversions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_superusers_must_enrol_too(client, required):
    superuser = EditorFactory(username="root", is_superuser=True)
    password_step(client, superuser)
    assert client.get("/admin/money/payouts/").url == reverse(
        "zhongcao_two_factor_set_up"
    )


# /healthz, /readyz, /metrics -------------------------------------------------------


def _production_settings(**extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhongcao.settings.production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "zhongcao.example",
        "ZHONGCAO_PUBLIC_BASE_URL": "https://zhongcao.example",
        "PYTHONPATH": f"{ROOT / 'site'}{os.pathsep}{ROOT}",
        **extra,
    }
    env.pop("ZHONGCAO_METRICS_TOKEN", None)
    env.pop("ZHONGCAO_METRICS_ALLOW", None)
    env.pop("ZHONGCAO_REQUIRE_2FA_FOR_EDITORS", None)
    script = (
        "import django; from django.conf import settings as s; django.setup();"
        "print(s.ZHONGCAO_METRICS_PUBLIC, s.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS,"
        " bool(s.ZHONGCAO_METRICS_TOKEN), bool(s.ZHONGCAO_METRICS_ALLOW))"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return {"returncode": done.returncode, "out": done.stdout.split()}


@pytest.mark.slow
def test_production_keeps_metrics_private_and_requires_two_factor():
    found = _production_settings()
    assert found["returncode"] == 0
    assert found["out"] == ["False", "True", "False", "False"]


@override_settings(
    ZHONGCAO_METRICS_PUBLIC=False,
    ZHONGCAO_METRICS_TOKEN="s3cret-token",
    ZHONGCAO_METRICS_ALLOW=address_networks("10.0.0.0/8", name="test"),
    ZHONGCAO_PROXY_COUNT=0,
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        # No proxy in front: X-Forwarded-For is the client's own word.
        {"HTTP_X_FORWARDED_FOR": "10.1.2.3"},
        {"HTTP_X_REAL_IP": "10.1.2.3"},
        {"HTTP_FORWARDED": "for=10.1.2.3"},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer s3cret-tokeN"},
        {"HTTP_AUTHORIZATION": "Bearer s3cret-toke"},
        {"HTTP_AUTHORIZATION": "Token s3cret-token"},
        {"HTTP_X_METRICS_TOKEN": "s3cret-token"},
    ],
)
def test_production_metrics_are_hidden_from_a_public_client(client, headers):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", **headers)
    assert response.status_code == 404
    assert b"zhongcao_" not in response.content
    # Nor in the query string, nor with a trailing slash or another case.
    for path in ["/metrics?token=s3cret-token", "/metrics/", "/Metrics", "//metrics"]:
        response = client.get(path, REMOTE_ADDR="203.0.113.9")
        assert b"zhongcao_http_requests" not in response.content, path


@override_settings(ZHONGCAO_METRICS_PUBLIC=False, ZHONGCAO_METRICS_TOKEN="")
def test_an_empty_token_opens_nothing(client):
    for authorization in ["Bearer", "Bearer ", "Bearer  "]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 404


@override_settings(ZHONGCAO_METRICS_PUBLIC=False, ZHONGCAO_METRICS_TOKEN="s3cret-token")
def test_the_token_is_compared_in_constant_time(client):
    with mock.patch(
        "zhongcao.operations.secrets.compare_digest", wraps=hmac.compare_digest
    ) as compare:
        assert (
            client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 404
        )
        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert compare.call_count == 2


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_endpoints_take_no_other_method(client, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_readyz_says_no_host_port_or_error_when_its_services_are_down(client):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:hunter2@127.0.0.1:1/7",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=down):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.content.decode()
    for detail in ["127.0.0.1", ":1", "hunter2", "redis", "Error", "refused"]:
        assert detail not in body, detail
    assert settings.DATABASES["default"]["NAME"] not in body


def _view_labels() -> set[str]:
    body, _content_type = metrics_render()
    return set(
        re.findall(r'zhongcao_http_requests_total\{[^}]*view="([^"]*)"', body.decode())
    )


@pytest.mark.slow
def test_unknown_urls_make_no_new_metric_series(client):
    """A client inventing paths (a scanner, a memory exhaustion attempt) adds no
    series per path: paths are counted by their URL pattern's name."""
    prefixes = [
        "/",
        "/api/",
        "/admin/",
        "/go/",
        "/documents/",
        "/join/confirm/",
        "/x/y/",
    ]
    for prefix in prefixes:
        client.get(f"{prefix}warmup-path/")
    before = _view_labels()
    invented = [f"{prefix}zz{number}q/" for prefix in prefixes for number in range(15)]
    for path in invented:
        client.get(path, HTTP_USER_AGENT=path)
    after = _view_labels()
    assert after - before == set()
    body = metrics_render()[0].decode()
    assert "zz3q" not in body
    assert "warmup" not in body


# The Background tasks report -------------------------------------------------------


@pytest.fixture
def hostile_failures(db):
    TaskFailure.objects.create(
        task_path='=HYPERLINK("http://evil.example","x")',
        result_id="f1",
        attempt=1,
        exception_class_path="+cmd|' /C calc'!A0",
        message="@SUM(1+1)*cmd|' /C calc'!A0",
        outcome=TaskOutcome.FAILED,
    )
    TaskFailure.objects.create(
        task_path="content.webhooks.tasks.deliver_webhooks",
        result_id="f2",
        attempt=1,
        exception_class_path="builtins.ValueError",
        message="－2+3＝",
        outcome=TaskOutcome.FAILED,
    )


REPORT_URLS = [
    "/admin/reports/background-tasks/",
    "/admin/reports/background-tasks/results/",
    "/admin/reports/background-tasks/?export=csv",
    "/admin/reports/background-tasks/?export=xlsx",
    "/admin/reports/background-tasks/results/?export=csv",
    "/admin/reports/background-tasks/?outcome=failed&task_path=deliver",
]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_creators_get_403_on_every_url_of_the_report(creator, hostile_failures, url):
    client = Client()
    client.force_login(creator.user)
    response = client.get(url)
    assert response.status_code == 403
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert b"deliver_webhooks" not in body


@pytest.mark.parametrize("url", REPORT_URLS)
def test_no_one_signed_out_reads_the_report(client, hostile_failures, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_the_report_exports_hold_no_formula(editor, hostile_failures):
    client = Client()
    client.force_login(editor)
    triggers = ("=", "+", "-", "@", "＝", "＋", "－", "＠")

    rows = _csv_rows(client.get(REPORT_URLS[0], {"export": "csv"}))
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.lstrip().startswith(triggers)]

    response = client.get(REPORT_URLS[0], {"export": "xlsx"})
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [
        cell
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert values
    assert not [cell.value for cell in values if cell.data_type == "f"]
    assert not [
        cell.value for cell in values if cell.value.lstrip().startswith(triggers)
    ]


# Webhook failures and the task queue: no secret on the way to editors -------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_webhook_that_fails_shows_editors_no_url_token_or_secret(
    local_servers_allowed, django_capture_on_commit_callbacks, caplog
):
    token = "tok-5f1d2c3b4a"
    endpoint = WebhookEndpoint.objects.create(
        name="Chat",
        url=f"http://127.0.0.1:{_closed_port()}/hooks/{token}?key={token}",
        events=[WebhookEvent.ARTICLE_PUBLISHED],
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(
            event_type=WebhookEvent.ARTICLE_PUBLISHED,
            data={"id": 1},
            endpoints=[endpoint],
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    secrets = [token, endpoint.secret]
    shown = [
        delivery.last_error,
        *TaskFailure.objects.values_list("message", flat=True),
    ]
    shown += list(TaskFailure.objects.values_list("traceback", flat=True))
    for secret in secrets:
        assert not [text for text in shown if secret in text]
        assert secret not in caplog.text


def test_a_failed_tasks_record_holds_no_setting_secret(settings):
    """Tracebacks carry no local variables: what settings hold (the secret key, the
    database's password) does not reach TaskFailure, whatever the task had in hand."""
    from tests.zhongcao.tasks import fail

    fail.enqueue("the receiver was down")
    failure = TaskFailure.objects.get()
    assert "the receiver was down" in failure.message
    recorded = failure.message + failure.traceback + failure.exception_class_path
    assert settings.SECRET_KEY not in recorded
    password = settings.DATABASES["default"].get("PASSWORD")
    assert not password or password not in recorded


def test_no_url_enqueues_a_task_by_its_path(client, editor):
    """No view takes a task's dotted path from a request: the one place that turns
    a path into a task is the scheduler, reading ZHONGCAO_SCHEDULE (the API's token
    checks, from settings too, name functions, not tasks); and posting a path where
    an editor can reach runs nothing."""
    product_code = [
        path
        for folder in ["affiliates", "content", "products", "site"]
        for path in (ROOT / folder).rglob("*.py")
    ]
    loaders = sorted(
        str(path.relative_to(ROOT))
        for path in product_code
        if "import_string(" in path.read_text()
    )
    # The scheduler, and the API's token checks named in the settings.
    assert loaders == ["affiliates/auth.py", "site/zhongcao/scheduling.py"]

    client.force_login(editor)
    for url in ["/api/tasks", "/admin/reports/background-tasks/", "/admin/"]:
        client.post(url, {"task": "tests.zhongcao.tasks.fail", "args": "x"})
    assert not TaskFailure.objects.exists()
