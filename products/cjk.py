"""Search terms for Chinese, Japanese and Korean text.

Full-text engines split words at spaces and punctuation; CJK text has neither, so
"降噪耳机评测" is one token and a search for "耳机" misses it. As Lucene's CJK
analyzer does, every run of CJK characters is indexed as its single characters and
its overlapping pairs ("降 噪 耳 机 评 测 降噪 噪耳 耳机 机评 评测"), and a query's runs
become their pairs, all of which must match. No dictionary is needed, and mixed
Chinese-English text keeps its English words as they are.
"""

import re

CJK_RUN = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)


def cjk_index_terms(*texts: str) -> str:
    """The unigrams and bigrams of every CJK run in ``texts``, space-separated."""
    terms: list[str] = []
    for text in texts:
        for run in CJK_RUN.findall(text or ""):
            terms.extend(run)
            terms.extend(run[index : index + 2] for index in range(len(run) - 1))
    return " ".join(terms)


def cjk_query(query: str) -> str:
    """A query with each CJK run replaced by its bigrams (a lone character stays)."""

    def pairs(match: re.Match) -> str:
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        return (
            " "
            + " ".join(run[index : index + 2] for index in range(len(run) - 1))
            + " "
        )

    return " ".join(CJK_RUN.sub(pairs, query).split())
