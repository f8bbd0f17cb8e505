"""The creator dashboard's payout panel: the next payout run, progress to the payout
minimum, confirmed (approved) against expected (pending) money and by when each is
paid; checked against the hand-computed history of tests/affiliates/conftest.py
(Lulu: 35.00 CNY approved, 70.00 CNY and 3.00 USD pending, approvable when the
10-day hold of the sales of 2 days ago ends; minimums CNY 100 and USD 10)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.users.models import UserProfile

from affiliates.analytics.dashboards import creator_payout_outlook
from affiliates.models import CommissionSettings
from tests.affiliates.conftest import noon

# Slow: each test sets up a creator's sales history (tests/affiliates/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

D = Decimal
UTC = datetime.UTC


def first_day_after(day: datetime.date, *, day_of_month: int) -> datetime.date:
    """The first date after ``day`` whose day of the month is ``day_of_month``,
    counted day by day."""
    day += datetime.timedelta(days=1)
    while day.day != day_of_month:
        day += datetime.timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("today", "payout_day", "expected"),
    [
        ("2026-12-07", 15, "2026-12-15"),
        ("2026-12-15", 15, "2026-12-15"),
        ("2026-12-16", 15, "2027-01-15"),
        ("2027-01-31", 28, "2027-02-28"),
        ("2026-12-29", 1, "2027-01-01"),
    ],
)
def test_the_next_payout_day(today, payout_day, expected):
    settings = CommissionSettings(payout_day=payout_day)
    next_day = settings.next_payout_day(today=datetime.date.fromisoformat(today))
    assert next_day == datetime.date.fromisoformat(expected)


def test_the_payout_day_is_in_every_month(db):
    settings = CommissionSettings.load()
    settings.payout_day = 31
    with pytest.raises(Exception, match="payout_day"):
        settings.full_clean()


def test_the_outlook_of_the_history(history, django_assert_max_num_queries):
    today = timezone.now().astimezone(UTC).date()
    with django_assert_max_num_queries(3):
        schedule = creator_payout_outlook(creator=history["lulu"], today=today, tz=UTC)
    assert schedule.next_run == (
        today if today.day == 15 else first_day_after(today, day_of_month=15)
    )
    cny, usd = schedule.currencies
    assert (cny.currency, cny.approved, cny.minimum) == ("CNY", D("35.00"), D("100.00"))
    assert (cny.progress, cny.missing) == (35, D("65.00"))
    # A-2 (60.00) and Mia's D-2 (10.00 override): bought 2 days ago at 13:00, held 10.
    approvable = (noon(2) + datetime.timedelta(hours=1, days=10)).date()
    [expected] = cny.expected
    assert (expected.approvable_on, expected.amount) == (approvable, D("70.00"))
    # 35.00 + 70.00 reaches 100: both are paid in the first run after the approval.
    paid_on = first_day_after(approvable, day_of_month=15)
    assert expected.paid_on == paid_on
    assert cny.approved_paid_on == paid_on
    assert (cny.held, cny.processing) == (D(0), D(0))

    assert (usd.currency, usd.approved, usd.pending, usd.progress) == (
        "USD",
        D(0),
        D("3.00"),
        0,
    )
    assert usd.missing == D("10.00")
    # 3.00 USD never reaches the 10 USD minimum on its own: no run in sight.
    assert [(part.amount, part.paid_on) for part in usd.expected] == [(D("3.00"), None)]
    assert usd.approved_paid_on is None


def test_an_approved_balance_over_the_minimum_is_paid_in_the_next_run(history):
    settings = CommissionSettings.load()
    settings.payout_minimums = "CNY 30\nUSD 10"
    settings.save()
    today = timezone.now().astimezone(UTC).date()
    schedule = creator_payout_outlook(creator=history["lulu"], today=today, tz=UTC)
    cny = schedule.currencies[0]
    assert cny.approved_paid_on == schedule.next_run
    assert (cny.progress, cny.missing) == (100, D(0))
    # The pending 70.00 CNY reaches the 30 minimum alone, at the run after approval.
    [expected] = cny.expected
    assert expected.paid_on == first_day_after(expected.approvable_on, day_of_month=15)


def panel(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return soup.find(id="creator-payouts-section")


def test_the_panel_on_the_creators_home(client, history):
    creator = history["lulu"]
    profile = UserProfile.get_for_user(creator.user)
    profile.current_time_zone = "Asia/Shanghai"
    profile.save()
    client.force_login(creator.user)
    section = panel(client.get("/admin/"))
    assert section is not None
    shanghai_today = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    next_run = CommissionSettings.load().next_payout_day(today=shanghai_today.date())
    assert (
        section.select_one("[data-next-run]")["data-next-run"] == next_run.isoformat()
    )
    text = " ".join(section.get_text(" ").split())
    assert "Asia/Shanghai" in text
    assert "35.00 of the 100.00 CNY payout minimum approved (35 %)" in text
    assert "65.00 CNY more approved money reaches the minimum" in text
    assert "With your expected money approved, it is paid in the run of" in text
    assert "70.00 CNY" in text and "3.00 USD" in text
    assert section.select_one('progress[value="35"]') is not None


def test_another_creator_sees_only_their_own_payouts(client, history):
    client.force_login(history["ann"].user)
    section = panel(client.get("/admin/"))
    text = " ".join(section.get_text(" ").split())
    assert "48.00 CNY" in text  # Ann's own pending share of C-2
    for amount in ("35.00", "70.00", "3.00 USD", "USD"):
        assert amount not in text, amount


def test_editors_get_no_payout_panel(client, editor, history):
    client.force_login(editor)
    assert panel(client.get("/admin/")) is None
