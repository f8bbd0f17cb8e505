"""Crawlers and link-preview fetchers by crawlerdetect's list, matched quickly.

crawlerdetect's list is ~1,500 crawler patterns (most of them plain names) and ~50
browser tokens (``Mozilla/5.0``, ``Safari/605.1.15``…) that it strips from a user
agent first. It joins the crawler patterns into one alternation for Python's
``re``, which tries every alternative at every position of the user agent: ~1 ms
per user agent it has not seen, more than the rest of a click several times over
(``make bench`` with a new browser build in every user agent: /go/ at 0.24 of the
bare 302's throughput). The answers here are crawlerdetect's; the work is less:

- **A trie.** The crawler patterns become one regular expression shaped as a trie
  of their literal beginnings (``goo(?:gle...|...)``), each pattern's remainder
  (``[0-9]+``, ``(?!Search)``) hanging off where its literal part ends; patterns
  anchored with ``^`` make a second trie tried at the start only. At each position
  ``re`` now follows one path of the trie instead of trying ~1,500 alternatives.
- **Lowercase ASCII.** A user agent that is ASCII (nearly all: HTTP headers are
  Latin-1 at best) is lowercased and matched by case-sensitive twins of both
  regular expressions (their letters lowercased; the remainders keep their
  case-insensitivity in ``(?i:...)``). Case-sensitive, ``re`` can skip the
  positions no pattern can start at; on ASCII text the answer is the same. Any
  other user agent gets the case-insensitive ones.
- **Browser tokens** keep crawlerdetect's order (which token wins at a position
  decides what is stripped); their lowercase twin only rewrites the two that do not
  begin with a literal so that they do (``literal_first``), which lets ``re`` skip
  positions there too.

Together ~15 µs for a new user agent instead of ~1 ms. Why the matching is exactly
crawlerdetect's:

- A pattern splits at a ``|`` outside brackets, and a group around a whole pattern
  unwraps: an alternation matches somewhere exactly when one of its branches does.
- An unanchored pattern's leading ``X*`` or ``X?`` is dropped: ``X*T`` matches
  somewhere exactly when ``T`` does.
- crawlerdetect calls a user agent a crawler when its first match is not empty. A
  pattern with a literal beginning never matches the empty string, so for the
  patterns in a trie "not empty" is "any match". Patterns left without a literal
  beginning (none in crawlerdetect 0.4.2: ``rest`` is empty, which the tests check)
  are matched as crawlerdetect matches them, alone: exact too as long as none of
  them can match the empty string.

tests/affiliates/tracking/test_crawlers.py holds the matcher to crawlerdetect's own answers.
"""

import functools
import re
from dataclasses import dataclass, field

from crawlerdetect.providers.crawlers import data as CRAWLER_PATTERNS
from crawlerdetect.providers.exclusions import data as EXCLUSION_PATTERNS

QUANTIFIERS = frozenset("?*+{")
METACHARACTERS = frozenset("^$()[]|*+?{}.\\")
# Escapes whose meaning lowercasing the pattern's text would change: \D, \W...,
# and characters named by their code (\x41 is "A"; \1 a backreference).
_CASED_ESCAPE = re.compile(r"\\[A-Zxu0-9]")


def literal_prefix(pattern: str) -> tuple[str, str]:
    """``pattern`` as (the literal text it starts with, the regular expression
    after it): ``Fetch\\/[0-9]`` is ("Fetch/", "[0-9]")."""
    literal: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and not pattern[i + 1].isalnum():
            char, after = pattern[i + 1], i + 2
        elif char in METACHARACTERS:
            break
        else:
            after = i + 1
        if after < len(pattern) and pattern[after] in QUANTIFIERS:
            break  # the quantifier applies to this character
        literal.append(char)
        i = after
    return "".join(literal), pattern[i:]


