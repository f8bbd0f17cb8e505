"""Price claims in an article's text: finding them (Chinese and English) and which
product embeds they are near. Pure text: checking a claim against the price history
is ``content.gate.selectors``' business.

What counts as a claim
    ``LOWEST_EVER``: 史低, 历史最低, 历史低价, 最低价, 新低 (only with a price word in
    the same clause: 到手价创新低 is a claim, 噪音降到新低 is not), "lowest price
    ever", "lowest-ever price", "all-time low", "best price ever".
    ``CHEAPEST``: 全网最低 (also 全网最低价), "cheapest".
    English phrases match whole words ("cheapest" never matches inside a longer
    word); case does not matter.

What does not
    A negated claim: a negation (不是, 并非, 不算, 算不上, 称不上, 不一定, 没, 未, 非;
    not, n't, never, no, hardly, far from) earlier in the same clause, at most a
    few words before the claim: 不是史低, 这不是全网最低, "not the cheapest",
    "isn't the lowest price ever" (不仅是史低, "not only", stays a claim). Words
    that merely resemble a claim do not match, since every English claim is a whole
    phrase: "lowest setting", "cheaper", "cheapest-looking".

Where a claim is "near" a product (CLAIM_NEAR_RULE)
    A claim is near the products of the block it is written in (a product card's
    note, a pick's label and reason, a grid's title, a comparison table's caption
    and rows), and near the products of the block immediately before and
    immediately after a text block (text, heading, quote, pros and cons) in the
    same StreamField. A review's summary and verdict are near the reviewed product.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from html import unescape

from django.utils.html import strip_tags


class ClaimKind(StrEnum):
    LOWEST_EVER = "lowest_ever"
    CHEAPEST = "cheapest"


@dataclass(frozen=True)
class Claim:
    """One price claim found in a text: what it claims and the words that say it."""

    kind: ClaimKind
    text: str
    clause: str


# The longest phrase first: 全网最低价 is one CHEAPEST claim, not also a 最低价.
_CHINESE = [
    (ClaimKind.CHEAPEST, r"全网最低价?"),
    (ClaimKind.LOWEST_EVER, r"历史最低价?"),
    (ClaimKind.LOWEST_EVER, r"历史低价"),
    (ClaimKind.LOWEST_EVER, r"史低价?"),
    (ClaimKind.LOWEST_EVER, r"最低价"),
    (ClaimKind.LOWEST_EVER, r"新低价?"),
]
_ENGLISH = [
    (ClaimKind.LOWEST_EVER, r"\blowest[- ]ever price\b"),
    (ClaimKind.LOWEST_EVER, r"\blowest price (?:ever|of all time)\b"),
    (ClaimKind.LOWEST_EVER, r"\ball[- ]time low\b"),
    (ClaimKind.LOWEST_EVER, r"\bbest price ever\b"),
    (ClaimKind.CHEAPEST, r"\bcheapest\b(?!-)"),
]
_PATTERN = re.compile(
    "|".join(
        f"(?P<{kind.value}_{number}>{pattern})"
        for number, (kind, pattern) in enumerate(_CHINESE + _ENGLISH)
    ),
    re.IGNORECASE,
)

_BLOCK_END = re.compile(r"</(?:p|li|h\d|blockquote)>|<br\s*/?>", re.IGNORECASE)
# A clause ends at sentence or clause punctuation (Chinese and Western).
_CLAUSE_END = re.compile(r"[。！？；，、\n!?;,:：]|\.(?!\d)")
# Negations, looked for in the few characters before a claim in its clause.
_CHINESE_NEGATION = re.compile(
    r"不是|并非|不算|算不上|称不上|不一定|没有?|未(?!来)|非(?!常)|不(?![仅但止错少过])"
)
_ENGLISH_NEGATION = re.compile(
    r"\b(not|never|no|hardly|isn't|wasn't|aren't|weren't|ain't|far from|\w+n't)\b",
    re.IGNORECASE,
)
NEGATION_WINDOW_CHINESE = 6  # characters
NEGATION_WINDOW_ENGLISH = 4  # words
# 新低 says nothing of a price without a price word in its clause.
_PRICE_WORD = re.compile(r"[价元¥￥]|到手|price", re.IGNORECASE)


def _clause_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The clause of ``text`` holding ``text[start:end]``, and where it begins."""
    begin = 0
    for match in _CLAUSE_END.finditer(text, 0, start):
        begin = match.end()
    finish = _CLAUSE_END.search(text, end)
    return text[begin : finish.start() if finish else len(text)], begin


def _negated(before: str) -> bool:
    if _CHINESE_NEGATION.search(before[-NEGATION_WINDOW_CHINESE:]):
        return True
    words = before.split()[-NEGATION_WINDOW_ENGLISH:]
    return bool(_ENGLISH_NEGATION.search(" ".join(words)))


def claims_find(*, text: str) -> list[Claim]:
    """The price claims of ``text`` (plain text or HTML), in order, leaving out the
    negated ones and 新低 without a price word in its clause."""
    if "<" in text:
        # Paragraphs and list items end clauses, as their punctuation would.
        text = unescape(strip_tags(_BLOCK_END.sub("\n", text)))
    claims = []
    for match in _PATTERN.finditer(text):
        kind = ClaimKind(match.lastgroup.rsplit("_", 1)[0])
        clause, begin = _clause_around(text, match.start(), match.end())
        if _negated(text[begin : match.start()]):
            continue
        if match.group().startswith("新低") and not _PRICE_WORD.search(clause):
            continue
        claims.append(Claim(kind=kind, text=match.group(), clause=clause.strip()))
    return claims
