"""The admin's searches in Chinese, in headless Chromium (issue 17): a creator finds a
product for a review by a Chinese word inside its name (products.searchbackend)."""

import pytest

from affiliates.creators.services import creator_create
from content.models import ArticleIndexPage
from content.services import site_structure_ensure
from products.models import Product
from tests.e2e.test_loop import PASSWORD, admin_login, field

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [1280, 360])
def test_a_creator_finds_a_product_by_a_chinese_word_in_the_chooser(
    live_server, new_context, expect, artifacts, width
):
    site_structure_ensure()
    headphones = Product.objects.create(
        title="WH-7 降噪耳机", slug="sonari-wh7", brand="Sonari"
    )
    Product.objects.create(title="手冲咖啡壶", slug="kettle", brand="Hario")
    creator_create(username="kol1", password=PASSWORD, public_name="林小鹿", slug="lu")
    articles = ArticleIndexPage.objects.get()
    page = admin_login(
        new_context(viewport={"width": width, "height": 800}), live_server.url, "kol1"
    )
    page.goto(f"{live_server.url}/admin/pages/add/content/reviewpage/{articles.pk}/")
    field(page, "product").get_by_role("button", name="Choose product").click()
    modal = page.get_by_role("dialog")
    # Each query's results differ from the previous one's, so that each expectation
    # waits for the results of its own query.
    for query, shown, hidden in (
        ("耳机", headphones.title, "手冲咖啡壶"),
        ("咖啡", "手冲咖啡壶", headphones.title),
        ("WH7", headphones.title, "手冲咖啡壶"),
    ):
        modal.get_by_role("textbox", name="Search term").fill(query)
        choices = modal.locator("[data-chooser-modal-choice]")
        expect(choices.filter(has_text=shown)).to_have_count(1)
        expect(choices.filter(has_text=hidden)).to_have_count(0)
    page.screenshot(path=str(artifacts / f"admin-product-chooser-zh-{width}.png"))
    modal.locator("[data-chooser-modal-choice]", has_text=headphones.title).click()
    modal.wait_for(state="hidden")
    expect(field(page, "product")).to_contain_text(headphones.title)
