import re

import pytest
from crawlerdetect import CrawlerDetect
from crawlerdetect.providers.crawlers import data as CRAWLER_PATTERNS
from hypothesis import given, settings
from hypothesis import strategies as st

from affiliates.tracking.crawlers import (
    CrawlerMatcher,
    crawler_matcher,
    literal_first,
    literal_prefix,
    normalized,
)

pytestmark = pytest.mark.slow

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) "
    "NetType/WIFI Language/zh_CN"
)
BROWSERS = [
    CHROME,
    WECHAT,
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile "
    "Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
]
CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile "
    "Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    # the patterns Python's re keeps: a lookahead and a \d
    "Mozilla/5.0 (compatible; YandexMetrika/2.0)",
    "Go 1.1 package http",
    "GO 1.2 PACKAGE HTTP",
    "mozilla/5.0 (compatible; yandexmetrika/2.0)",
]


def expected(user_agent: str) -> bool:
    return CrawlerDetect().is_crawler(user_agent)


@pytest.mark.parametrize("user_agent", BROWSERS)
def test_browsers_are_readers(user_agent):
    assert crawler_matcher().is_crawler(user_agent) is False
    assert expected(user_agent) is False


@pytest.mark.parametrize("user_agent", CRAWLERS)
def test_crawlers_and_link_previews_are_bots(user_agent):
    assert crawler_matcher().is_crawler(user_agent) is True
    assert expected(user_agent) is True


def test_the_lookahead_pattern_still_spares_what_it_spares():
    # "Yandex(?!Search)": Yandex's own search app is a reader, its bots are not.
    for user_agent in ("YandexSearch/23.1", "YandexBot/3.0", "Yandex"):
        assert crawler_matcher().is_crawler(user_agent) == expected(user_agent)
    assert crawler_matcher().is_crawler("YandexSearch/23.1") is False


def test_every_plain_pattern_of_the_list_answers_as_crawlerdetect_does():
    """Each pattern that is a plain string (most of the list), alone and inside a
    browser's user agent, as both matchers see it."""
    plain = [
        re.sub(r"\\(.)", r"\1", pattern)
        for pattern in CRAWLER_PATTERNS
        if not re.search(r"[\^$()\[\]|*+?{}]|\\[^/.\-]", pattern)
    ]
    assert len(plain) > 1000
    matcher = crawler_matcher()
    crawlers = 0
    for text in plain:
        for user_agent in (text, f"{CHROME} {text}", f"{text} {WECHAT}"):
            answer = matcher.is_crawler(user_agent)
            assert answer == expected(user_agent), user_agent
            crawlers += answer
    # A few plain patterns are browser tokens the exclusions strip first; the rest
    # must be found (else the comparison above proved nothing).
    assert crawlers > 0.9 * 3 * len(plain)


# Text made of pieces of real user agents, crawler names (in any case), and
# characters where RE2 and Python's re could part: Unicode digits and letters whose
# case folds to ASCII (the Kelvin sign, the long s, the dotted I), a newline.
FRAGMENTS = st.sampled_from(
    [
        "Mozilla/5.0 ",
        "(compatible; ",
        "AppleWebKit/537.36 ",
        "Safari/605.1.15",
        "Chrome/131.0 ",
        "MicroMessenger/8.0.40",
        "Googlebot",
        "GOOGLEBOT",
        "bingbot",
        "Yandex",
        "yandex",
        "YandexSearch",
        "Search",
        "spider",
        "crawl",
        "Go ",
        "1.1",
        " package http",
        " PACKAGE HTTP",
        "b0t",
        "facebookexternalhit/",
        "http://",
        ".com/",
        "١٢٣",
        "\u212a",
        "\u017f",
        "\u0130",
        "é",
        "\n",
        " ",
        ";",
        ")",
    ]
)


