"""Accelerated ageing rounds up to whole days (ASTM F1980: 91.25 → 92). Catalogues seeded with 91 and not edited
since are corrected; an edited turnaround is left as the lab set it."""

from django.db import migrations


def round_up(apps, schema_editor):
    TestService = apps.get_model("labtests", "TestService")
    TestService.objects.filter(code="PKG-AGING", turnaround_days=91).update(turnaround_days=92)


class Migration(migrations.Migration):
    dependencies = [("labtests", "0002_seed_catalogue")]

    operations = [migrations.RunPython(round_up, migrations.RunPython.noop)]
