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
