"""Webhooks in the Wagtail admin (Settings → Webhooks, Webhook deliveries): editors
configure endpoints and read the delivery log; creators get 403 everywhere."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from content.webhooks.delivery import webhook_deliveries_retry
from tests.conftest import review_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator_client(creator):
    client = Client()
    client.force_login(creator.user)
    return client


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(
        name="Frontend",
        url="https://frontend.example/hook",
        events=["article.published", "product.changed"],
    )


def endpoint_form(**fields):
    return {
        "name": "Next.js site",
        "url": "https://www.frontend.example/api/revalidate",
        "events": ["article.published", "article.unpublished"],
        "is_active": "on",
        **fields,
    }


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def failed_delivery(receiver, articles, creator, product):
    """A published review whose one delivery failed for good (the receiver always
    answered 500)."""
    endpoint = WebhookEndpoint.objects.create(
        name="Flaky", url=receiver.url(), events=["article.published"]
    )
    receiver.statuses = [500] * 6
    review_create(parent=articles, author=creator, product=product)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    while delivery.status == DeliveryStatus.PENDING:
        webhook_deliveries_retry(now=now)
        delivery.refresh_from_db()
        now = delivery.next_attempt_at or now
    assert delivery.status == DeliveryStatus.FAILED
    return delivery


# -- Who may ----------------------------------------------------------------------------


def test_creators_get_403_on_every_webhook_page(creator_client, endpoint):
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="evt_1",
        event_type="article.published",
        payload="{}",
        status=DeliveryStatus.FAILED,
    )
    secret = endpoint.secret
    gets = [
        reverse("webhooks:index"),
        reverse("webhooks:index_results"),
        reverse("webhooks:add"),
        reverse("webhooks:edit", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
        reverse("webhooks:history", args=[endpoint.pk]),
        reverse("webhook_deliveries:index"),
        reverse("webhook_deliveries:index_results"),
        reverse("webhook_deliveries:inspect", args=[delivery.pk]),
        reverse("webhook_deliveries:inspect", args=[delivery.pk + 1000]),
    ]
    for url in gets:
        assert creator_client.get(url).status_code == 403, url
    posts = [
        (reverse("webhooks:add"), endpoint_form()),
        (reverse("webhooks:edit", args=[endpoint.pk]), endpoint_form(name="Mine")),
        (reverse("webhooks:delete", args=[endpoint.pk]), {}),
        (reverse("webhooks:rotate", args=[endpoint.pk]), {}),
        (reverse("webhook_deliveries:redeliver", args=[delivery.pk]), {}),
    ]
    for url, data in posts:
        assert creator_client.post(url, data).status_code == 403, url
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.secret) == ("Frontend", secret)
    assert WebhookEndpoint.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_creators_do_not_see_the_menu_items(creator_client, editor_client):
    assert (
        reverse("webhooks:index")
        not in creator_client.get(reverse("wagtailadmin_home")).content.decode()
    )
    assert (
        reverse("webhooks:index")
        in editor_client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_a_superuser_may_configure_webhooks(db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("webhooks:index")).status_code == 200
    assert client.get(reverse("webhook_deliveries:index")).status_code == 200


# -- Endpoints --------------------------------------------------------------------------


def test_an_editor_adds_an_endpoint_and_sees_its_generated_secret(editor_client):
    response = editor_client.post(reverse("webhooks:add"), endpoint_form())
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:edit", args=[endpoint.pk])
    assert endpoint.url == "https://www.frontend.example/api/revalidate"
    assert endpoint.events == ["article.published", "article.unpublished"]
    assert endpoint.is_active
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40

    page = editor_client.get(response["Location"]).content.decode()
    assert endpoint.secret in page
    assert reverse("webhooks:rotate", args=[endpoint.pk]) in page


def test_a_secret_cannot_be_posted(editor_client):
    editor_client.post(reverse("webhooks:add"), endpoint_form(secret="whsec_mine"))
    assert WebhookEndpoint.objects.get().secret != "whsec_mine"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://files.example/hook",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "https://exa mple.com/hook",
    ],
)
def test_a_bad_url_is_a_form_error_and_nothing_is_saved(editor_client, url):
    response = editor_client.post(reverse("webhooks:add"), endpoint_form(url=url))
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://100.64.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_an_address_inside_the_network_is_a_form_error(editor_client, url):
    response = editor_client.post(reverse("webhooks:add"), endpoint_form(url=url))
    assert response.status_code == 200
    assert "inside the network" in str(response.context["form"].errors["url"])
    assert WebhookEndpoint.objects.count() == 0


def test_a_staging_host_named_in_the_setting_may_be_configured(settings, editor_client):
    settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS = ["staging-frontend.internal", "10.0.0.5"]
    for url in ("http://staging-frontend.internal/hook", "http://10.0.0.5/hook"):
        editor_client.post(reverse("webhooks:add"), endpoint_form(url=url))
    assert sorted(WebhookEndpoint.objects.values_list("url", flat=True)) == [
        "http://10.0.0.5/hook",
        "http://staging-frontend.internal/hook",
    ]


def test_an_address_without_scheme_is_taken_as_https(editor_client):
    editor_client.post(reverse("webhooks:add"), endpoint_form(url="hooks.example/x"))
    assert WebhookEndpoint.objects.get().url == "https://hooks.example/x"


@pytest.mark.parametrize("events", [[], ["article.renamed"]])
def test_events_must_be_chosen_from_the_list(editor_client, events):
    response = editor_client.post(reverse("webhooks:add"), endpoint_form(events=events))
    assert response.status_code == 200
    assert "events" in response.context["form"].errors
    assert WebhookEndpoint.objects.count() == 0


def test_editing_keeps_the_secret_and_a_bad_edit_changes_nothing(
    editor_client, endpoint
):
    secret = endpoint.secret
    response = editor_client.post(
        reverse("webhooks:edit", args=[endpoint.pk]),
        endpoint_form(url="gopher://old.example/"),
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.url == "https://frontend.example/hook"

    response = editor_client.post(
        reverse("webhooks:edit", args=[endpoint.pk]),
        endpoint_form(events=["article.deleted"], is_active=""),
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["article.deleted"]
    assert not endpoint.is_active
    assert endpoint.secret == secret


def test_rotating_the_secret(editor_client, endpoint):
    old = endpoint.secret
    response = editor_client.post(reverse("webhooks:rotate", args=[endpoint.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:edit", args=[endpoint.pk])
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert any("new signing secret" in message for message in messages_of(response))
    # GET asks, and moves nothing.
    endpoint.refresh_from_db()
    current = endpoint.secret
    question = editor_client.get(reverse("webhooks:rotate", args=[endpoint.pk]))
    assert question.status_code == 200
    assert "Rotate the signing secret" in question.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == current


def test_the_endpoint_list(editor_client, endpoint):
    page = editor_client.get(reverse("webhooks:index")).content.decode()
    assert "Frontend" in page
    assert "https://frontend.example/hook" in page
    assert "article.published, product.changed" in page


# -- The delivery log -------------------------------------------------------------------


def test_the_log_lists_deliveries_newest_first_and_filters_them(
    editor_client, endpoint
):
    other = WebhookEndpoint.objects.create(
        name="Other", url="https://other.example/", events=["article.deleted"]
    )
    older = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="evt_older",
        event_type="product.changed",
        payload="{}",
        status=DeliveryStatus.SUCCEEDED,
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    newer = WebhookDelivery.objects.create(
        endpoint=other,
        event_id="evt_newer",
        event_type="article.deleted",
        payload="{}",
        status=DeliveryStatus.FAILED,
    )

    def listed(**params):
        response = editor_client.get(reverse("webhook_deliveries:index"), params)
        assert response.status_code == 200
        return [delivery.pk for delivery in response.context["object_list"]]

    assert listed() == [newer.pk, older.pk]
    assert listed(status="failed") == [newer.pk]
    assert listed(endpoint=endpoint.pk) == [older.pk]
    assert listed(event_type="product.changed") == [older.pk]


def test_inspecting_a_delivery_shows_its_payload_and_last_answer(
    receiver, editor_client, articles, creator, product
):
    delivery = failed_delivery(receiver, articles, creator, product)
    response = editor_client.get(
        reverse("webhook_deliveries:inspect", args=[delivery.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert delivery.event_id in page
    assert "&quot;type&quot;: &quot;article.published&quot;" in page  # pretty JSON
    assert "HTTP 500" in page
    assert reverse("webhook_deliveries:redeliver", args=[delivery.pk]) in page


def test_an_editor_redelivers_a_failed_delivery(
    receiver,
    editor_client,
    articles,
    creator,
    product,
    django_capture_on_commit_callbacks,
):
    delivery = failed_delivery(receiver, articles, creator, product)
    sent_before = len(receiver.received())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("webhook_deliveries:redeliver", args=[delivery.pk])
        )
    copy = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhook_deliveries:inspect", args=[copy.pk])
    assert copy.status == DeliveryStatus.SUCCEEDED
    assert (copy.event_id, copy.payload) == (delivery.event_id, delivery.payload)
    assert copy.delivery_id != delivery.delivery_id
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED  # the log keeps what happened
    assert len(receiver.received()) == sent_before + 1
    assert receiver.received()[-1].headers["Zhongcao-Delivery"] == str(copy.delivery_id)


def test_a_pending_delivery_cannot_be_redelivered(editor_client, endpoint):
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="evt_1",
        event_type="article.published",
        payload="{}",
        next_attempt_at=timezone.now(),
    )
    response = editor_client.post(
        reverse("webhook_deliveries:redeliver", args=[delivery.pk])
    )
    assert response.status_code == 302
    assert any("still pending" in message for message in messages_of(response))
    assert WebhookDelivery.objects.count() == 1
    page = editor_client.get(
        reverse("webhook_deliveries:inspect", args=[delivery.pk])
    ).content.decode()
    assert reverse("webhook_deliveries:redeliver", args=[delivery.pk]) not in page


def test_deliveries_have_no_edit_or_delete_pages():
    from django.urls import NoReverseMatch

    for name in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"webhook_deliveries:{name}", args=[1])


def test_deleting_an_endpoint_deletes_its_log(editor_client, endpoint):
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="evt_1",
        event_type="article.published",
        payload="{}",
        status=DeliveryStatus.SUCCEEDED,
    )
    response = editor_client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert response.status_code == 302
    assert WebhookEndpoint.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
