"""The publish gate in Wagtail's publishing UI: the issues on the edit page, publish
refused while the gate must be clean, "Publish anyway" recorded, and workflow
approval refused too (content.admin.gate, content.gate.workflow)."""

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState, WorkflowState

from content.gate.services import OVERRIDE_LOG_ACTION
from content.models import PublishGateOverride, PublishGateSettings, ReviewPage
from products.models import Availability
from tests.conftest import review_create
from tests.content.admin_forms import review_form_data
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

ANYWAY_BUTTON = 'name="action-publish"\n    value="anyway"'


@pytest.fixture
def out_of_stock(product):
    offer = product.offers.get()
    offer.availability = Availability.OUT_OF_STOCK
    offer.save()
    return offer


@pytest.fixture
def gate_required():
    settings = PublishGateSettings.load()
    settings.require_clean_gate = True
    settings.save()
    return settings


@pytest.fixture
def draft(articles, creator, product):
    return review_create(
        parent=articles,
        author=creator,
        product=product,
        title="Sonari WH-7 评测",
        slug="sonari-wh7-review",
        publish=False,
    )


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def post_edit(client, page, creator, product, **actions):
    data = review_form_data(product=product, author=creator)
    data.update(actions)
    return client.post(edit_url(page), data)


def live(page) -> bool:
    return ReviewPage.objects.get(pk=page.pk).live


@pytest.mark.parametrize("who", ["creator", "editor"])
def test_the_edit_page_shows_the_issues_to_the_creator_and_editors(
    client, draft, creator, editor, out_of_stock, who
):
    client.force_login(creator.user if who == "creator" else editor)
    response = client.get(edit_url(draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "zc-gate-issues" in html
    assert "Not in stock" in html or "无货" in html or "缺货" in html
    assert out_of_stock.product.title in html
    assert out_of_stock.merchant.name in html
    # Not required: nothing to override.
    assert ANYWAY_BUTTON not in html


def test_a_clean_article_shows_no_issues(client, draft, editor, gate_required):
    client.force_login(editor)
    html = client.get(edit_url(draft)).content.decode()
    assert "zc-gate-issues" not in html
    assert ANYWAY_BUTTON not in html


def test_publishing_with_issues_works_while_the_gate_is_not_required(
    client, draft, creator, editor, product, out_of_stock
):
    client.force_login(editor)
    response = post_edit(client, draft, creator, product, **{"action-publish": "1"})
    assert response.status_code == 302
    assert live(draft)
    assert not PublishGateOverride.objects.exists()


def test_publishing_is_refused_while_the_gate_must_be_clean(
    client, draft, creator, editor, product, out_of_stock, gate_required
):
    client.force_login(editor)
    response = post_edit(
        client, draft, creator, product, **{"action-publish": "action-publish"}
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(draft)
    assert not live(draft)
    html = client.get(response["Location"]).content.decode()
    assert "editors require a clean publish gate" in html
    assert ANYWAY_BUTTON in html
    assert not PublishGateOverride.objects.exists()


def test_publish_anyway_publishes_and_is_recorded_in_the_history(
    client, draft, creator, editor, product, out_of_stock, gate_required
):
    client.force_login(editor)
    response = post_edit(
        client, draft, creator, product, **{"action-publish": "anyway"}
    )
    assert response.status_code == 302
    assert live(draft)
    override = PublishGateOverride.objects.get()
    page = ReviewPage.objects.get(pk=draft.pk)
    assert (override.page_id, override.user) == (draft.pk, editor)
    assert override.revision == page.live_revision
    assert [issue["kind"] for issue in override.issues] == ["out_of_stock"]
    assert override.issues[0]["offer_id"] == out_of_stock.pk
    entry = PageLogEntry.objects.get(page=draft, action=OVERRIDE_LOG_ACTION)
    assert entry.user == editor
    assert entry.revision == page.live_revision
    history = client.get(reverse("wagtailadmin_pages:history", args=[draft.pk]))
    assert "Published despite the publish gate" in history.content.decode()


def test_publish_anyway_without_issues_is_an_ordinary_publish(
    client, draft, creator, editor, product, gate_required
):
    client.force_login(editor)
    post_edit(client, draft, creator, product, **{"action-publish": "anyway"})
    assert live(draft)
    assert not PublishGateOverride.objects.exists()


def test_a_creator_is_not_offered_publish_anyway(
    client, draft, creator, product, out_of_stock, gate_required
):
    client.force_login(creator.user)
    html = client.get(edit_url(draft)).content.decode()
    assert "zc-gate-issues" in html
    assert ANYWAY_BUTTON not in html
    # Nor can they publish by posting it: they may not publish at all.
    post_edit(client, draft, creator, product, **{"action-publish": "anyway"})
    assert not live(draft)
    assert not PublishGateOverride.objects.exists()


# -- Moderation --------------------------------------------------------------------------


def submitted(client, draft, creator, product):
    client.force_login(creator.user)
    response = post_edit(client, draft, creator, product, **{"action-submit": "1"})
    assert response.status_code == 302
    page = ReviewPage.objects.get(pk=draft.pk)
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    return page


def approve_from_dashboard(client, page):
    task_state = page.current_workflow_state.current_task_state
    return client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", task_state.pk],
        ),
        {"comment": ""},
    )


def test_approval_is_refused_while_the_gate_must_be_clean(
    client, draft, creator, editor, product, out_of_stock, gate_required
):
    page = submitted(client, draft, creator, product)
    client.force_login(editor)
    response = approve_from_dashboard(client, page)
    assert response.status_code == 302
    assert response["Location"] == edit_url(page)
    assert not live(page)
    # The approval was undone with the refusal: still waiting for an editor.
    state = WorkflowState.objects.get(pk=page.current_workflow_state.pk)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS
    html = client.get(response["Location"]).content.decode()
    assert "Not approved: editors require a clean publish gate" in html

    # Fixed: the same approval publishes.
    out_of_stock.availability = Availability.IN_STOCK
    out_of_stock.save()
    approve_from_dashboard(client, ReviewPage.objects.get(pk=page.pk))
    assert live(page)


def test_approval_from_the_modal_is_refused_with_a_redirect_to_the_edit_page(
    client, draft, creator, editor, product, out_of_stock, gate_required
):
    page = submitted(client, draft, creator, product)
    client.force_login(editor)
    task_state = page.current_workflow_state.current_task_state
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", task_state.pk],
        ),
        {"comment": ""},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response.json()["redirect"] == edit_url(page)
    assert not live(page)


