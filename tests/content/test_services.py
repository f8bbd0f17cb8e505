"""Site structure, roles and the editorial workflow that `migrate` sets up, and the
moderation loop they give: a creator submits, an editor approves or rejects."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, Site, WorkflowState

from content.models import ArticleIndexPage, HomePage, ReviewPage
from content.services import WORKFLOW_NAME, site_structure_ensure
from tests.conftest import FOREIGN_HOST, review_create
from tests.content.admin_forms import review_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_migrate_leaves_a_home_page_articles_section_and_roles(home, articles):
    assert Site.objects.get(is_default_site=True).root_page.specific == home
    assert articles.get_parent().specific == home
    assert {"Editors", "Creators"} <= set(Group.objects.values_list("name", flat=True))
    assert articles.get_workflow().name == WORKFLOW_NAME


def test_site_structure_ensure_is_idempotent_and_keeps_edits(home):
    home.title = "My own title"
    home.save_revision().publish()
    site_structure_ensure()
    site_structure_ensure()
    assert HomePage.objects.count() == 1
    assert ArticleIndexPage.objects.count() == 1
    assert HomePage.objects.get().title == "My own title"
    assert Page.objects.filter(depth=2).count() == 1


def submit_review(client, creator, articles, product):
    client.force_login(creator.user)
    data = review_form_data(product=product)
    data["action-submit"] = "action-submit"
    response = client.post(
        reverse("wagtailadmin_pages:add", args=["content", "reviewpage", articles.pk]),
        data,
    )
    assert response.status_code == 302
    return ReviewPage.objects.get(slug="sonari-wh7-review")


def workflow_action(client, page, action, comment=""):
    task_state = page.current_workflow_state.current_task_state
    return client.post(
        reverse(
            "wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk]
        ),
        {"comment": comment},
    )


def test_creator_submits_and_editor_approves(
    client, creator, editor, articles, product
):
    page = submit_review(client, creator, articles, product)
    assert not page.live
    state = page.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS

    # The creator cannot approve their own article.
    response = workflow_action(client, page, "approve")
    assert response.status_code == 403
    page.refresh_from_db()
    assert not page.live

    client.force_login(editor)
    response = workflow_action(client, page, "approve")
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    assert page.specific.author == creator
    assert client.get(page.url).status_code == 200


def test_moderation_emails_link_the_public_base_url_not_the_host_header(
    creator, editor, articles, product, public_base_url, mailoutbox
):
    client = Client(HTTP_HOST=FOREIGN_HOST)
    page = submit_review(client, creator, articles, product)
    client.force_login(editor)
    assert workflow_action(client, page, "approve").status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    bodies = [message.body for message in mailoutbox]
    submitted = [body for body in bodies if "preview the page here" in body]
    approved = [body for body in bodies if "You can view the page here" in body]
    assert submitted and approved, bodies
    assert f"{public_base_url}/admin/pages/{page.pk}/edit/" in submitted[0]
    assert f"{public_base_url}/articles/sonari-wh7-review/" in approved[0]
    for body in bodies:
        assert "evil.example" not in body
        for link in re.findall(r"https?://\S+", body):
            assert link.startswith(public_base_url + "/"), link


def test_editor_rejects_and_the_article_stays_unpublished(
    client, creator, editor, articles, product
):
    page = submit_review(client, creator, articles, product)
    client.force_login(editor)
    workflow_action(client, page, "reject", comment="Add how you tested it.")
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_editor_unpublishes(client, editor, review):
    client.force_login(editor)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.live


def test_editor_curates_the_home_page(client, editor, home, review):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    from content.models import ArticleCollection

    collection = ArticleCollection.objects.create(
        name="降噪耳机 Quiet picks", slug="quiet"
    )
    collection.items.create(article=review)
    collection.save()
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "intro": rich_text("<p>Hello</p>"),
            # The review in the collection only: featured too, it would show once,
            # as featured, and the collection, left empty, not at all.
            "featured_articles": inline_formset([]),
            "collection_placements": inline_formset([{"collection": collection.pk}]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[home.pk]), data)
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert review.title in html
    assert "降噪耳机 Quiet picks" in html


def test_unpublished_articles_do_not_show_on_the_home_page(
    client, home, articles, creator, product
):
    draft = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="Secret draft",
        publish=False,
    )
    home.featured_articles.create(article=draft)
    home.save_revision().publish()
    assert "Secret draft" not in client.get("/").content.decode()
