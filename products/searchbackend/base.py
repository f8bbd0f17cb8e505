"""What both engines share: queries turned into the index's terms, and every indexed
text carrying its terms (products.searchterms)."""

from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from modelsearch.query import And, Boost, MatchAll, Not, Or, Phrase, PlainText

from ..searchterms import search_index_terms, search_query

# What the autocomplete column holds: the model's search fields and its autocomplete
# fields.
INDEXED_FIELD_TYPES = (SearchField, AutocompleteField)
# What a query with no terms (only double quotes, say) finds: nothing, through the
# engine's own path, which knows the model searched (Wagtail's listings need it).
NOTHING = Not(MatchAll())


# A query's first terms only: the engines build one clause a term, SQLite's
# recursively (a few thousand terms, a long Chinese paste say, were a RecursionError,
# a 500).
MAX_QUERY_TERMS = 32


def _terms(text: str) -> str:
    # modelsearch writes each SQLite FTS5 term inside double quotes without escaping
    # one inside it: 'a"b' would be a syntax error (a 500 on every search box). Both
    # engines' tokenisers split words at a double quote anyway. A NUL byte ends
    # SQLite's query early ("unterminated string") and PostgreSQL refuses it in text:
    # a 500 too.
    text = text.replace('"', " ").replace("\x00", " ")
    return " ".join(search_query(text).split()[:MAX_QUERY_TERMS])


def query_terms(query):
    """``query`` (a string or a search query object) as the index holds it."""
    if isinstance(query, str):
        return _terms(query) or NOTHING
    if isinstance(query, PlainText):
        terms = _terms(query.query_string)
        if not terms:
            return NOTHING
        return PlainText(terms, operator=query.operator, boost=query.boost)
    if isinstance(query, Phrase):
        terms = _terms(query.query_string)
        return Phrase(terms) if terms else NOTHING
    if isinstance(query, (And, Or)):
        return type(query)([query_terms(subquery) for subquery in query.subqueries])
    if isinstance(query, Not):
        return Not(query_terms(query.subquery))
    if isinstance(query, Boost):
        return Boost(query_terms(query.subquery), query.boost)
    return query  # MatchAll, Fuzzy


def _with_terms(text: str) -> str:
    terms = search_index_terms(text)
    return f"{text} {terms}" if terms else text


class TermsIndexerMixin:
    """An ObjectIndexer whose every text carries its search terms."""

    def prepare_field(self, obj, field):
        if isinstance(field, RelatedFields):
            # The related object's fields come back through this method.
            yield from super().prepare_field(obj, field)
            return
        for *field_and_weight, value in super().prepare_field(obj, field):
            yield (*field_and_weight, _with_terms(value))


class TermsSearchMixin:
    """A backend whose every query is turned into the index's terms."""

    def search(self, query, model_or_queryset, *args, **kwargs):
        return super().search(query_terms(query), model_or_queryset, *args, **kwargs)

    def autocomplete(self, query, model_or_queryset, *args, **kwargs):
        return super().autocomplete(
            query_terms(query), model_or_queryset, *args, **kwargs
        )
