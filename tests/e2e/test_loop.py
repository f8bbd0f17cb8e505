"""The product's whole loop in headless Chromium (issue 7)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from affiliates.analytics.services import rollups_refresh
from affiliates.commissions.services.conversions import merchant_connection_ensure
from affiliates.creators.services import creator_create
from affiliates.models import Click, Conversion, Payout, PayoutStatus, TrackedLink
from affiliates.templatetags.affiliates_money import money
from affiliates.tracking.runtime import tracking_runtime
from content.models import ArticleIndexPage, GuidePage
from content.services import site_structure_ensure
from products.models import Merchant, Offer, Product
from tests.conftest import guide_create
from tests.factories import EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "password"  # noqa: S105 (EditorFactory's; the creator gets the same)


@pytest.fixture
def world(live_server, live_public_base_url, merchant_server):
    site_structure_ensure()
    shop = Merchant(
        name="Local shop",
        slug="local-shop",
        website=merchant_server.url("/"),
        allowed_domains="127.0.0.1",
        currency="CNY",
        default_commission_rate=Decimal("10.00"),
        deep_link_template="{url}?subid={click_id}",
    )
    shop.full_clean()
    shop.save()
    products = []
    for number, (title, price) in enumerate(
        [("Pour-over kettle", "399.00"), ("Burr grinder", "1299.00")], start=1
    ):
        product = Product(title=title, slug=f"product-{number}", brand="Acme")
        product.full_clean()
        product.save()
        offer = Offer(
            product=product,
            merchant=shop,
            url=merchant_server.url(f"/item/{number}?color=black"),
            price=Decimal(price),
            currency="CNY",
        )
        offer.full_clean()
        offer.save()
        products.append(product)
    return {
        "url": live_server.url,
        "articles": ArticleIndexPage.objects.get(),
        "shop": shop,
        "secret": merchant_connection_ensure(merchant=shop).postback_secret,
        "products": products,
        "creator": creator_create(
            username="lulu", password=PASSWORD, public_name="Lulu", slug="lulu"
        ),
        "editor": EditorFactory(username="mei"),
    }


def admin_login(context, url: str, username: str, password: str = PASSWORD):
    """A new tab of ``context`` signed in to the admin as ``username`` (or an
    e-mail address)."""
    page = context.new_page()
    page.goto(f"{url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    return page


def field(scope, name: str):
    """A form field's wrapper in the Wagtail admin, by its content path."""
    return scope.locator(f'[data-contentpath="{name}"]')


def footer_action(page, name: str) -> None:
    """Click ``name`` in the editor's footer action menu (under "More actions")."""
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=name, exact=True).click()


