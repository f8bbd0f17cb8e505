"""The click buffer: drained on shutdown, kept through database failures."""

import pytest
from django.db import OperationalError, connection

from affiliates.models import Click, TrackedLink
from affiliates.tracking.clicks import (
    PendingClick,
    click_bot_flag,
    click_is_bot,
    user_agent_is_crawler,
)
from affiliates.tracking.runtime import tracking_runtime
from tests.affiliates.tracking.test_views import go

pytestmark = pytest.mark.django_db


def failing(table):
    calls = {"count": 0}

    def wrapper(execute, sql, params, many, context):
        if table in sql and calls["count"] < 2:
            calls["count"] += 1
            raise OperationalError("the database is down")
        return execute(sql, params, many, context)

    return wrapper


def test_drain_writes_everything_and_retries_a_failing_database(
    client, link, monkeypatch
):
    for _ in range(4):
        go(client, link)
    monkeypatch.setattr("affiliates.tracking.clicks.time.sleep", lambda seconds: None)
    monkeypatch.setattr("affiliates.tracking.clicks.connection.close", lambda: None)
    with connection.execute_wrapper(failing(Click._meta.db_table)):
        written = tracking_runtime().click_buffer.drain(timeout=5)
    assert written == 4
    assert len(tracking_runtime().click_buffer) == 0
    assert Click.objects.count() == 4
    tracking_runtime().click_buffer.stopping = False


def test_a_held_target_serves_while_its_refresh_fails(client, link):
    target = tracking_runtime().link_targets.get(link.code)
    assert target is not None
    with connection.execute_wrapper(failing(TrackedLink._meta.db_table)):
        with pytest.raises(OperationalError):
            tracking_runtime().link_targets.refresh()
        assert tracking_runtime().link_targets.get(link.code) == target
        assert go(client, link).status_code == 302


def test_an_unknown_code_when_the_database_fails_is_a_503_not_an_error(client, link):
    with connection.execute_wrapper(failing(TrackedLink._meta.db_table)):
        response = client.get("/go/Zz9Zz9Zz9Z")
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.parametrize(
    ("user_agent", "bot"),
    [
        (
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            True,
        ),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
        ("TelegramBot (like TwitterBot)", True),
        ("curl/8.0", True),
        ("", True),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI",
            False,
        ),
    ],
)
def test_crawler_list(user_agent, bot):
    assert user_agent_is_crawler(user_agent) is bot


GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


def test_the_redirect_leaves_the_user_agent_to_the_click_writer(rf):
    # HEAD and prefetches are bots whatever their agent; the crawler list is the
    # writer's to check (None), but for an agent longer than a click keeps.
    assert click_bot_flag(rf.head("/go/x", HTTP_USER_AGENT=FIREFOX)) is True
    assert click_bot_flag(rf.get("/go/x", HTTP_PURPOSE="prefetch")) is True
    assert click_bot_flag(rf.get("/go/x", HTTP_SEC_PURPOSE="prefetch;prerender"))
    assert click_bot_flag(rf.get("/go/x", HTTP_USER_AGENT=GOOGLEBOT)) is None
    assert click_bot_flag(rf.get("/go/x", HTTP_USER_AGENT=FIREFOX)) is None
    long_bot = FIREFOX + " " * 400 + "Googlebot/2.1"
    assert click_bot_flag(rf.get("/go/x", HTTP_USER_AGENT=long_bot)) is True
    assert click_bot_flag(rf.get("/go/x", HTTP_USER_AGENT=FIREFOX + " " * 400)) is False


@pytest.mark.parametrize(
    ("flag", "user_agent", "bot"),
    [
        (None, GOOGLEBOT, True),
        (None, FIREFOX, False),
        (None, "", True),
        (True, FIREFOX, True),
        (False, GOOGLEBOT, False),  # decided on the whole agent by the redirect
    ],
)
def test_the_click_writer_decides_what_the_redirect_left_open(flag, user_agent, bot):
    click = PendingClick(
        click_id="x",
        link_id=1,
        offer_id=None,
        clicked_at=None,
        visitor_hash="",
        user_agent=user_agent,
        referrer="",
        is_bot=flag,
        is_preview=False,
    )
    assert click_is_bot(click) is bot
