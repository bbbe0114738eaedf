"""The default rule for the new reminder kind: samples to return or dispose of."""

from django.db import migrations


def seed(apps, schema_editor):
    from notifications.reminder_defaults import seed_reminder_rules

    seed_reminder_rules(apps.get_model("notifications", "ReminderRule"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_notification_email"), ("labtests", "0005_sample_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
