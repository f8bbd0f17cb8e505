"""SQLite FTS5: Wagtail's engine, with the terms (products.searchbackend)."""

from django.utils.functional import cached_property
from modelsearch.backends.database.sqlite import sqlite
from modelsearch.utils import get_content_type_pk

from .base import INDEXED_FIELD_TYPES, TermsIndexerMixin, TermsSearchMixin


class SQLiteObjectIndexer(TermsIndexerMixin, sqlite.ObjectIndexer):
    @cached_property
    def autocomplete(self):
        texts = [
            value
            for field in self.search_fields
            for current_field, value in self.prepare_field(self.obj, field)
            if isinstance(current_field, INDEXED_FIELD_TYPES)
        ]
        return " ".join(texts)


class SQLiteIndex(sqlite.SQLiteIndex):
    def add_items(self, model, objs):
        # modelsearch 1.3.2's SQLiteIndex.add_items, with SQLiteObjectIndexer: it
        # names its indexer class itself, so it is copied rather than extended.
        if not model.get_search_fields():
            return
        indexers = [SQLiteObjectIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        data = {
            indexer.id: {
                "title": indexer.title,
                "autocomplete": indexer.autocomplete,
                "body": indexer.body,
            }
            for indexer in indexers
        }
        entries = self.entries.filter(content_type_id=content_type_pk)
        indexed_ids = set(
            entries.filter(object_id__in=data).values_list("object_id", flat=True)
        )
        for object_id in indexed_ids:
            entries.filter(object_id=object_id).update(**data[object_id])
        self.entries.bulk_create(
            sqlite.IndexEntry(
                content_type_id=content_type_pk, object_id=object_id, **values
            )
            for object_id, values in data.items()
            if object_id not in indexed_ids
        )
        self._refresh_title_norms()


class SQLiteSearchBackend(TermsSearchMixin, sqlite.SQLiteSearchBackend):
    index_class = SQLiteIndex
