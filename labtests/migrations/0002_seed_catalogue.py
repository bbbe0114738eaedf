"""Seed the starter catalogue of standards and test services (data in ``labtests/catalogue_data.py``)."""

from django.db import migrations


def seed(apps, schema_editor):
    from labtests.catalogue_data import seed_catalogue

    seed_catalogue(apps.get_model("labtests", "Standard"), apps.get_model("labtests", "TestService"))


class Migration(migrations.Migration):
    dependencies = [("labtests", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
