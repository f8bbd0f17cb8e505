"""Two-factor sign-in (zhongcao.two_factor), through the admin's real sign-in form
and account pages: set up with a QR code and a confirming code, sign in with a code
from the authenticator or a single-use recovery code, wrong codes refused and
throttled, editors made to set it up when the setting requires it, and any session
that skipped the code signed out.

Codes are computed here from the device's key with django-otp's own TOTP, as an
authenticator app computes them.
"""

import datetime
import logging
import threading
import time
from base64 import b32decode

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import CreatorProfileFactory, EditorFactory
from zhongcao.checks import editors_use_two_factor
from zhongcao.two_factor.services import (
    RECOVERY_CODE_COUNT,
    CodeRefused,
    authenticator_start,
    two_factor_code_check,
    two_factor_enable,
)
from zhongcao.two_factor.views import PENDING_SESSION_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "password"  # noqa: S105 (the factories')
LOGIN = "/admin/login/"
CODE_STEP = "/admin/login/code/"
WRONG = "That code is not right. Try again."


def code_now(device: TOTPDevice) -> str:
    """The code the authenticator app shows: the next one the device accepts (a
    code is accepted once, so a second sign-in uses the following time step, as a
    person who waits for the next code does)."""
    device.refresh_from_db()
    now = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(now, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(code_now(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def throttle_wait_over(device) -> None:
    """As if the throttle's wait had passed (no test sleeps on the clock)."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(days=1)
    )


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Two-factor sign-in on for ``user``, as the set-up page turns it on."""
    device = authenticator_start(user=user)
    return two_factor_enable(user=user, device_id=device.pk, code=code_now(device))


def password_step(client, user, **extra):
    return client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, **extra}
    )


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def editor_2fa(editor):
    device, codes = enrolled(editor)
    return editor, device, codes


# Signing in --------------------------------------------------------------------------


def test_without_two_factor_the_password_signs_in(client, editor):
    response = password_step(client, editor)
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert client.get("/admin/").status_code == 200


def test_the_password_alone_does_not_sign_in_a_user_with_two_factor(client, editor_2fa):
    editor, device, _codes = editor_2fa
    response = password_step(client, editor)
    assert response.status_code == 302
    assert response.url == CODE_STEP
    assert not signed_in(client)
    assert client.get("/admin/").url.startswith(LOGIN)

    page = client.get(CODE_STEP)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200
    assert PENDING_SESSION_KEY not in client.session


def test_a_wrong_password_never_reaches_the_code_step(client, editor_2fa):
    editor, _device, _codes = editor_2fa
    response = client.post(LOGIN, {"username": editor.username, "password": "nope"})
    assert response.status_code == 200
    assert PENDING_SESSION_KEY not in client.session
    assert client.get(CODE_STEP).url == LOGIN


def test_a_wrong_code_is_refused_with_a_form_error(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    response = client.post(CODE_STEP, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not signed_in(client)

    for nonsense in ["", "x" * 40, "12 34 56 78 90 12 34 56"]:
        response = client.post(CODE_STEP, {"code": nonsense})
        assert response.status_code == 200
        assert not signed_in(client)
    assert client.get("/admin/").url.startswith(LOGIN)


def test_wrong_codes_are_throttled_even_before_the_right_one(
    client, editor_2fa, settings
):
    # A minute's wait after one wrong code, so that this test never outruns it.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    client.post(CODE_STEP, {"code": wrong_code(device)})
    client.post(CODE_STEP, {"code": wrong_code(device)})  # refused unread: too soon

    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert response.status_code == 200
    assert "Too many wrong codes: try again in" in response.content.decode()
    assert not signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the throttled tries did not count

    throttle_wait_over(device)
    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert response.status_code == 302
    assert signed_in(client)


def test_the_throttle_holds_across_sign_ins_and_grows(client, editor_2fa):
    editor, device, _codes = editor_2fa
    for _attempt in range(3):
        password_step(client, editor)
        throttle_wait_over(device)
        client.post(CODE_STEP, {"code": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    allowed, details = device.verify_is_allowed()
    assert not allowed
    wait = details["locked_until"] - device.throttling_failure_timestamp
    assert wait == datetime.timedelta(seconds=4)


def test_a_code_is_accepted_once(client, editor_2fa):
    editor, device, _codes = editor_2fa
    code = code_now(device)
    password_step(client, editor)
    assert client.post(CODE_STEP, {"code": code}).status_code == 302

    other = client_class_new(client)
    password_step(other, editor)
    response = other.post(CODE_STEP, {"code": code})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not signed_in(other)


def client_class_new(client):
    return type(client)()


def test_the_code_step_keeps_where_the_user_was_going(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor, next="/admin/pages/")
    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert response.url == "/admin/pages/"


def test_the_code_step_goes_nowhere_off_site(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor, next="https://elsewhere.example/admin/")
    response = client.post(CODE_STEP, {"code": code_now(device)})
    assert response.url == reverse("wagtailadmin_home")


def test_remember_me_is_kept_through_the_code_step(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    client.post(CODE_STEP, {"code": code_now(device)})
    assert client.session.get_expire_at_browser_close()

    client.logout()
    password_step(client, editor, remember="on")
    client.post(CODE_STEP, {"code": code_now(device)})
    assert not client.session.get_expire_at_browser_close()


def test_the_code_step_expires(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    session = client.session
    session[PENDING_SESSION_KEY]["since"] -= 10 * 60
    session.save()
    response = client.post(CODE_STEP, {"code": code_now(device)}, follow=True)
    assert response.redirect_chain[0] == (LOGIN, 302)
    assert "Sign-in took too long" in response.content.decode()
    assert not signed_in(client)


def test_the_code_step_needs_the_password_first(client, editor_2fa):
    assert client.get(CODE_STEP).url == LOGIN
    assert client.post(CODE_STEP, {"code": "123456"}).url == LOGIN


def test_a_user_deactivated_between_the_steps_is_not_signed_in(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    type(editor).objects.filter(pk=editor.pk).update(is_active=False)
    assert client.post(CODE_STEP, {"code": code_now(device)}).url == LOGIN
    assert not signed_in(client)


# Recovery codes ----------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, editor_2fa):
    editor, _device, codes = editor_2fa
    password_step(client, editor)
    response = client.post(CODE_STEP, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert signed_in(client)
    assert f"{RECOVERY_CODE_COUNT - 1} left" in response.content.decode()
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    client.logout()
    password_step(client, editor)
    throttle_wait_over(StaticDevice.objects.get(user=editor))
    response = client.post(CODE_STEP, {"code": codes[0]})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not signed_in(client)

    throttle_wait_over(StaticDevice.objects.get(user=editor))
    response = client.post(CODE_STEP, {"code": f"{codes[1][:4]}-{codes[1][4:]}"})
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["authenticator", "recovery"])
def test_a_code_typed_twice_at_once_signs_in_once(kind):
    editor = EditorFactory(username="mei")
    device, codes = enrolled(editor)
    code = code_now(device) if kind == "authenticator" else codes[0]
    outcomes = []
    barrier = threading.Barrier(4)

    def check():
        barrier.wait()
        try:
            two_factor_code_check(user=editor, code=code)
            outcomes.append("accepted")
        except CodeRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["refused"] * 3


def test_recovery_codes_are_distinct_and_not_all_digits(editor_2fa):
    _editor, _device, codes = editor_2fa
    assert len(set(codes)) == RECOVERY_CODE_COUNT
    assert all(not code.isdigit() and len(code) == 8 for code in codes)


# Setting it up -----------------------------------------------------------------------


@pytest.mark.slow
def test_set_up_through_the_admin_pages(client, creator, caplog):
    """A creator opts in: QR code and key, a wrong code refused, the right one turns
    it on and shows the recovery codes once; nothing of the key is logged."""
    caplog.set_level(logging.DEBUG)
    user = creator.user
    password_step(client, user)
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert reverse("zhongcao_two_factor") in account

    page = client.get(reverse("zhongcao_two_factor_set_up"))
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    qr_code = html.split('<div class="two-factor-qr-frame">')[1].split("</div>")[0]
    assert qr_code.startswith("<svg ") and 'class="two-factor-qr"' in qr_code
    assert "<script" not in html.split('id="main"')[1]
    secret = html.split('<code class="two-factor-secret">')[1].split("</code>")[0]
    assert b32decode(secret.replace(" ", "")) == device.bin_key

    # Reloading keeps the key the person may already have scanned.
    client.get(reverse("zhongcao_two_factor_set_up"))
    assert TOTPDevice.objects.get(user=user).key == device.key

    response = client.post(
        reverse("zhongcao_two_factor_set_up"), {"code": wrong_code(device)}
    )
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed

    throttle_wait_over(device)
    response = client.post(
        reverse("zhongcao_two_factor_set_up"), {"code": code_now(device)}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = list(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert len(codes) == RECOVERY_CODE_COUNT
    html = response.content.decode()
    assert all(f"<code>{code}</code>" in html for code in codes)
    assert TOTPDevice.objects.get(user=user).confirmed

    # This session gave the code: it goes on; the page says it is on.
    status = client.get(reverse("zhongcao_two_factor")).content.decode()
    assert "Two-factor authentication is <strong>on</strong>" in status
    assert all(code not in status for code in codes)
    assert client.get(reverse("zhongcao_two_factor_set_up")).status_code == 302

    logged = caplog.text.lower()
    assert device.key.lower() not in logged
    assert secret.replace(" ", "").lower() not in logged
    assert all(code not in logged for code in codes)


def test_other_sessions_are_signed_out_when_it_is_turned_on(client, editor):
    other = client_class_new(client)
    password_step(other, editor)
    assert other.get("/admin/").status_code == 200

    enrolled(editor)
    response = other.get("/admin/pages/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert not signed_in(other)


def test_a_session_signed_in_without_the_code_is_signed_out(client, editor_2fa):
    """Whatever signs a user in (here the test client's force_login), their session
    is worth nothing without the code: in the admin nor the API."""
    editor, _device, _codes = editor_2fa
    client.force_login(editor)
    assert client.get("/api/conversions").status_code == 401
    client.force_login(editor)
    assert client.get("/admin/").url.startswith(LOGIN)
    assert not signed_in(client)


def test_the_api_takes_a_session_that_gave_the_code(client, editor_2fa):
    editor, device, _codes = editor_2fa
    password_step(client, editor)
    client.post(CODE_STEP, {"code": code_now(device)})
    assert client.get("/api/conversions").status_code == 200


# Recovery codes renewed, two-factor turned off -------------------------------------


@pytest.fixture
def signed_in_2fa(client, editor_2fa):
    editor, device, codes = editor_2fa
    password_step(client, editor)
    client.post(CODE_STEP, {"code": code_now(device)})
    assert signed_in(client)
    return editor, device, codes


def test_new_recovery_codes_need_a_code_and_replace_the_old(client, signed_in_2fa):
    editor, device, old_codes = signed_in_2fa
    url = reverse("zhongcao_two_factor_recovery_codes")
    response = client.post(url, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert set(
        StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    ) == set(old_codes)

    response = client.post(url, {"code": old_codes[0]})
    assert response.status_code == 200
    new_codes = set(
        StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    )
    assert len(new_codes) == RECOVERY_CODE_COUNT
    assert not new_codes & set(old_codes)
    assert all(code in response.content.decode() for code in new_codes)


def test_turning_it_off_needs_a_current_code(client, signed_in_2fa):
    editor, device, _codes = signed_in_2fa
    url = reverse("zhongcao_two_factor_disable")
    response = client.post(url, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()

    throttle_wait_over(device)
    response = client.post(url, {"code": code_now(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    # Still signed in; the next sign-in takes the password alone.
    assert client.get("/admin/").status_code == 200
    client.logout()
    assert password_step(client, editor).url == reverse("wagtailadmin_home")


def test_the_pages_refuse_get_for_actions(client, signed_in_2fa):
    assert client.get(reverse("zhongcao_two_factor_disable")).status_code == 405


# Required for editors ----------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = True


def test_an_editor_who_must_use_it_sets_it_up_before_anything_else(client, required):
    editor = EditorFactory(username="mei")
    response = password_step(client, editor)
    assert response.status_code == 302
    set_up = reverse("zhongcao_two_factor_set_up")
    for url in ["/admin/", "/admin/pages/", reverse("wagtailadmin_account")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == set_up
    # Nor does the session count elsewhere until then.
    assert client.get("/api/conversions").status_code == 401

    page = client.get(set_up)
    assert page.status_code == 200
    assert "your account must use two-factor authentication" in page.content.decode()
    assert client.get(reverse("wagtailadmin_sprite")).status_code == 200

    device = TOTPDevice.objects.get(user=editor)
    client.post(set_up, {"code": code_now(device)})
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/conversions").status_code == 200

    # From now on the sign-in asks for the code.
    client.logout()
    assert password_step(client, editor).url == CODE_STEP


def test_an_editor_who_must_use_it_may_sign_out(client, required):
    editor = EditorFactory(username="mei")
    password_step(client, editor)
    client.post(reverse("wagtailadmin_logout"))
    assert not signed_in(client)


def test_creators_are_not_made_to_use_it(client, required):
    creator = CreatorProfileFactory()
    password_step(client, creator.user)
    assert client.get("/admin/").status_code == 200


def test_an_editor_who_turns_it_off_must_set_it_up_again(
    client, required, signed_in_2fa
):
    _editor, device, _codes = signed_in_2fa
    throttle_wait_over(device)
    client.post(reverse("zhongcao_two_factor_disable"), {"code": code_now(device)})
    assert client.get("/admin/").url == reverse("zhongcao_two_factor_set_up")


def test_the_deploy_check_wants_it_required(settings):
    settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = True
    assert editors_use_two_factor(None) == []
    settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = False
    assert [warning.id for warning in editors_use_two_factor(None)] == ["zhongcao.W002"]


# The operator's reset ----------------------------------------------------------------


def test_two_factor_reset_command(editor_2fa, capsys):
    editor, _device, _codes = editor_2fa
    call_command("two_factor_reset", editor.username)
    assert "removed for editor" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
    call_command("two_factor_reset", editor.username)
    assert "nothing to do" in capsys.readouterr().out
