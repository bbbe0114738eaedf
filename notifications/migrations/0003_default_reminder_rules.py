from django.db import migrations


def seed(apps, schema_editor):
    from notifications.reminder_defaults import seed_reminder_rules

    seed_reminder_rules(apps.get_model("notifications", "ReminderRule"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_reminders_webhooks")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
