from hypothesis import given
from hypothesis import strategies as st

from products.searchterms import search_index_terms, search_query


def test_index_terms_are_characters_pairs_and_joined_model_numbers():
    assert search_index_terms("WH-7 降噪耳机") == "降 噪 耳 机 降噪 噪耳 耳机 wh7"
    assert search_index_terms("plain English") == ""
    assert search_index_terms("pour-over, AF.55 and X_1") == "pourover af55 x1"


def test_latin_written_against_chinese_is_indexed_on_its_own():
    assert (
        search_index_terms("索纳里WH-7长测") == "索 纳 里 索纳 纳里 长 测 长测 wh7 wh 7"
    )
    assert search_index_terms("买iPhone15还是") == "买 还 是 还是 iphone15"
    assert search_query("索纳里WH-7") == "索纳 纳里 wh7"


def test_query_runs_become_pairs_and_model_numbers_are_joined():
    assert search_query("索纳里 降噪耳机 WH-7") == "索纳 纳里 降噪 噪耳 耳机 wh7"
    assert search_query("耳") == "耳"
    assert search_query("kettle") == "kettle"


@given(
    st.text(alphabet="降噪耳机评测咖啡壶手冲 ab", min_size=1, max_size=30), st.data()
)
def test_every_cjk_query_drawn_from_the_text_matches_its_terms(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    indexed = set(search_index_terms(text).split())
    for term in search_query(text[start:end]).split():
        if term.isascii():
            continue
        assert term in indexed