def _atom_end(pattern: str, start: int) -> int:
    """Where the atom at ``start`` ends: a bracketed class, a group, an escape or a
    character. -1 if the pattern ends unbalanced."""
    if pattern[start] == "\\":
        return start + 2
    if pattern[start] == "[":
        i = start + 1
        if i < len(pattern) and pattern[i] == "^":
            i += 1
        if i < len(pattern) and pattern[i] == "]":
            i += 1  # a "]" first in a class is a character
        while i < len(pattern) and pattern[i] != "]":
            i += 2 if pattern[i] == "\\" else 1
        return i + 1 if i < len(pattern) else -1
    if pattern[start] == "(":
        depth, i = 0, start
        while i < len(pattern):
            if pattern[i] == "\\":
                i += 2
                continue
            if pattern[i] == "[":
                i = _atom_end(pattern, i)
                if i < 0:
                    return -1
                continue
            depth += {"(": 1, ")": -1}.get(pattern[i], 0)
            i += 1
            if depth == 0:
                return i
        return -1
    return start + 1


def _top_level_branches(pattern: str) -> list[str]:
    """``pattern`` cut at each ``|`` outside brackets and groups."""
    branches, start, i = [], 0, 0
    while i < len(pattern):
        if pattern[i] == "|":
            branches.append(pattern[start:i])
            start = i = i + 1
            continue
        end = _atom_end(pattern, i)
        if end < 0:
            return [pattern]
        i = end
    branches.append(pattern[start:])
    return branches


def normalized(pattern: str) -> list[str]:
    """Patterns that together match somewhere exactly when ``pattern`` does, each
    with the longest literal beginning these rules give (module doc)."""
    branches = _top_level_branches(pattern)
    if len(branches) > 1:
        return [part for branch in branches for part in normalized(branch)]
    if not pattern or pattern.startswith("^"):
        return [pattern]
    end = _atom_end(pattern, 0)
    if end < 0:
        return [pattern]
    # a group around the whole pattern (not a lookaround or a flag)
    if (
        end == len(pattern)
        and pattern.startswith("(")
        and (not pattern.startswith("(?") or pattern.startswith("(?:"))
    ):
        return normalized(pattern[3 if pattern.startswith("(?:") else 1 : -1])
    # a leading X* or X? (greedy or lazy)
    if end < len(pattern) and pattern[end] in "*?":
        rest = pattern[end + 1 :]
        if rest.startswith("?"):  # lazy: the same matches somewhere
            rest = rest[1:]
        elif rest.startswith("+"):  # possessive: it may take what T needs
            return [pattern]
        if rest:
            return normalized(rest)
    return [pattern]


def literal_first(pattern: str) -> str:
    """``pattern`` beginning with a literal character where that changes neither
    what it matches nor the order it tries things in (which decides what an
    alternation strips): ``[ ]Intel`` is `` Intel``; ``(like )?Gecko`` is
    ``like Gecko|Gecko`` (a greedy ``?`` tries with its group first, as the
    alternation tries its first branch first). When every branch of an alternation
    begins with a literal, ``re`` skips the positions none can start at."""
    end = _atom_end(pattern, 0) if pattern else -1
    if end < 0:
        return pattern
    if pattern[0] == "[" and end == 3 and pattern[1] not in "^\\]":
        return re.escape(pattern[1]) + pattern[end:]
    if (
        pattern[0] == "("
        and not pattern.startswith("(?")
        and pattern[end : end + 1] == "?"
        and pattern[end + 1 : end + 2] not in ("?", "+")
    ):
        group, rest = pattern[1 : end - 1], pattern[end + 1 :]
        literal, tail = literal_prefix(group)
        if literal and not tail and len(_top_level_branches(group)) == 1:
            return f"{re.escape(literal)}{rest}|{literal_first(rest)}"
    return pattern


@dataclass
class _Node:
    children: dict[str, "_Node"] = field(default_factory=dict)
    tails: list[str] = field(default_factory=list)
    # a whole literal pattern ends here: matching this far is a match
    end: bool = False


