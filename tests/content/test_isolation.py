"""A creator never learns anything about another creator's unpublished work: every
admin listing, chooser, report and API that names pages, tested by URL as kol1 while
kol2 and member1 have drafts (and editors, who still see everything)."""

import pytest
from django.urls import reverse
from wagtail.models import Task

from content.models import HomePageFeaturedArticle
from content.services import TASK_NAME
from tests.conftest import review_create
from tests.factories import CreatorProfileFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

RIVAL_SECRETS = [
    "Kol2 secret plans",
    "kol2-secret-plans",
    "Member1 secret draft",
    "member1-secret-draft",
]


def _draft(*, parent, author, title, slug, submit):
    """An unpublished review saved (and logged) by its author; submitted to
    Editorial review if asked, as the demo's drafts are."""
    page = review_create(
        parent=parent,
        author=author,
        product=ProductFactory(),
        title=title,
        slug=slug,
        publish=False,
    )
    page.save_revision(user=author.user, log_action=True)
    if submit:
        page.get_workflow().start(page, author.user)
    return page


@pytest.fixture
def member1(db):
    return CreatorProfileFactory(user__username="member1", slug="member1")


@pytest.fixture
def rival_drafts(articles, other_creator, member1):
    """kol2's draft, in review, and member1's draft, not submitted yet."""
    return [
        _draft(
            parent=articles,
            author=other_creator,
            title="Kol2 secret plans",
            slug="kol2-secret-plans",
            submit=True,
        ),
        _draft(
            parent=articles,
            author=member1,
            title="Member1 secret draft",
            slug="member1-secret-draft",
            submit=False,
        ),
    ]


@pytest.fixture
def own_pages(articles, creator, product):
    """kol1's own draft (in review) and published review."""
    draft = _draft(
        parent=articles,
        author=creator,
        title="Kol1 secret draft",
        slug="kol1-secret-draft",
        submit=True,
    )
    published = review_create(
        parent=articles, author=creator, product=product, title="Kol1 published"
    )
    return draft, published


@pytest.fixture
def kol1_client(client, creator, rival_drafts, own_pages):
    client.force_login(creator.user)
    return client


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_no_rival_secrets(text: str) -> None:
    for secret in RIVAL_SECRETS:
        assert secret not in text, secret


def assert_own_pages_named(text: str) -> None:
    assert "Kol1 secret draft" in text
    assert "Kol1 published" in text


def test_page_search_finds_only_own_and_published_pages(
    kol1_client, home, articles, rival_drafts, own_pages
):
    search = reverse("wagtailadmin_pages:search")
    for query in ("", "secret"):
        text = _text(kol1_client.get(search, {"q": query}))
        assert_no_rival_secrets(text)
        assert "Kol1 secret draft" in text
    response = kol1_client.get(search, {"q": ""})
    assert_own_pages_named(_text(response))
    # The site's published pages are still found.
    found = {page.pk for page in response.context["pages"]}
    assert {home.pk, articles.pk, *(page.pk for page in own_pages)} <= found
    assert not found & {page.pk for page in rival_drafts}


def test_explorer_lists_own_articles_and_refuses_a_rivals_draft(
    kol1_client, articles, rival_drafts
):
    listing = kol1_client.get(reverse("wagtailadmin_explore", args=[articles.pk]))
    assert_no_rival_secrets(_text(listing))
    assert_own_pages_named(_text(listing))
    searching = kol1_client.get(
        reverse("wagtailadmin_explore", args=[articles.pk]),
        {"q": "secret", "search_all": "1"},
    )
    assert_no_rival_secrets(_text(searching))
    for draft in rival_drafts:
        for name in ("wagtailadmin_explore", "wagtailadmin_explore_results"):
            response = kol1_client.get(reverse(name, args=[draft.pk]))
            assert_no_rival_secrets(_text(response))
            assert response.status_code == 403, name


