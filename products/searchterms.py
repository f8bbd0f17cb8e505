"""Extra search terms that full-text engines would otherwise miss.

* Chinese, Japanese and Korean text has no spaces, so an engine sees "降噪耳机评测"
  as one token and a search for "耳机" misses it. As Lucene's CJK analyzer does, every
  CJK run is indexed as its single characters and overlapping pairs ("降 噪 耳 机 评 测
  降噪 噪耳 耳机 机评 评测"), and a query's runs become their pairs.
* Model numbers such as "WH-7" or "AF.55" are split differently by PostgreSQL in a
  document and in a query. They are also indexed joined ("wh7"), and a query's model
  numbers are searched joined.
* Latin letters and digits written against Chinese ("索纳里WH-7降噪", "买iPhone15")
  are one token with it for both engines; they are also indexed on their own.

Both engines (SQLite FTS5, PostgreSQL) then agree, with no dictionary to ship.
"""

import re

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
# Not \b: Chinese characters are word characters, and "里WH-7" is still a model number.
COMPOUND = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Za-z]+(?:[-_./][0-9A-Za-z]+)+(?![0-9A-Za-z])"
)
LATIN_BESIDE_CJK = re.compile(f"(?<=[{CJK}])[0-9A-Za-z]+|[0-9A-Za-z]+(?=[{CJK}])")


def _pairs(run: str) -> list[str]:
    return [run[index : index + 2] for index in range(len(run) - 1)] or [run]


def search_index_terms(*texts: str) -> str:
    """CJK unigrams and bigrams, joined model numbers, and Latin words written against
    CJK, of ``texts``."""
    terms: list[str] = []
    for text in texts:
        text = text or ""
        for run in CJK_RUN.findall(text):
            terms.extend(run)
            if len(run) > 1:
                terms.extend(_pairs(run))
        terms.extend(
            re.sub(r"[-_./]", "", word).lower() for word in COMPOUND.findall(text)
        )
        terms.extend(word.lower() for word in LATIN_BESIDE_CJK.findall(text))
    return " ".join(terms)


def search_query(query: str) -> str:
    """A query as the index holds it: CJK runs as pairs, model numbers joined."""
    query = COMPOUND.sub(
        lambda match: re.sub(r"[-_./]", "", match.group(0)).lower(), query
    )
    query = CJK_RUN.sub(
        lambda match: " " + " ".join(_pairs(match.group(0))) + " ", query
    )
    return " ".join(query.split())
