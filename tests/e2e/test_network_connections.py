"""A network connection's health page in headless Chromium: the running pull's
counters follow the pull (the page polls its JSON endpoint), the page shows the
finished run when it ends, and Pull now is refused while a pull runs; the
templated postback's inbound URL has a working copy button."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from affiliates.commissions.networks import base
from affiliates.models import (
    ConnectionKind,
    ConnectionRun,
    NetworkConnection,
    RunState,
)
from tests.affiliates import conftest as affiliates_fixtures

shop = affiliates_fixtures.shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "password"  # noqa: S105 (UserFactory's)


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/admin/")


class IdleConnector(base.Connector):
    """Pulled, so the page offers Pull now; this test starts no pull."""

    kind = ConnectionKind.AWIN


def inspect_url(connection) -> str:
    return reverse("affiliates_network_connections:inspect", args=[connection.pk])


def test_the_health_page_follows_a_running_pull(
    new_context, expect, live_server, editor, shop, artifacts, connector_replace
):
    # The live server's thread is this process's: it sees the connector too.
    connector_replace(ConnectionKind.AWIN, IdleConnector)
    connection = NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.AWIN
    )
    now = timezone.now()
    run = ConnectionRun.objects.create(
        connection=connection,
        window_start=now - datetime.timedelta(hours=2),
        window_end=now,
        lines_seen=10,
    )
    page = new_context().new_page()
    sign_in(page, live_server.url, editor.username)
    page.goto(live_server.url + inspect_url(connection))
    progress = page.locator("#pull-progress")
    expect(progress.locator("[data-field=lines_seen]")).to_have_text("10")
    # Pull now is not offered twice.
    expect(page.get_by_role("button", name="Pull now")).to_be_disabled()

    ConnectionRun.objects.filter(pk=run.pk).update(lines_seen=250, lines_applied=240)
    expect(progress.locator("[data-field=lines_seen]")).to_have_text(
        "250", timeout=10_000
    )
    expect(progress.locator("[data-field=lines_applied]")).to_have_text("240")
    page.screenshot(path=artifacts / "network-connection-pulling.png", full_page=True)

    ConnectionRun.objects.filter(pk=run.pk).update(
        state=RunState.SUCCEEDED, finished_at=timezone.now()
    )
    # Finished: the page reloads and shows the run among the recent pulls.
    expect(page.locator("#pull-progress")).to_have_count(0, timeout=10_000)
    expect(page.get_by_role("button", name="Pull now")).to_be_enabled()
    expect(page.locator("table.listing")).to_contain_text("Succeeded")
    page.goto(
        live_server.url
        + reverse("affiliates_network_connections:edit", args=[connection.pk])
    )
    page.screenshot(path=artifacts / "network-connection-edit.png", full_page=True)
    page.goto(live_server.url + reverse("affiliates_network_connections:index"))
    page.screenshot(path=artifacts / "network-connections.png", full_page=True)


def test_the_inbound_url_is_copied(new_context, expect, live_server, editor, shop):
    connection = NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.TEMPLATED_POSTBACK
    )
    context = new_context()
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    page = context.new_page()
    sign_in(page, live_server.url, editor.username)
    page.goto(live_server.url + inspect_url(connection))
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/api/postbacks/{shop.slug}/{connection.key}")