USER_AGENTS = st.lists(FRAGMENTS | st.text(max_size=4), max_size=12).map("".join)
ASCII_USER_AGENTS = st.lists(
    FRAGMENTS.filter(str.isascii)
    | st.text(st.characters(max_codepoint=127), max_size=4),
    max_size=16,
).map("".join)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(USER_AGENTS)
def test_any_user_agent_answers_as_crawlerdetect_does(user_agent):
    assert crawler_matcher().is_crawler(user_agent) == expected(user_agent)


@settings(max_examples=400, deadline=None)
@given(ASCII_USER_AGENTS | USER_AGENTS)
def test_browser_tokens_are_stripped_as_crawlerdetect_strips_them(user_agent):
    matcher = crawler_matcher()
    reference = matcher.exclusions.sub("", user_agent)
    if user_agent.isascii():
        reference = reference.lower()
    assert matcher.stripped(user_agent) == reference


def test_the_whole_list_goes_into_the_tries_and_ascii_is_lowercased():
    matcher = crawler_matcher()
    assert matcher.rest == []
    assert matcher.lowercase


def test_patterns_split_and_lose_what_cannot_decide_a_match():
    generic = "[a-z0-9\\-_]*(bot|crawl|spider)"
    assert normalized(generic) == ["bot", "crawl", "spider"]
    assert normalized("^Ruby|Ruby\\/[0-9]") == ["^Ruby", "Ruby\\/[0-9]"]
    assert normalized("(?:a|b)c") == ["(?:a|b)c"]
    assert normalized("(?:ab|cd)") == ["ab", "cd"]
    assert normalized("x?y*?Foo") == ["Foo"]
    # kept whole: anchored, lookarounds, possessive, a group that is not the whole
    assert normalized("^(a|b)") == ["^(a|b)"]
    assert normalized("(?!Search)x") == ["(?!Search)x"]
    assert normalized("a*+b") == ["a*+b"]
    assert normalized("a+b") == ["a+b"]
    assert normalized("(?=ab)") == ["(?=ab)"]
    assert normalized("(?P<name>ab|c)") == ["(?P<name>ab|c)"]
    assert normalized("[|]x|y") == ["[|]x", "y"]


def test_the_literal_beginning_of_a_pattern():
    assert literal_prefix("Fetch\\/[0-9]") == ("Fetch/", "[0-9]")
    assert literal_prefix("Project ?25499") == ("Project", " ?25499")
    assert literal_prefix("Yandex(?!Search)") == ("Yandex", "(?!Search)")
    assert literal_prefix("centuryb.o.t9") == ("centuryb", ".o.t9")
    assert literal_prefix("Zend\\\\Http") == ("Zend\\Http", "")
    assert literal_prefix("Go [\\d\\.]* package") == ("Go ", "[\\d\\.]* package")
    assert literal_prefix("\\d+x") == ("", "\\d+x")


def test_browser_tokens_begin_with_a_literal_where_nothing_changes():
    assert literal_first("[ ]Intel") == "\\ Intel"
    assert (
        literal_first("(like )?Gecko(.[0-9]*)?")
        == "like\\ Gecko(.[0-9]*)?|Gecko(.[0-9]*)?"
    )
    # unchanged: already literal, a branching or lazy or possessive group, a class
    # of more than one character, a negated class
    for pattern in ("Safari.[0-9]*", "(a|b)?c", "(ab)??c", "(ab)?+c", "[ab]c", "[^x]y"):
        assert literal_first(pattern) == pattern


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["(ab)?c", "[ ]a", "(b )?ab", "ab", "c[0-9]*", "(c)?"]),
        min_size=1,
        max_size=4,
    ),
    st.text(st.sampled_from(list("abc 12")), max_size=12),
)
def test_rewritten_tokens_strip_exactly_what_the_originals_strip(tokens, text):
    original = re.compile("|".join(tokens))
    rewritten = re.compile("|".join(literal_first(token) for token in tokens))
    assert rewritten.sub("", text) == original.sub("", text)


