"""A starting point for new creators: "New article" on the admin home, in the menu
and behind one stable URL (issue 17, item 14)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def add_url(model: str, parent) -> str:
    return reverse("wagtailadmin_pages:add", args=("content", model, parent.pk))


def test_a_new_creator_finds_new_article_buttons_on_the_home_page(
    client, creator, articles
):
    client.force_login(creator.user)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="content-new-article-section"' in page
    review, guide = add_url("reviewpage", articles), add_url("guidepage", articles)
    assert re.search(rf'<a [^>]*href="{review}"[^>]*>.*?New review', page, re.S)
    assert re.search(rf'<a [^>]*href="{guide}"[^>]*>.*?New buying guide', page, re.S)
    for url in (review, guide):
        assert client.get(url).status_code == 200


def test_the_menu_leads_to_new_article(client, creator, articles):
    client.force_login(creator.user)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "/admin/articles/new/" in page  # the sidebar's menu item
    response = client.get("/admin/articles/new/")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtailadmin_pages:add_subpage", args=(articles.pk,)
    )
    chooser = client.get(response["Location"]).content.decode()
    assert add_url("reviewpage", articles) in chooser
    assert "One product you tried" in chooser


def test_new_article_of_a_kind_opens_its_add_page(client, creator, articles):
    client.force_login(creator.user)
    response = client.get("/admin/articles/new/guide/")
    assert response["Location"] == add_url("guidepage", articles)
    assert client.get("/admin/articles/new/review/")["Location"] == add_url(
        "reviewpage", articles
    )
    assert client.get("/admin/articles/new/poem/").status_code == 404


def test_someone_who_may_write_nothing_gets_no_new_article(client):
    group = Group.objects.create(name="Readers of the admin")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = UserFactory(groups=[group.name])
    client.force_login(user)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="content-new-article-section"' not in page
    assert "/admin/articles/new/" not in page
    assert client.get("/admin/articles/new/").status_code == 403
    assert client.get("/admin/articles/new/review/").status_code == 403


def test_the_panel_speaks_chinese(client, creator):
    client.force_login(creator.user)
    page = client.get(
        reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "新建测评" in page
