"""A denied admin request answers 403 (Wagtail alone would redirect to the dashboard)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_denied_snippet_view_is_a_403_page(client, creator):
    client.force_login(creator.user)
    response = client.get(reverse("wagtailsnippets_products_merchant:list"))
    assert response.status_code == 403
    assert "Permission denied" in response.content.decode()


def test_denied_ajax_request_is_a_plain_403(client, creator):
    client.force_login(creator.user)
    response = client.get(
        reverse("wagtailsnippets_products_merchant:list"),
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 403


def test_allowed_users_are_not_affected(client, editor):
    client.force_login(editor)
    assert (
        client.get(reverse("wagtailsnippets_products_merchant:list")).status_code == 200
    )