def _trie_pattern(node: _Node, *, lowercase: bool) -> str:
    if node.end:
        return ""
    branches = [
        re.escape(char) + _trie_pattern(child, lowercase=lowercase)
        for char, child in sorted(node.children.items())
    ]
    branches += [f"(?i:{tail})" if lowercase else f"(?:{tail})" for tail in node.tails]
    if len(branches) == 1 and not node.tails:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


class _Trie:
    def __init__(self) -> None:
        self.root = _Node()
        self.empty = True

    def add(self, literal: str, tail: str) -> None:
        node = self.root
        # Under IGNORECASE an ASCII letter and its capital match the same text.
        for char in literal.lower() if literal.isascii() else literal:
            node = node.children.setdefault(char, _Node())
        if tail:
            node.tails.append(tail)
        else:
            node.end = True
        self.empty = False

    def compile(self, *, lowercase: bool) -> re.Pattern | None:
        if self.empty:
            return None
        pattern = _trie_pattern(self.root, lowercase=lowercase)
        return re.compile(pattern, 0 if lowercase else re.IGNORECASE)


class CrawlerMatcher:
    """crawlerdetect's ``is_crawler``, stateless (one for all threads) and fast."""

    def __init__(
        self,
        crawlers: list[str] = CRAWLER_PATTERNS,
        exclusions: list[str] = EXCLUSION_PATTERNS,
    ) -> None:
        anywhere, at_start = _Trie(), _Trie()
        self.rest: list[str] = []
        for pattern in crawlers:
            for part in normalized(pattern):
                trie = at_start if part.startswith("^") else anywhere
                literal, tail = literal_prefix(part.removeprefix("^"))
                if literal:
                    trie.add(literal, tail)
                else:
                    self.rest.append(part)
        self.anywhere = anywhere.compile(lowercase=False)
        self.at_start = at_start.compile(lowercase=False)
        self.rest_pattern = (
            re.compile("(" + "|".join(self.rest) + ")", re.IGNORECASE)
            if self.rest
            else None
        )
        joined = "|".join(exclusions)
        self.exclusions = re.compile(joined, re.IGNORECASE)
        # The lowercase twins. Lowercasing a pattern's text keeps its meaning on
        # lowercase ASCII text unless an escape names a class or a character by a
        # letter or a number, or a character outside ASCII could match ASCII text
        # case-insensitively (the Kelvin sign matches "k"): then there are none.
        self.lowercase = (
            all(pattern.isascii() for pattern in crawlers)
            and joined.isascii()
            and not _CASED_ESCAPE.search(joined)
        )
        if self.lowercase:
            self.ascii_anywhere = anywhere.compile(lowercase=True)
            self.ascii_at_start = at_start.compile(lowercase=True)
            self.ascii_exclusions = re.compile(
                "|".join(literal_first(pattern) for pattern in exclusions).lower()
            )

    def stripped(self, user_agent: str) -> str:
        """crawlerdetect's ``exclusions.sub("", user_agent)``; lowercase when the
        user agent is ASCII (matched by the lowercase twins)."""
        if self.lowercase and user_agent.isascii():
            return self.ascii_exclusions.sub("", user_agent.lower())
        return self.exclusions.sub("", user_agent)

    def is_crawler(self, user_agent: str) -> bool:
        user_agent = user_agent.strip()
        agent = self.stripped(user_agent)
        if not agent:
            return False
        if self.lowercase and user_agent.isascii():
            anywhere, at_start = self.ascii_anywhere, self.ascii_at_start
        else:
            anywhere, at_start = self.anywhere, self.at_start
        if at_start is not None and at_start.match(agent):
            return True
        if anywhere is not None and anywhere.search(agent):
            return True
        if self.rest_pattern is not None:
            match = self.rest_pattern.search(agent)
            return match is not None and bool(match.group(1))
        return False


@functools.cache
def crawler_matcher() -> CrawlerMatcher:
    """The process's matcher, built on first use."""
    return CrawlerMatcher()
