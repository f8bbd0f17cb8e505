"""GET /api/conversions and GET /api/me/earnings: who sees what."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from affiliates.commissions.services.ledger import commissions_approve, ledger_adjust
from affiliates.commissions.services.payouts import payout_decide, payout_run_create
from affiliates.models import Conversion
from tests.affiliates.conftest import click_id_for, postback, sale
from tests.factories import CreatorProfileFactory, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold(client, connected, link):
    """One attributed sale and one unattributed sale."""
    assert (
        postback(client, connected, sale(click_id=click_id_for(link))).status_code
        == 200
    )
    assert postback(client, connected, sale(order_id="NO-CLICK")).status_code == 200
    return Conversion.objects.get(order_id="ORDER-1")


def test_editors_read_conversions_with_attribution_and_entries(client, editor, sold):
    client.force_login(editor)
    body = client.get("/api/conversions", {"order_id": "ORDER-1"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["attribution"]["author"] == "lulu"
    assert item["attribution"]["placement"] == "reviewed-product"
    assert item["attribution"]["article"]["id"] == sold.article_id
    assert item["amount"] == "1000.00"
    kinds = {entry["kind"]: entry for entry in item["entries"]}
    assert kinds["author"]["creator"] == "lulu"
    assert kinds["platform"]["creator"] is None
    assert sum(float(e["amount"]) for e in item["entries"]) == float(item["commission"])


def test_conversion_filters(client, editor, sold, connected):
    client.force_login(editor)
    assert client.get("/api/conversions").json()["count"] == 2
    assert client.get("/api/conversions", {"author": "lulu"}).json()["count"] == 1
    assert (
        client.get("/api/conversions", {"merchant": connected.slug}).json()["count"]
        == 2
    )
    assert client.get("/api/conversions", {"merchant": "other"}).json()["count"] == 0
    assert client.get("/api/conversions", {"status": "approved"}).json()["count"] == 0
    today = timezone.now().date().isoformat()
    assert client.get("/api/conversions", {"since": today}).json()["count"] == 2
    assert client.get("/api/conversions", {"until": "2000-01-01"}).json()["count"] == 0
    response = client.get("/api/conversions", {"since": "yesterday"})
    assert response.status_code == 400  # names the field
    assert "since" in response.content.decode()


def test_conversions_are_for_editors_only(client, creator, sold):
    assert client.get("/api/conversions").status_code == 401
    client.force_login(creator.user)
    assert client.get("/api/conversions").status_code == 403


def test_an_api_token_signs_in_and_a_revoked_one_does_not(client, editor, sold):
    token = token_for(editor)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/conversions", headers=headers).status_code == 200
    APIToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/conversions", headers=headers).status_code == 401
    bad = {"Authorization": "Bearer wagtail_nonsense"}
    assert client.get("/api/conversions", headers=bad).status_code == 401


def test_a_creator_reads_their_own_earnings(client, creator, sold):
    client.force_login(creator.user)
    body = client.get("/api/me/earnings").json()
    assert body["creator"] == "lulu"
    assert [(e["order_id"], e["kind"], e["status"]) for e in body["earnings"]] == [
        ("ORDER-1", "author", "pending")
    ]
    earning = body["earnings"][0]
    assert earning["placement"] == "reviewed-product"
    assert earning["approvable_from"]
    assert body["balances"] == [
        {"currency": "CNY", "status": "pending", "amount": earning["amount"]}
    ]
    assert body["payouts"] == []


def test_earnings_never_show_another_creators_money(
    client, creator, other_creator, sold
):
    client.force_login(other_creator.user)
    body = client.get("/api/me/earnings").json()
    assert body["earnings"] == [] and body["balances"] == []
    # No parameter names someone else.
    for query in (
        {"creator": creator.pk},
        {"creator_id": creator.pk, "user": creator.user_id},
        {"slug": creator.slug, "author": creator.slug},
    ):
        body = client.get("/api/me/earnings", query).json()
        assert body["creator"] == other_creator.slug, query
        assert body["earnings"] == [] and body["balances"] == [], query


def test_a_referrer_sees_the_override_but_not_the_authors_share(
    client, connected, published, creator
):
    from affiliates.models import TrackedLink

    upline = CreatorProfileFactory(slug="upline")
    creator.referred_by = upline
    creator.save()
    link = TrackedLink.objects.get(article=published, placement="reviewed-product")
    postback(client, connected, sale(click_id=click_id_for(link)))
    client.force_login(upline.user)
    body = client.get("/api/me/earnings", headers={}).json()
    assert [e["kind"] for e in body["earnings"]] == ["override_1"]


def test_users_without_a_profile_get_404(client, editor):
    client.force_login(editor)
    assert client.get("/api/me/earnings").status_code == 404


def test_the_openapi_document_describes_the_money_endpoints(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert "/api/postbacks/{merchant_slug}" in paths
    assert "/api/conversions" in paths and "/api/me/earnings" in paths
    body = paths["/api/postbacks/{merchant_slug}"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert {"order_id", "amount", "currency", "status", "occurred_at"} <= set(
        schema["required"]
    )


def test_the_interactive_docs_work_offline(client):
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page


def test_adjustments_and_refunds_after_payment_are_shown_to_the_creator(
    client, connected, link, creator, editor
):
    bought = timezone.now() - datetime.timedelta(days=60)
    body = sale(
        click_id=click_id_for(link, at=bought),
        occurred_at=bought.isoformat(),
        amount="5000.00",
    )
    postback(client, connected, body)
    commissions_approve()
    payout_decide(
        payout=payout_run_create(run_date=bought.date()).payouts.get(), paid=True
    )
    postback(client, connected, {**body, "status": "refunded"})
    ledger_adjust(
        creator=creator,
        amount=Decimal("12.50"),
        currency="CNY",
        note="Bonus",
        user=editor,
    )

    client.force_login(creator.user)
    other = client.get("/api/me/earnings").json()["other"]
    assert [(o["kind"], o["status"], o["note"]) for o in other] == [
        ("adjustment", "approved", "Bonus"),
        ("reversal", "approved", ""),
    ]
    assert other[1]["order_id"] == "ORDER-1"
    assert other[1]["amount"].startswith("-")
    page = client.get("/admin/my-earnings/").content.decode()
    assert "Adjustments and refunds after payment" in page
    assert "Bonus" in page