def test_page_chooser_offers_only_own_and_published_pages(
    kol1_client, articles, rival_drafts, own_pages
):
    browse = kol1_client.get(
        reverse("wagtailadmin_choose_page_child", args=[articles.pk])
    )
    assert browse.status_code == 200
    assert_no_rival_secrets(_text(browse))
    assert_own_pages_named(_text(browse))
    search = kol1_client.get(
        reverse("wagtailadmin_choose_page_search"), {"q": "secret"}
    )
    assert_no_rival_secrets(_text(search))
    assert "Kol1 secret draft" in _text(search)
    typed = kol1_client.get(
        reverse("wagtailadmin_choose_page"), {"page_type": "content.reviewpage"}
    )
    assert_no_rival_secrets(_text(typed))
    chosen = reverse("wagtailadmin_choose_page_chosen_multiple")
    own_draft = own_pages[0]
    assert "Kol1 secret draft" in _text(kol1_client.get(chosen, {"id": own_draft.pk}))
    for draft in rival_drafts:
        for response in (
            kol1_client.get(reverse("wagtailadmin_choose_page_child", args=[draft.pk])),
            kol1_client.get(chosen, {"id": [own_draft.pk, draft.pk]}),
        ):
            assert_no_rival_secrets(_text(response))
            assert response.status_code == 403
    assert kol1_client.get(chosen, {"id": "x"}).status_code == 400


def test_admin_page_api_names_only_own_and_published_pages(
    kol1_client, articles, rival_drafts, own_pages
):
    api = "/admin/api/main/pages/"
    for params in (
        {"child_of": articles.pk},
        {"child_of": articles.pk, "for_explorer": "1"},
        {"search": "secret"},
        {"descendant_of": articles.pk, "fields": "*"},
    ):
        response = kol1_client.get(api, params)
        assert response.status_code == 200, params
        assert_no_rival_secrets(_text(response))
    listed = {
        item["id"]
        for item in kol1_client.get(api, {"child_of": articles.pk}).json()["items"]
    }
    assert {page.pk for page in own_pages} <= listed
    for draft in rival_drafts:
        assert kol1_client.get(f"{api}{draft.pk}/").status_code == 404


def test_site_history_and_its_csv_show_only_own_activity(kol1_client):
    report = reverse("wagtailadmin_reports:site_history")
    for response in (
        kol1_client.get(report),
        kol1_client.get(reverse("wagtailadmin_reports:site_history_results")),
        kol1_client.get(report, {"export": "csv"}),
        kol1_client.get(report, {"export": "xlsx"}),
    ):
        assert response.status_code == 200
        if response["Content-Type"].startswith("text/"):
            assert_no_rival_secrets(_text(response))
    csv = _text(kol1_client.get(report, {"export": "csv"}))
    assert "Kol1 secret draft" in csv


def test_pages_by_type_list_only_own_and_published_pages(kol1_client):
    for name in ("wagtailadmin_pages:type_use", "wagtailadmin_pages:type_use_results"):
        response = kol1_client.get(reverse(name, args=["content", "reviewpage"]))
        assert response.status_code == 200
        assert_no_rival_secrets(_text(response))
        assert_own_pages_named(_text(response))


@pytest.mark.parametrize("action", ["delete", "publish", "unpublish", "move"])
def test_bulk_action_confirmations_leave_out_rivals_drafts(
    kol1_client, articles, rival_drafts, own_pages, action
):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
    own_draft = own_pages[0]
    mixed = kol1_client.get(url, {"id": [own_draft.pk, *(d.pk for d in rival_drafts)]})
    assert mixed.status_code == 200
    assert_no_rival_secrets(_text(mixed))
    assert "Kol1 secret draft" in _text(mixed)
    everything = kol1_client.get(url, {"id": "all", "childOf": articles.pk})
    assert_no_rival_secrets(_text(everything))
    only_rivals = kol1_client.get(url, {"id": [d.pk for d in rival_drafts]})
    assert only_rivals.status_code == 404
    assert_no_rival_secrets(_text(only_rivals))


def test_aging_pages_report_never_names_a_rivals_page(kol1_client, rival_drafts):
    # Passes on main as well: Wagtail lists only pages the user may publish, and
    # creators may publish none. Kept so that the rule holds if that changes.
    unpublished = rival_drafts[0]
    unpublished.save_revision(user=unpublished.owner).publish()
    unpublished.unpublish()
    report = reverse("wagtailadmin_reports:aging_pages")
    for response in (
        kol1_client.get(report),
        kol1_client.get(report, {"export": "csv"}),
    ):
        assert response.status_code == 200
        assert_no_rival_secrets(_text(response))


def test_workflow_preview_of_a_rivals_draft_says_nothing_about_it(
    kol1_client, rival_drafts
):
    task = Task.objects.get(name=TASK_NAME)
    for draft in rival_drafts:
        response = kol1_client.get(
            reverse("wagtailadmin_pages:workflow_preview", args=[draft.pk, task.pk]),
            follow=True,
        )
        # Wagtail's "not awaiting moderation" message would name it.
        assert_no_rival_secrets(_text(response))
        assert response.status_code == 403
    # The message Wagtail would have queued is not shown on the next page either.
    assert_no_rival_secrets(_text(kol1_client.get(reverse("wagtailadmin_home"))))


