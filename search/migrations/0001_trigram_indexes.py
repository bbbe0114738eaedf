"""Trigram indexes for the global search's containment lookups (PostgreSQL only; SQLite has no such index and
scans its small demo tables). Django's ``icontains`` compares ``UPPER(column)``, so that is what is indexed."""

from django.db import migrations

COLUMNS = [
    ("clients_client", "code"), ("clients_client", "name_zh"), ("clients_client", "name_en"),
    ("projects_project", "code"), ("projects_project", "title"),
    ("clients_device", "name_zh"), ("clients_device", "name_en"),
    ("milestones_submission", "reference_number"),
    ("labtests_testorder", "number"), ("labtests_testreport", "number"),
]  # fmt: skip


def _name(table: str, column: str) -> str:
    return f"search_{table.split('_', 1)[1]}_{column}_trgm"[:63]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {_name(table, column)} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(table, column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_device_administers_medicinal_product_and_more"),
        ("projects", "0002_project_authority_overdue"),
        ("milestones", "0010_list_filters"),
        ("labtests", "0003_ageing_rounds_up"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
