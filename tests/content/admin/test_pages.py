"""Wagtail's page admin as Zhongcao narrows and names it (content.admin.pages)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import review_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [("en", "1-1 of 1 page", "1-2 of 2 pages"), ("zh-hans", "1 页面", "2 页面")],
)
def test_page_search_counts_its_results_as_pages(
    client, editor, articles, creator, product, language, one, two
):
    for title in ("Uniqueword one", "Uniqueword two"):
        review_create(parent=articles, author=creator, product=product, title=title)
    client.force_login(editor)
    with translation.override(language):
        for query, count in (("Uniqueword one", one), ("Uniqueword", two)):
            response = client.get(
                reverse("wagtailadmin_pages:search_results"),
                {"q": query},
                headers={"accept-language": language},
            )
            text = re.sub(r"\s+", " ", response.content.decode())
            assert "None" not in text
            assert count in text
