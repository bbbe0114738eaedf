"""Seed version 2 of every pathway template (data in ``milestones/pathway_data.py``, ``PATHWAYS_V2``): the
corrections of a review against the rules. Projects planned on version 1 keep it."""

from django.db import migrations


def seed(apps, schema_editor):
    from milestones.pathway_data import seed_pathways_v2

    seed_pathways_v2(
        apps.get_model("milestones", "PathwayTemplate"),
        apps.get_model("milestones", "MilestoneTemplate"),
        apps.get_model("milestones", "ClockTemplate"),
    )


def unseed(apps, schema_editor):
    PathwayTemplate = apps.get_model("milestones", "PathwayTemplate")
    PathwayTemplate.objects.filter(version=2, submissions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("milestones", "0007_pathway_v2_fields")]

    operations = [migrations.RunPython(seed, unseed)]
