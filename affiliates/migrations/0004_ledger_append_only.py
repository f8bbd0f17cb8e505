"""The database itself refuses to change a ledger entry (append-only ledger).

DELETE is refused by the model and its queryset rather than by a trigger, so that a
test database can still be emptied between tests.
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER affiliates_ledgerentry_append_only
BEFORE UPDATE ON affiliates_ledgerentry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS affiliates_ledgerentry_append_only;"

POSTGRES_CREATE = """
CREATE FUNCTION affiliates_ledgerentry_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER affiliates_ledgerentry_append_only
BEFORE UPDATE ON affiliates_ledgerentry
FOR EACH ROW EXECUTE FUNCTION affiliates_ledgerentry_refuse_update();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS affiliates_ledgerentry_append_only ON affiliates_ledgerentry;
DROP FUNCTION IF EXISTS affiliates_ledgerentry_refuse_update();
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("affiliates", "0003_money")]

    operations = [migrations.RunPython(create, drop)]
