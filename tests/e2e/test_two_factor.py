"""Two-factor sign-in in headless Chromium: an editor who must use it signs in, is
sent to set it up, types the key the page shows into "their authenticator" (the
test), keeps the recovery codes, and signs in again with a code; every page under
the admin's Content-Security-Policy without a violation."""

from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.csp_watch import CSP_WATCH, csp_header_problems, csp_violations
from tests.factories import EditorFactory
from tests.zhongcao.test_two_factor import code_now, throttle_wait_over, wrong_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "password"  # noqa: S105 (EditorFactory's)


def test_an_editor_sets_it_up_and_signs_in_with_a_code(
    new_context, live_server, settings, artifacts, expect
):
    settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = True
    EditorFactory(username="mei")
    url = live_server.url
    problems: list[str] = []

    def sign_in_with_password(page):
        response = page.goto(f"{url}/admin/login/")
        problems.extend(csp_header_problems(response))
        page.get_by_label("Username").fill("mei")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    context = new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    sign_in_with_password(page)
    page.wait_for_url(f"{url}/admin/two-factor/set-up/")
    page.wait_for_load_state("networkidle")
    problems.extend(csp_violations(page))
    expect(page.locator(".two-factor-qr-frame svg")).to_be_visible()
    page.screenshot(path=artifacts / "two-factor-set-up.png")

    secret = page.locator(".two-factor-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user__username="mei")
    assert b32decode(secret) == device.bin_key
    page.get_by_label("Authentication code").fill(code_now(device))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.extend(csp_violations(page))
    codes = page.get_by_role("list", name="Recovery codes").locator("code")
    expect(codes).to_have_count(10)
    page.screenshot(path=artifacts / "two-factor-recovery-codes.png")
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_text("Two-factor authentication is on")).to_be_visible()
    problems.extend(csp_violations(page))

    # Another browser: the password, then the code.
    other = new_context(viewport={"width": 1280, "height": 900})
    other.add_init_script(CSP_WATCH)
    page = other.new_page()
    sign_in_with_password(page)
    page.wait_for_url(f"{url}/admin/login/code/")
    page.wait_for_load_state("networkidle")
    problems.extend(csp_violations(page))
    page.screenshot(path=artifacts / "two-factor-sign-in-code.png")
    page.get_by_label("Authentication code").fill(wrong_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("status").get_by_text("That code is not right. Try again.")
    ).to_be_visible()
    page.screenshot(path=artifacts / "two-factor-wrong-code.png", animations="disabled")
    throttle_wait_over(device)
    page.get_by_label("Authentication code").fill(code_now(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    page.wait_for_load_state("networkidle")
    problems.extend(csp_violations(page))

    assert problems == []
