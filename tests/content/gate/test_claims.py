"""Price claims found in text, Chinese and English, and the ones that must not be
(content.gate.claims)."""

import pytest

from content.gate.claims import ClaimKind, claims_find

LOWEST = ClaimKind.LOWEST_EVER
CHEAPEST = ClaimKind.CHEAPEST


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("这款耳机现在史低，冲！", [(LOWEST, "史低")]),
        ("618 历史最低价，手慢无", [(LOWEST, "历史最低价")]),
        ("目前是历史低价", [(LOWEST, "历史低价")]),
        ("京东全网最低价", [(CHEAPEST, "全网最低价")]),
        ("这是今年的最低价", [(LOWEST, "最低价")]),
        ("到手价创新低", [(LOWEST, "新低")]),
        ("不仅是史低，还送耳机", [(LOWEST, "史低")]),
        ("The lowest price ever, grab it.", [(LOWEST, "lowest price ever")]),
        ("Its lowest-ever price.", [(LOWEST, "lowest-ever price")]),
        ("It is at an all-time low today.", [(LOWEST, "all-time low")]),
        ("Best price ever on Amazon.", [(LOWEST, "Best price ever")]),
        ("The cheapest we found.", [(CHEAPEST, "cheapest")]),
        ("CHEAPEST at ¥199.00 today", [(CHEAPEST, "CHEAPEST")]),
        ("<p>好价</p><p>史低，<b>冲</b></p>", [(LOWEST, "史低")]),
    ],
)
def test_claims_are_found(text, found):
    assert [(claim.kind, claim.text) for claim in claims_find(text=text)] == found


@pytest.mark.parametrize(
    "text",
    [
        "不是史低，别急着买",
        "这并非历史最低",
        "这个价格不算史低",
        "算不上全网最低",
        "不一定是最低价",
        "还没到史低",
        "噪音降到新低",
        "电池续航创新低",
        "It is not the cheapest, but it is the best.",
        "This isn't the lowest price ever.",
        "Never the cheapest.",
        "It is far from the cheapest option.",
        "Use the lowest setting for quiet rooms.",
        "Cheaper than last year.",
        "A cheapest-looking plastic shell.",
        "The all-timer lows of the market",
        "lowest price",
    ],
)
def test_negated_or_unrelated_words_are_not_claims(text):
    assert claims_find(text=text) == []


def test_a_claim_keeps_its_clause_and_a_negation_stays_in_its_clause():
    claims = claims_find(text="上周不是这个价，今天史低。")
    assert [(claim.text, claim.clause) for claim in claims] == [("史低", "今天史低")]
    claims = claims_find(text="Not cheap last week; now the cheapest.")
    assert [claim.clause for claim in claims] == ["now the cheapest"]


def test_a_price_with_decimals_does_not_end_a_clause():
    claims = claims_find(text="$19.99 is not the cheapest")
    assert claims == []
