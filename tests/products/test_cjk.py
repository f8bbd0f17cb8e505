from hypothesis import given
from hypothesis import strategies as st

from products.cjk import cjk_index_terms, cjk_query


def test_index_terms_are_characters_and_pairs():
    assert cjk_index_terms("WH-7 降噪耳机") == "降 噪 耳 机 降噪 噪耳 耳机"
    assert cjk_index_terms("plain English") == ""


def test_query_runs_become_pairs_and_other_words_stay():
    assert cjk_query("索纳里 降噪耳机 WH-7") == "索纳 纳里 降噪 噪耳 耳机 WH-7"
    assert cjk_query("耳") == "耳"
    assert cjk_query("kettle") == "kettle"


@given(
    st.text(alphabet="降噪耳机评测咖啡壶手冲 ab", min_size=1, max_size=30), st.data()
)
def test_every_query_drawn_from_the_text_matches_its_terms(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    indexed = set(cjk_index_terms(text).split())
    for term in cjk_query(text[start:end]).split():
        if term.isascii():
            continue
        assert term in indexed