def crawlerdetect_answer(user_agent, crawlers, exclusions):
    """crawlerdetect's algorithm (CrawlerDetect._check_crawler) on any lists."""
    user_agent = user_agent.strip()
    if not user_agent:
        return False
    agent = re.compile(f"({'|'.join(exclusions)})", re.IGNORECASE).sub("", user_agent)
    if not agent:
        return False
    found = re.compile(f"({'|'.join(crawlers)})", re.IGNORECASE).search(agent)
    return found is not None and any(found.groups())


def test_a_list_with_a_character_outside_ascii_is_matched_case_insensitively():
    # The Kelvin sign matches "k" and "K" case-insensitively: no lowercase twins.
    matcher = CrawlerMatcher(crawlers=["\u212abot"], exclusions=["Mozilla"])
    assert not matcher.lowercase
    for user_agent in ("kbot", "Kbot", "\u212aBOT", "Mozilla bot"):
        assert matcher.is_crawler(user_agent) == crawlerdetect_answer(
            user_agent, ["\u212abot"], ["Mozilla"]
        )
    assert matcher.is_crawler("kbot")


def test_patterns_without_a_literal_beginning_are_matched_as_crawlerdetect_does():
    crawlers = ["^(a|b)c", "[0-9]+x", "foo"]
    matcher = CrawlerMatcher(crawlers=crawlers, exclusions=["Mozilla"])
    assert matcher.rest == ["^(a|b)c", "[0-9]+x"]
    for user_agent in ("bc", "cbc", "12x", "x", "Mozilla foo", "Mozilla"):
        assert matcher.is_crawler(user_agent) == crawlerdetect_answer(
            user_agent, crawlers, ["Mozilla"]
        ), user_agent


# Random lists of patterns that never match the empty string (as crawlerdetect's
# never do: module doc), over a small alphabet, against random text.
LETTERS = st.sampled_from(["a", "b", "B", "c", "\\/", "\\.", " ", "1"])
CLASSES = st.sampled_from(["[a-c]", "[0-9]", "[\\d\\.]", "[A-Z]", "."])


def required(pattern):
    """Atoms that always take at least one character, once or more."""
    atom = st.one_of(
        LETTERS,
        CLASSES,
        pattern.map(lambda inner: f"({inner})"),
        pattern.map(lambda inner: f"(?:{inner})"),
    )
    return st.tuples(atom, st.sampled_from(["", "", "+"])).map("".join)


def sequence(pattern):
    optional = st.tuples(
        st.one_of(LETTERS, CLASSES), st.sampled_from(["*", "?", "*?"])
    ).map("".join)
    return st.tuples(
        st.lists(optional, max_size=2),
        st.lists(required(pattern), min_size=1, max_size=3),
        st.lists(optional | required(pattern), max_size=2),
        st.sampled_from(["", "", "$", "(?!b)"]),
    ).map(lambda parts: "".join(parts[0] + parts[1] + parts[2]) + parts[3])


PATTERNS = st.recursive(
    st.lists(LETTERS, min_size=1, max_size=3).map("".join),
    lambda inner: st.lists(sequence(inner), min_size=1, max_size=3).map("|".join),
    max_leaves=6,
)
ANCHORED = st.tuples(st.sampled_from(["", "", "^"]), PATTERNS).map("".join)
TEXTS = st.text(st.sampled_from(list("abcABC/. 1x\u212a\n")), max_size=12)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.lists(ANCHORED, min_size=1, max_size=5), st.lists(TEXTS, max_size=8))
def test_any_list_of_patterns_answers_as_crawlerdetect_does(crawlers, texts):
    matcher = CrawlerMatcher(crawlers=crawlers, exclusions=["Mozilla", "x[0-9]*"])
    for text in texts:
        assert matcher.is_crawler(text) == crawlerdetect_answer(
            text, crawlers, ["Mozilla", "x[0-9]*"]
        ), (crawlers, text)
