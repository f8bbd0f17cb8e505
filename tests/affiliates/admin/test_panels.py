"""A creator's admin home: the invite link and the referral tree with the overrides
earned from each creator in it, checked against a hand-computed data set.

Every sale is a signed postback to the shop (default rate 8%, overrides 10% and 5%
of the platform's commission):

    Lulu (the creator)
    ├── A: 1000.00 CNY → commission 80.00 → Lulu's override 8.00 CNY
    │      200.00 USD → commission 16.00 → Lulu's override 1.60 USD
    │   └── B: 500.00 CNY → commission 40.00 → A 4.00, Lulu 2.00 CNY (level 2)
    ├── C: 1000.00 CNY, then refunded → Lulu 8.00 − 8.00 = nothing
    └── E: 300.00 CNY → commission 24.00 → Lulu 2.40 CNY; E then moved to Ann
    Ann (the other creator)
    └── D: 1000.00 CNY → Ann 8.00 CNY
    Lulu's own sale: 1000.00 CNY (an author's share: not an override)

Lulu's totals: 8.00 + 2.00 + 2.40 = 12.40 CNY and 1.60 USD, never added together.
"""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from affiliates.commissions.services.ledger import commissions_approve
from affiliates.models import EntryKind, LedgerEntry
from tests.affiliates.conftest import click_id_for, postback, sale
from tests.conftest import FOREIGN_HOST
from tests.factories import CreatorProfileFactory, TrackedLinkFactory

pytestmark = pytest.mark.django_db


