"""RSS and Atom feeds: the site's, a tag's and a creator's; published articles only,
each in its language, with its disclosure."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from content.models import AffiliateDisclosureSettings
from tests.conftest import FOREIGN_HOST
from tests.content.reader_pages import article_add

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def feed_articles(articles, creator, other_creator, product):
    chinese = article_add(
        parent=articles,
        author=creator,
        product=product,
        title="降噪耳机评测",
        tags=["耳机"],
        language="zh-hans",
    )
    english = article_add(
        parent=articles,
        author=other_creator,
        product=product,
        title="The best kettle",
        tags=["耳机"],
        language="en",
    )
    article_add(
        parent=articles,
        author=creator,
        product=product,
        title="Secret draft",
        tags=["耳机", "draft-only"],
        publish=False,
    )
    return chinese, english


def rss_items(response) -> dict[str, ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    # Our own feed, parsed in a test: no untrusted XML.
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314
    return {item.findtext("title"): item for item in channel.findall("item")}


def atom_entries(response) -> dict[str, ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314
    return {
        entry.findtext(f"{ATOM}title"): entry for entry in root.iter(f"{ATOM}entry")
    }


def test_site_feed_lists_published_articles_in_their_languages_with_disclosures(
    client, feed_articles, public_base_url
):
    chinese, english = feed_articles
    disclosures = AffiliateDisclosureSettings.for_site(Site.objects.get())

    items = rss_items(client.get(reverse("reader:feed"), HTTP_HOST=FOREIGN_HOST))

    assert set(items) == {"降噪耳机评测", "The best kettle"}  # no draft
    zh, en = items["降噪耳机评测"], items["The best kettle"]
    assert zh.get(XML_LANG) == "zh-hans" and zh.findtext(f"{DC}language") == "zh-hans"
    assert en.get(XML_LANG) == "en"
    assert disclosures.text_zh in zh.findtext("description")
    assert disclosures.text_en in en.findtext("description")
    assert disclosures.text_zh not in en.findtext("description")
    # Absolute from the public base URL, never from the Host header.
    assert zh.findtext("link") == f"{public_base_url}{chinese.url}"
    assert en.findtext("author") is None or "kol" not in en.findtext("author")
    assert [category.text for category in zh.findall("category")] == ["耳机"]


def test_site_atom_feed(client, feed_articles, public_base_url):
    chinese, _english = feed_articles
    entries = atom_entries(client.get(reverse("reader:feed_atom")))
    assert set(entries) == {"降噪耳机评测", "The best kettle"}
    entry = entries["降噪耳机评测"]
    assert entry.get(XML_LANG) == "zh-hans"
    assert entry.find(f"{ATOM}link").get("href") == f"{public_base_url}{chinese.url}"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Lulu"
    assert "广告" in entry.findtext(f"{ATOM}summary")


def test_tag_and_creator_feeds(client, feed_articles, creator):
    tag = rss_items(client.get(reverse("reader:tag_feed", args=["耳机"])))
    assert set(tag) == {"降噪耳机评测", "The best kettle"}
    mine = atom_entries(client.get(reverse("reader:creator_feed_atom", args=["lulu"])))
    assert set(mine) == {"降噪耳机评测"}  # not the draft, not Ann's
    assert set(
        rss_items(client.get(reverse("reader:creator_feed", args=["lulu"])))
    ) == {"降噪耳机评测"}


def test_feeds_of_unknown_or_draft_only_tags_and_creators_answer_404(
    client, feed_articles, creator
):
    assert (
        client.get(reverse("reader:tag_feed", args=["draft-only"])).status_code == 404
    )
    assert client.get(reverse("reader:tag_feed", args=["nope"])).status_code == 404
    assert client.get(reverse("reader:creator_feed", args=["nope"])).status_code == 404
    creator.user.is_active = False
    creator.user.save()
    assert client.get(reverse("reader:creator_feed", args=["lulu"])).status_code == 404
    assert client.post(reverse("reader:feed")).status_code == 405


def test_pages_point_to_their_feeds(client, feed_articles):
    home = client.get("/").content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in home
    assert f'href="{reverse("reader:feed_atom")}"' in home
    tag = client.get(reverse("reader:tag", args=["耳机"])).content.decode()
    assert f'href="{reverse("reader:tag_feed", args=["耳机"])}"' in tag
    creator = client.get(reverse("reader:creator", args=["lulu"])).content.decode()
    assert f'href="{reverse("reader:creator_feed_atom", args=["lulu"])}"' in creator


def test_feed_queries_do_not_grow_with_its_length(client, articles, creator, product):
    def count() -> int:
        client.get(reverse("reader:feed"))  # site root paths and settings cached
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reader:feed")).status_code == 200
        return len(queries)

    for number in range(2):
        article_add(
            parent=articles,
            author=creator,
            product=product,
            title=f"A {number}",
            tags=["x"],
        )
    few = count()
    for number in range(5):
        article_add(
            parent=articles,
            author=creator,
            product=product,
            title=f"B {number}",
            tags=["y"],
        )
    assert count() == few
