"""The search backend: Wagtail's database backend (SQLite FTS5 or PostgreSQL) that finds
Chinese words and model numbers everywhere (settings.WAGTAILSEARCH_BACKENDS).

Every search goes through it: the reader site's and the API's, and every search of
the Wagtail admin (page search and listings, snippet listings, the page, snippet,
image and document choosers), which call ``autocomplete``. So:

* Every text indexed, of every indexed model, also carries its search terms
  (products.searchterms: CJK characters and pairs, joined model numbers), and every
  query, whole-word or autocomplete, is turned into those terms: "耳机" finds
  "WH-7 降噪耳机", "WH7" finds "WH-7".
* The autocomplete column holds what the search columns hold as well as the
  model's AutocompleteFields, so the admin finds an object by what the reader's
  search finds it by (a product by its description or tags, an article by its
  body), while the word being typed still matches as a prefix.

What is indexed is written when an object is saved (Wagtail's signal handlers, as a
background task) and by ``manage.py update_index``, which a change to this module
needs once (docs/admin.md, "Search"). Each engine's module is imported only on its
own database: modelsearch defines the SQLite index's model only on SQLite.
"""

from django.db import connection
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks up in a backend module)
    """The backend for the default database: Wagtail's choice of engine, with terms."""
    if connection.vendor == "postgresql":
        from .postgres import PostgresSearchBackend

        return PostgresSearchBackend(params)
    backend = DatabaseSearchBackend(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite import sqlite

        if isinstance(backend, sqlite.SQLiteSearchBackend):  # FTS5 is available
            from .sqlite import SQLiteSearchBackend

            return SQLiteSearchBackend(params)
    # Other engines (MySQL, SQLite without FTS5) are not supported by Zhongcao.
    return backend