def console_errors(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions as they happen."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def guide_write(page, *, url: str, articles, title: str, products) -> None:
    """The creator writes a buying guide with one pick per product, in the editor."""
    page.goto(f"{url}/admin/pages/{articles.pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    page.locator('a[href*="/add/content/guidepage/"]', has_text="Buying guide").click()
    field(page, "title").locator("input").fill(title)
    field(page, "summary").locator("textarea").fill("新手也能冲出好咖啡的两件装备。")
    field(page, "intro").locator('[contenteditable="true"]').click()
    page.keyboard.type("入门手冲，先买这两样。")
    picks = field(page, "picks")
    for number, (product, label) in enumerate(
        zip(products, ["最佳入门", "最值得升级"], strict=True)
    ):
        picks.get_by_role("button", name="Insert a block").last.click()
        pick = picks.locator("[data-streamfield-child]").nth(number)
        pick.get_by_role("button", name="Choose product").click()
        modal = page.get_by_role("dialog")
        modal.locator("[data-chooser-modal-choice]", has_text=product.title).click()
        modal.wait_for(state="hidden")
        field(pick, "label").locator("input").fill(label)
        field(pick, "reason").locator("textarea").fill(f"{product.title}: 好用。")
    footer_action(page, "Submit to Editorial review")
    # Saved and submitted, Wagtail returns to the articles section.
    page.wait_for_url(f"{url}/admin/pages/{articles.pk}/")


def test_loop(
    new_context, expect, world, merchant_server, artifacts, reader_user_agent
):
    url, kettle = world["url"], world["products"][0]
    title = "手冲咖啡入门装备"

    # 1. The creator writes a guide and submits it; the editor approves it.
    creator = admin_login(new_context(), url, "lulu")
    guide_write(
        creator,
        url=url,
        articles=world["articles"],
        title=title,
        products=world["products"],
    )
    guide = GuidePage.objects.get(title=title)
    assert not guide.live
    assert guide.current_workflow_state.status == "in_progress"
    editor = admin_login(new_context(), url, "mei")
    editor.goto(f"{url}/admin/pages/{guide.pk}/edit/")
    footer_action(editor, "Approve and Publish")
    editor.wait_for_url(f"{url}/admin/pages/{world['articles'].pk}/")
    guide.refresh_from_db()
    assert guide.live
    assert guide.author == world["creator"]
    assert [pick.value["product"] for pick in guide.picks] == world["products"]

    # 2. A reader finds it in the articles section, sees the disclosure before the
    # first buy button, buys, and lands on the shop with a click id.
    reader = new_context(user_agent=reader_user_agent).new_page()
    errors = console_errors(reader)
    reader.goto(f"{url}/")
    reader.goto(url + world["articles"].url)
    reader.get_by_role("link", name=title).first.click()
    reader.wait_for_load_state()
    assert reader.get_by_role("heading", level=1).inner_text() == title
    buy = reader.locator('a[rel~="sponsored"]')
    assert buy.count() >= 2
    for index in range(buy.count()):
        assert set(buy.nth(index).get_attribute("rel").split()) >= {
            "sponsored",
            "nofollow",
        }
    disclosure = reader.get_by_text("广告").first
    assert disclosure.is_visible()
    assert disclosure.evaluate(
        "(note, link) => Boolean("
        "note.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING)",
        buy.first.element_handle(),
    ), "the disclosure stands before the first buy button"
    reader.screenshot(path=artifacts / "e2e-article.png", full_page=True)
    assert errors == []
    buy.first.click()
    reader.wait_for_url(f"{merchant_server.base_url}/**")
    [landing] = merchant_server.landings
    assert landing.startswith("/item/1?color=black&subid=")
    click_id = merchant_server.click_id_of(landing, parameter="subid")
    assert tracking_runtime().click_buffer.flush() == 1
    click = Click.objects.get()
    assert not click.is_bot and not click.is_preview
    assert click.link.article_id == guide.pk and click.link.product == kettle

    # 3. The shop reports the purchase, signed.
    status, answer = merchant_server.postback(
        server_url=url,
        slug=world["shop"].slug,
        secret=world["secret"],
        sale={
            "order_id": "E2E-1",
            "click_id": click_id,
            "amount": "2000.00",
            "currency": "CNY",
            "status": "pending",
            "occurred_at": timezone.now().isoformat(),
        },
    )
    assert status == 200
    assert answer["attributed"] is True and answer["held"] is False
    conversion = Conversion.objects.get(order_id="E2E-1")
    assert conversion.link == click.link

    # 4. The creator sees the sale and the pending commission (10 % of 2000.00
    # CNY, 60 % of it a member's), ...
    share = money(Decimal("120.00"), "CNY")
    rollups_refresh()  # what the scheduled task does every minute
    creator = admin_login(new_context(), url, "lulu")
    summary = creator.locator("table.creator-dashboard__summary")
    for figure, value in (("Billable clicks", "1"), ("Conversions", "1")):
        row = summary.get_by_role("row").filter(
            has=creator.get_by_role("rowheader", name=figure, exact=True)
        )
        assert row.get_by_role("cell").first.inner_text().strip() == value, figure
    creator.screenshot(path=artifacts / "e2e-dashboard.png", full_page=True)
    creator.get_by_role("link", name="My earnings", exact=True).click()
    sale = creator.get_by_role("row").filter(has_text=title)
    assert kettle.title in sale.inner_text()
    assert share in sale.inner_text() and "Pending" in sale.inner_text()
    balances = creator.get_by_role("region", name="Balances")
    assert (
        balances.get_by_role("row")
        .filter(has_text="Pending")
        .filter(has_text=share)
        .count()
        == 1
    )

    # ... the hold period passes and approval runs, ...
    after_hold = timezone.now() + datetime.timedelta(
        days=world["shop"].hold_period_days + 1
    )
    out = StringIO()
    call_command("approve_commissions", "--as-of", after_hold.isoformat(), stdout=out)
    assert out.getvalue().startswith("Approved ")
    assert not out.getvalue().startswith("Approved 0 ")

    # ... the creator says how they are paid, ...
    creator.get_by_role("link", name="Payout method").click()
    creator.get_by_label("Bank account").check()
    creator.get_by_label("Account holder").fill("林小鹿")
    creator.get_by_label("Bank", exact=True).fill("招商银行 上海分行")
    creator.get_by_label("Account number").fill("6222 0212 3456 1234")
    creator.get_by_role("button", name="Save").click()
    expect(creator.get_by_text("Your payout method has been saved.")).to_be_visible()

    # ... an editor makes a payout run and marks it paid, after saying yes to what
    # will move (the account masked), ...
    editor.get_by_role("button", name="Money").click()
    editor.get_by_role("link", name="Payouts").click()
    editor.get_by_role("link", name="New payout run").click()
    editor.get_by_role("button", name="Create payout run").click()
    payouts = editor.get_by_role("region", name="Payouts")
    row = payouts.get_by_role("row").filter(has_text="lulu")
    assert share in row.inner_text()
    assert "6222 **** **** 1234" in row.inner_text()
    row.get_by_role("link", name="Mark paid").click()
    question = editor.locator("main")
    expect(question).to_contain_text("Mark the payout to Lulu paid?")
    expect(question).to_contain_text(share)
    expect(question).to_contain_text("6222 **** **** 1234")
    assert Payout.objects.get().status == PayoutStatus.OPEN  # asking pays nobody
    editor.screenshot(path=artifacts / "e2e-mark-paid.png", full_page=True)
    editor.get_by_role("button", name="Yes, mark paid").click()
    expect(row).to_contain_text("Paid")
    assert Payout.objects.get().status == PayoutStatus.PAID

    # ... and the creator sees it paid.
    creator.get_by_role("link", name="My earnings", exact=True).click()
    paid = creator.get_by_role("region", name="Payouts").get_by_role("row")
    expect(paid.filter(has_text=share).filter(has_text="Paid")).to_have_count(1)
    creator.screenshot(path=artifacts / "e2e-earnings.png", full_page=True)
    assert TrackedLink.objects.filter(article=guide, is_preview=False).count() == 2


def test_reader_pages_have_no_console_errors(new_context, world, reader_user_agent):
    """The home page and an article load without a console error or an uncaught
    exception."""
    guide = guide_create(
        parent=world["articles"],
        author=world["creator"],
        products=world["products"],
        title="Console check",
    )
    page = new_context(user_agent=reader_user_agent).new_page()
    errors = console_errors(page)
    for path in ["/", guide.url]:
        response = page.goto(world["url"] + path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert errors == [], path


def test_favicon(new_context, world):
    """Browsers ask for /favicon.ico whatever the page names: it leads to the icon."""
    response = new_context().new_page().goto(world["url"] + "/favicon.ico")
    assert response.status == 200
    assert response.url.endswith(".svg")
