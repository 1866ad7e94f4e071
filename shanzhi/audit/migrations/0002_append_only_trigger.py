"""On PostgreSQL the audit table refuses UPDATE and DELETE at the database too (domain.md F5)."""

from django.db import migrations


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit entries are append-only';
        END;
        $$ LANGUAGE plpgsql;
        DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry;
        CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
        """
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry; DROP FUNCTION IF EXISTS audit_entry_append_only();"
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
