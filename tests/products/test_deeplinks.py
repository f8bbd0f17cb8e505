from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from products.deeplinks import deep_link_check, deep_link_expand, deep_link_host


@pytest.mark.parametrize(
    "template",
    [
        "{url}?subid={click_id}",
        "{url}&subid={click_id}&source=zhongcao",
        "https://go.network.example/deeplink?u={url|urlencode}&sid={click_id}",
        "{url}?relationId={tracking_id}",
        "{url}?tag={tracking_id}&subid={click_id}",
        "https://s.network.example/?u={url|urlencode}&pid={tracking_id}",
    ],
)
def test_valid_templates_pass(template):
    deep_link_check(template)


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ("{url}?subid=1", "click_id"),
        ("{url}?a={click_id}&b={click_id}", "click_id"),
        ("https://network.example/?sid={click_id}", "url"),
        ("{url}?sub={clickid}", "unknown_placeholder"),
        ("x{url}?subid={click_id}", "url_position"),
        ("https://n.example/?u={url}&sid={click_id}", "url_position"),
        ("{url}subid={click_id}", "url_suffix"),
        ("javascript:alert(1)//{url|urlencode}{click_id}", "scheme"),
        ("{url}?subid={click_id}}", "braces"),
        ("{url}?a={tracking_id}&b={tracking_id}", "tracking_id"),
        ("{url}?a={tracking_id}&b={click_id}&c={click_id}", "click_id"),
        ("https://n.example/?pid={tracking_id}", "url"),
    ],
)
def test_bad_templates_are_refused_with_a_reason(template, code):
    with pytest.raises(ValidationError) as error:
        deep_link_check(template)
    assert error.value.code == code


def test_query_template_adds_the_click_id_and_keeps_the_offer_query():
    destination = deep_link_expand(
        template="{url}?subid={click_id}",
        url="https://shop.example/item?id=42&color=red",
        click_id="abc123",
    )
    query = parse_qs(urlsplit(destination).query)
    assert destination.startswith("https://shop.example/item?")
    assert query == {"id": ["42"], "color": ["red"], "subid": ["abc123"]}


def test_query_template_replaces_a_subid_already_in_the_offer_url():
    destination = deep_link_expand(
        template="{url}?subid={click_id}",
        url="https://shop.example/item?subid=someone-else",
        click_id="mine",
    )
    assert parse_qs(urlsplit(destination).query) == {"subid": ["mine"]}


def test_network_template_wraps_the_encoded_offer_url():
    destination = deep_link_expand(
        template="https://go.network.example/deeplink?u={url|urlencode}&sid={click_id}",
        url="https://shop.example/item?id=42&x=1",
        click_id="abc",
    )
    parts = urlsplit(destination)
    assert parts.hostname == "go.network.example"
    assert parse_qs(parts.query) == {
        "u": ["https://shop.example/item?id=42&x=1"],
        "sid": ["abc"],
    }


def test_network_host():
    assert (
        deep_link_host("https://go.net.example/d?u={url|urlencode}&s={click_id}")
        == "go.net.example"
    )
    assert deep_link_host("{url}?subid={click_id}") is None


def test_a_tracking_id_is_filled_in_both_shapes():
    assert (
        deep_link_expand(
            template="{url}?relationId={tracking_id}",
            url="https://item.taobao.com/item.htm?id=1",
            click_id="c",
            tracking_id="2701",
        )
        == "https://item.taobao.com/item.htm?id=1&relationId=2701"
    )
    assert deep_link_expand(
        template="https://n.example/?u={url|urlencode}&pid={tracking_id}&s={click_id}",
        url="https://shop.example/a",
        click_id="c1",
        tracking_id="mm_1_2 3",
    ) == ("https://n.example/?u=https%3A%2F%2Fshop.example%2Fa&pid=mm_1_2%203&s=c1")