def cells(row) -> list[str]:
    return [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"])]


def tree_rows(response) -> dict[str, list[str]]:
    """data-referral → the row's cells, from the admin home's referral panel."""
    soup = BeautifulSoup(response.content, "html.parser")
    panel = soup.find(id="affiliates-referral-tree-section")
    assert panel is not None
    return {
        row["data-referral"]: cells(row) for row in panel.select("tr[data-referral]")
    }


@pytest.fixture
def tree(client, connected, creator, other_creator):
    """The data set of the module docstring."""
    a = CreatorProfileFactory(public_name="A", slug="a", referred_by=creator)
    b = CreatorProfileFactory(public_name="B", slug="b", referred_by=a)
    c = CreatorProfileFactory(public_name="C", slug="c", referred_by=creator)
    d = CreatorProfileFactory(public_name="D", slug="d", referred_by=other_creator)
    e = CreatorProfileFactory(public_name="E", slug="e", referred_by=creator)

    def sell(author, order_id, amount, currency="CNY", status="pending"):
        link = TrackedLinkFactory(author=author, offer__merchant=connected)
        body = sale(
            order_id=order_id,
            amount=amount,
            currency=currency,
            status=status,
            click_id=click_id_for(link),
        )
        response = postback(client, connected, body)
        assert response.status_code in (200, 201), response.content
        return body

    sell(a, "A-1", "1000.00")
    sell(a, "A-2", "200.00", currency="USD")
    sell(b, "B-1", "500.00")
    refunded = sell(c, "C-1", "1000.00")
    postback(client, connected, {**refunded, "status": "refunded"})
    sell(d, "D-1", "1000.00")
    sell(e, "E-1", "300.00")
    sell(creator, "LULU-1", "1000.00")
    e.referred_by = other_creator
    e.save()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def home_of(profile_or_user, **headers):
    http = Client(**headers)
    http.force_login(getattr(profile_or_user, "user", profile_or_user))
    response = http.get("/admin/")
    assert response.status_code == 200
    return response


def test_the_data_set_is_what_the_docstring_says(tree, creator):
    overrides = LedgerEntry.objects.filter(
        creator=creator, kind__in=[EntryKind.OVERRIDE_1, EntryKind.OVERRIDE_2]
    )
    assert sorted((entry.amount, entry.currency) for entry in overrides) == [
        (Decimal("1.60"), "USD"),
        (Decimal("2.00"), "CNY"),
        (Decimal("2.40"), "CNY"),
        (Decimal("8.00"), "CNY"),
        (Decimal("8.00"), "CNY"),
    ]


def test_the_tree_shows_two_levels_with_the_overrides_from_each(tree, creator):
    rows = tree_rows(home_of(creator))
    assert rows == {
        "a": ["A", "invited by you", "8.00 CNY 1.60 USD"],
        "b": ["↳ B", "invited by your invitee", "2.00 CNY"],
        "c": ["C", "invited by you", "—"],
        "elsewhere": ["Creators no longer in your tree", "2.40 CNY"],
        "total": ["Total", "12.40 CNY 1.60 USD"],
    }


def test_moving_money_between_statuses_changes_no_figure(tree, creator):
    before = tree_rows(home_of(creator))
    assert commissions_approve(now=timezone.now() + datetime.timedelta(days=400)) > 0
    assert tree_rows(home_of(creator)) == before


def test_another_creator_sees_only_their_own_tree(tree, creator, other_creator):
    response = home_of(other_creator)
    rows = tree_rows(response)
    # E's sale was made while E was Lulu's: it earned Ann nothing.
    assert rows == {
        "d": ["D", "invited by you", "8.00 CNY"],
        "e": ["E", "invited by you", "—"],
        "total": ["Total", "8.00 CNY"],
    }
    content = response.content.decode()
    assert "1.60 USD" not in content
    assert "12.40" not in content
    assert "?ref=lulu" not in content
    assert "?ref=ann" in content


def test_a_downline_creator_sees_their_own_tree_only(tree):
    rows = tree_rows(home_of(tree["a"]))
    assert rows == {
        "b": ["B", "invited by you", "4.00 CNY"],
        "total": ["Total", "4.00 CNY"],
    }


def test_the_invite_link_is_shown_as_a_plain_text_field(creator):
    soup = BeautifulSoup(home_of(creator).content, "html.parser")
    field = soup.find(id="affiliates-invite-url")
    assert field["value"] == "http://testserver/join/?ref=lulu"
    assert field.has_attr("readonly")
    # The copy button is for JavaScript only; without it, it stays hidden.
    button = soup.select_one("#affiliates-invite-link-content button")
    assert "w-hidden" in button["class"]
    assert button["data-action"] == "w-clipboard#copy"
    # And the link works.
    page = Client().get("/join/?ref=lulu")
    assert "You were invited by Lulu." in page.content.decode()


def test_the_invite_link_starts_from_the_public_base_url(creator, public_base_url):
    soup = BeautifulSoup(
        home_of(creator, HTTP_HOST=FOREIGN_HOST).content, "html.parser"
    )
    field = soup.find(id="affiliates-invite-url")
    assert field["value"] == f"{public_base_url}/join/?ref=lulu"


def test_a_chinese_slug_makes_a_working_invite_link(db):
    creator = CreatorProfileFactory(public_name="小美", slug="小美")
    field = BeautifulSoup(home_of(creator).content, "html.parser").find(
        id="affiliates-invite-url"
    )
    assert field["value"] == "http://testserver/join/?ref=%E5%B0%8F%E7%BE%8E"
    page = Client().get(field["value"].removeprefix("http://testserver"))
    assert "You were invited by 小美." in page.content.decode()


def test_nobody_invited_yet(creator):
    soup = BeautifulSoup(home_of(creator).content, "html.parser")
    panel = soup.find(id="affiliates-referral-tree-section")
    assert "Nobody has signed up through your invite link yet." in panel.get_text()


def test_editors_get_no_creator_panels(editor):
    content = home_of(editor).content.decode()
    assert "affiliates-invite-link" not in content
    assert "affiliates-referral-tree" not in content


def test_the_tree_costs_the_same_queries_whatever_its_size(
    tree, creator, django_assert_max_num_queries
):
    from affiliates.creators.selectors import creator_referral_tree

    with django_assert_max_num_queries(2):
        small = creator_referral_tree(creator=creator)
    for number in range(20):
        CreatorProfileFactory(referred_by=tree["a"] if number % 2 else creator)
    with django_assert_max_num_queries(2):
        big = creator_referral_tree(creator=creator)
    assert big.size == small.size + 20
    assert (
        big.totals
        == small.totals
        == [
            ("CNY", Decimal("12.40")),
            ("USD", Decimal("1.60")),
        ]
    )
