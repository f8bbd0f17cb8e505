"""Offer proposals in the admin (Catalog → Offer proposals): editors list them and
accept or dismiss each; nobody adds, edits or deletes one there."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from products.feeds.parse import feed_entries
from products.feeds.services import merchant_feed_apply
from products.models import Offer, OfferProposal, ProposalStatus
from tests.factories import MerchantFactory, ProductFactory
from tests.products.feeds.samples import RSS

pytestmark = pytest.mark.django_db

LISTING = "wagtailsnippets_products_offerproposal:list"
DECIDE = "wagtailsnippets_products_offerproposal:decide"


@pytest.fixture
def proposals():
    shop = MerchantFactory(slug="mingyue")
    merchant_feed_apply(merchant=shop, entries=feed_entries(io.BytesIO(RSS)))
    return shop


def test_editors_see_the_pending_proposals_with_a_way_to_decide(
    client, editor, proposals
):
    client.force_login(editor)
    page = client.get(reverse(LISTING))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Bamboo Tea Tray" in body
    tray = OfferProposal.objects.get(feed_item_id="MY-1002")
    assert reverse(DECIDE, args=[tray.pk]) in body
    add = client.get(reverse("wagtailsnippets_products_offerproposal:add"))
    assert add.status_code in (302, 403)


def test_accepting_onto_an_existing_product_makes_the_offer(client, editor, proposals):
    client.force_login(editor)
    product = ProductFactory()
    tray = OfferProposal.objects.get(feed_item_id="MY-1002")
    url = reverse(DECIDE, args=[tray.pk])
    assert client.get(url).status_code == 200
    answer = client.post(url, {"decision": "accept", "product": product.pk})
    assert answer.status_code == 302
    offer = Offer.objects.get(feed_item_id="MY-1002")
    assert (offer.product, offer.price) == (product, Decimal("89.90"))
    tray.refresh_from_db()
    assert tray.status == ProposalStatus.ACCEPTED


def test_a_refused_acceptance_shows_the_reason_and_writes_nothing(
    client, editor, proposals
):
    client.force_login(editor)
    kettle = OfferProposal.objects.get(feed_item_id="MY-1001")
    OfferProposal.objects.filter(pk=kettle.pk).update(url="https://evil.example/k")
    answer = client.post(reverse(DECIDE, args=[kettle.pk]), {"decision": "accept"})
    assert answer.status_code == 200
    assert "url:" in answer.content.decode()
    assert not Offer.objects.exists()


def test_dismissing_and_who_may(client, editor, creator, proposals):
    teapot = OfferProposal.objects.get(feed_item_id="MY-1005")
    url = reverse(DECIDE, args=[teapot.pk])
    client.force_login(creator.user)
    assert client.post(url, {"decision": "dismiss"}).status_code in (302, 403)
    teapot.refresh_from_db()
    assert teapot.status == ProposalStatus.PENDING
    client.force_login(editor)
    assert client.post(url, {"decision": "dismiss"}).status_code == 302
    teapot.refresh_from_db()
    assert teapot.status == ProposalStatus.DISMISSED
    # Proposals come from feeds: no editing or deleting them in the admin.
    edit = reverse("wagtailsnippets_products_offerproposal:edit", args=[teapot.pk])
    delete = reverse("wagtailsnippets_products_offerproposal:delete", args=[teapot.pk])
    assert client.get(edit).status_code in (302, 403)
    assert client.post(delete).status_code in (302, 403)
    assert OfferProposal.objects.filter(pk=teapot.pk).exists()
