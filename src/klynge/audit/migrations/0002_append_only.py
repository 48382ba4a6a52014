"""
Make the audit table append-only in the database itself.

UPDATE is always refused. DELETE is refused unless maintenance is switched
on: on SQLite by a row in the table `audit_maintenance` (not a Django model,
so no app code touches it), on PostgreSQL by the session setting
`klynge.audit_maintenance = 'on'`. Maintenance is for the retention purge of
entries older than the legal period (bogføringsloven § 10: 5 years) and for
the test runner's flush, never for the app.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE TABLE IF NOT EXISTS audit_maintenance (enabled INTEGER NOT NULL)",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TABLE IF EXISTS audit_maintenance",
]
POSTGRES_UP = [
    """CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE'
            AND coalesce(current_setting('klynge.audit_maintenance', true), '') = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit entries are append-only';
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
