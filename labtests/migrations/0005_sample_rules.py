"""Destructive tests and the catalogue's prerequisites (accelerated ageing before seal strength and bubble leak)."""

from django.db import migrations


def seed(apps, schema_editor):
    from labtests.catalogue_data import seed_sample_rules

    seed_sample_rules(apps.get_model("labtests", "TestService"))


class Migration(migrations.Migration):
    dependencies = [("labtests", "0004_lab_workspace")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
