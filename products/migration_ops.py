"""Migration operations shared by the apps' migrations."""

from django.db import migrations

from products.encryption import text_decrypt, text_encrypt


def _column_rewrite(app_label: str, model_name: str, field: str, convert):
    def rewrite(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(model._meta.get_field(field).column)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            for pk, value in rows:
                if value:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                        [convert(value), pk],
                    )

    return rewrite


def EncryptColumn(app_label: str, model_name: str, field: str):  # noqa: N802
    """Encrypt a text column's existing values in place (and decrypt on reverse):
    the data step after a field becomes an EncryptedTextField. Raw SQL, since the
    field itself would try to decrypt the plain values it reads."""
    return migrations.RunPython(
        _column_rewrite(app_label, model_name, field, text_encrypt),
        _column_rewrite(app_label, model_name, field, text_decrypt),
    )
