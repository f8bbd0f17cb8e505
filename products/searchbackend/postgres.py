"""PostgreSQL: Wagtail's engine, with the terms (products.searchbackend)."""

from django.utils.functional import cached_property
from modelsearch.backends.database.postgres import postgres
from modelsearch.utils import get_content_type_pk

from .base import INDEXED_FIELD_TYPES, TermsIndexerMixin, TermsSearchMixin


class PostgresObjectIndexer(TermsIndexerMixin, postgres.ObjectIndexer):
    @cached_property
    def autocomplete(self):
        texts = [
            (value, weight)
            for field in self.search_fields
            for current_field, weight, value in self.prepare_field(self.obj, field)
            if isinstance(current_field, INDEXED_FIELD_TYPES)
        ]
        return self.as_vector(texts, for_autocomplete=True)


class PostgresIndex(postgres.PostgresIndex):
    def add_items(self, model, objs):
        # modelsearch 1.3.2's PostgresIndex.add_items, with PostgresObjectIndexer: it
        # names its indexer class itself, so it is copied rather than extended.
        if not model.get_search_fields():
            return
        indexers = [PostgresObjectIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        compiler = postgres.InsertQuery(postgres.IndexEntry).get_compiler(
            connection=self.write_connection
        )
        rows_sql = []
        params = []
        for indexer in indexers:
            params.extend((content_type_pk, indexer.id))
            vectors_sql = []
            for column in ("title", "autocomplete", "body"):
                value = compiler.prepare_value(
                    postgres.IndexEntry._meta.get_field(column),
                    getattr(indexer, column),
                )
                sql, value_params = value.as_sql(compiler, self.write_connection)
                vectors_sql.append(sql)
                params.extend(value_params)
            params.extend((indexer.title_text, indexer.body_text))
            rows_sql.append(f"(%s, %s, {', '.join(vectors_sql)}, 1.0, %s, %s)")
        table = postgres.IndexEntry._meta.db_table
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (content_type_id, object_id, title, autocomplete,
                                     body, title_norm, title_text, body_text)
                (VALUES {", ".join(rows_sql)})
                ON CONFLICT (content_type_id, object_id)
                DO UPDATE SET title = EXCLUDED.title,
                              title_norm = 1.0,
                              autocomplete = EXCLUDED.autocomplete,
                              body = EXCLUDED.body,
                              title_text = EXCLUDED.title_text,
                              body_text = EXCLUDED.body_text
                """,  # noqa: S608 (the table's name is the model's; values are parameters)
                params,
            )
        self._refresh_title_norms()


class PostgresSearchBackend(TermsSearchMixin, postgres.PostgresSearchBackend):
    index_class = PostgresIndex
