"""Seed the regulatory pathway templates, version 1 of each (data in ``milestones/pathway_data.py``; editable
in the admin afterwards). A rule change ships as a new version in a new migration."""

from django.db import migrations


def seed(apps, schema_editor):
    from milestones.pathway_data import seed_pathways

    seed_pathways(
        apps.get_model("milestones", "PathwayTemplate"),
        apps.get_model("milestones", "MilestoneTemplate"),
        apps.get_model("milestones", "ClockTemplate"),
    )


def unseed(apps, schema_editor):
    apps.get_model("milestones", "PathwayTemplate").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("milestones", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