def test_approval_in_the_edit_page_is_refused_while_the_gate_must_be_clean(
    client, draft, creator, editor, product, out_of_stock, gate_required
):
    page = submitted(client, draft, creator, product)
    client.force_login(editor)
    response = post_edit(
        client,
        page,
        creator,
        product,
        **{"action-workflow-action": "1", "workflow-action-name": "approve"},
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(page)
    assert not live(page)
    state = ReviewPage.objects.get(pk=page.pk).current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS


def test_approval_publishes_while_the_gate_is_not_required(
    client, draft, creator, editor, product, out_of_stock
):
    page = submitted(client, draft, creator, product)
    client.force_login(editor)
    approve_from_dashboard(client, page)
    assert live(page)


# -- Bulk publishing and the setting -----------------------------------------------------


def bulk_publish(client, page):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    return client.post(f"{url}?id={page.pk}", {"include_descendants": ""})


@pytest.mark.parametrize("required", [False, True])
def test_bulk_publishing_leaves_out_an_article_whose_gate_must_be_clean(
    client, draft, editor, out_of_stock, required
):
    settings = PublishGateSettings.load()
    settings.require_clean_gate = required
    settings.save()
    client.force_login(editor)
    bulk_publish(client, draft)
    assert live(draft) is not required


def test_editors_require_the_gate_in_the_settings_and_creators_cannot(
    client, editor, creator
):
    url = reverse("wagtailsettings:edit", args=["content", "publishgatesettings"])
    client.force_login(creator.user)
    assert "price_change_percent" not in client.get(url, follow=True).content.decode()
    client.force_login(editor)
    url = client.get(url).url  # the one setting's own page
    response = client.post(
        url, {"price_change_percent": "-5", "require_clean_gate": "on"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not PublishGateSettings.load().require_clean_gate
    response = client.post(
        url, {"price_change_percent": "20", "require_clean_gate": "on"}
    )
    assert response.status_code == 302
    settings = PublishGateSettings.load()
    assert settings.require_clean_gate
    assert settings.price_change_percent == 20


def test_bulk_publishing_with_descendants_leaves_out_the_gated_ones(
    client, articles, creator, editor, draft, out_of_stock, gate_required
):
    clean = review_create(
        parent=articles,
        author=creator,
        product=OfferFactory().product,
        title="Clean review",
        publish=False,
    )
    client.force_login(editor)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    client.post(f"{url}?id={articles.pk}", {"include_descendants": "on"})
    assert live(clean)
    assert not live(draft)


def test_publishing_a_new_article_is_refused_and_it_stays_a_draft(
    client, articles, creator, editor, product, out_of_stock, gate_required
):
    client.force_login(editor)
    data = review_form_data(product=product, author=creator)
    data["action-publish"] = "action-publish"
    response = client.post(
        reverse("wagtailadmin_pages:add", args=["content", "reviewpage", articles.pk]),
        data,
    )
    page = ReviewPage.objects.get(slug="sonari-wh7-review")
    assert response.status_code == 302
    assert response["Location"] == edit_url(page)
    # Wagtail's create view adds the page as live before the hook refuses it.
    assert not page.live
    assert page.has_unpublished_changes
    assert client.get(page.url).status_code == 404