def test_page_types_usage_report_is_for_editors(
    kol1_client, client, editor, rival_drafts
):
    # The report names each page type's last edited page (and counts drafts).
    rival_drafts[1].save_revision(user=rival_drafts[1].owner)
    report = reverse("wagtailadmin_reports:page_types_usage")
    response = kol1_client.get(report)
    assert_no_rival_secrets(_text(response))
    assert response.status_code == 403
    home = _text(kol1_client.get(reverse("wagtailadmin_home")))
    assert report not in home
    client.force_login(editor)
    assert client.get(report).status_code == 200
    assert report in _text(client.get(reverse("wagtailadmin_home")))


def test_editors_still_see_every_draft(
    client, editor, articles, rival_drafts, own_pages
):
    client.force_login(editor)
    draft = rival_drafts[0]
    for url in (
        reverse("wagtailadmin_pages:search") + "?q=",
        reverse("wagtailadmin_explore", args=[articles.pk]),
        reverse("wagtailadmin_explore", args=[draft.pk]),
        reverse("wagtailadmin_choose_page_child", args=[articles.pk]),
        reverse("wagtailadmin_choose_page_chosen_multiple") + f"?id={draft.pk}",
        f"/admin/api/main/pages/?child_of={articles.pk}",
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_pages:type_use", args=["content", "reviewpage"]),
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={draft.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Kol2 secret plans" in _text(response), url


def test_public_v2_api_names_only_published_featured_articles(
    client, home, rival_drafts, own_pages
):
    draft, published = rival_drafts[0], own_pages[1]
    for sort_order, article in enumerate([draft, published]):
        HomePageFeaturedArticle.objects.create(
            page=home, article=article, sort_order=sort_order
        )
    url = f"/api/v2/pages/{home.pk}/"
    for fields in ("featured_articles", "featured_articles(article(title))", "*"):
        body = client.get(url, {"fields": fields}).json()
        assert [item["article"]["id"] for item in body["featured_articles"]] == [
            published.pk
        ], fields
        assert "Kol2 secret plans" not in str(body)
    assert (
        client.get(url, {"fields": "featured_articles(article(title))"}).json()[
            "featured_articles"
        ][0]["article"]["title"]
        == "Kol1 published"
    )


@pytest.fixture
def chinese_drafts(articles, creator, other_creator, member1):
    """kol1's Chinese draft, and kol2's (in review) and member1's with the same words:
    every word of each is inside a longer run of Chinese."""
    own = _draft(
        parent=articles,
        author=creator,
        title="我的通勤降噪耳机WH-9草稿",
        slug="kol1-zh-draft",
        submit=True,
    )
    rivals = [
        _draft(
            parent=articles,
            author=other_creator,
            title="对手的降噪耳机WH-9秘密计划",
            slug="kol2-zh-secret",
            submit=True,
        ),
        _draft(
            parent=articles,
            author=member1,
            title="会员的降噪耳机WH-9草稿",
            slug="member1-zh-draft",
            submit=False,
        ),
    ]
    return own, rivals


@pytest.mark.parametrize("query", ["耳机", "降噪", "WH9", "wh-9", "草稿", "秘密计划"])
def test_chinese_search_finds_own_drafts_and_never_a_rivals(
    client, creator, articles, chinese_drafts, query
):
    """Every admin search that names pages, as kol1: their own draft is found by any
    word of it (products.searchbackend), a rival's never, whatever the words."""
    own, rivals = chinese_drafts
    client.force_login(creator.user)
    explore = reverse("wagtailadmin_explore_results", args=[articles.pk])
    searches = [
        (reverse("wagtailadmin_pages:search_results"), {"q": query}),
        (explore, {"q": query}),
        (explore, {"q": query, "search_all": "1"}),
        (reverse("wagtailadmin_choose_page_search"), {"q": query}),
        (
            reverse(
                "wagtailadmin_pages:type_use_results", args=["content", "reviewpage"]
            ),
            {"q": query},
        ),
    ]
    for url, params in searches:
        text = _text(client.get(url, params))
        for rival in rivals:
            assert rival.title not in text, (url, params)
            assert rival.slug not in text, (url, params)
        assert (own.title in text) == (query != "秘密计划"), (url, params)
    found = {
        item["id"]
        for item in client.get("/admin/api/main/pages/", {"search": query}).json()[
            "items"
        ]
    }
    assert found == ({own.pk} if query != "秘密计划" else set())
