"""The default reminder rules, seeded by a data migration and by ``seed_demo``; idempotent, so
admins' edits to existing rules are kept."""

DEFAULT_RULES = (
    {"name": "Milestone due dates", "kind": "milestone_due", "offsets": [14, 7, 3, 1, 0], "overdue_repeat_days": 1,
     "escalate_after_days": 3, "recipient_roles": ["owner", "project_manager", "client_contacts"]},
    {"name": "Test order due dates", "kind": "test_order_due", "offsets": [14, 7, 3, 1, 0], "overdue_repeat_days": 1,
     "escalate_after_days": 2, "recipient_roles": ["owner", "project_manager", "lab_manager"]},
    {"name": "Review clocks running out", "kind": "review_clock_due", "offsets": [14, 7, 3, 1, 0],
     "overdue_repeat_days": 1, "escalate_after_days": 1, "recipient_roles": ["project_manager"]},
    {"name": "Applicant-response windows expiring", "kind": "applicant_response_due", "offsets": [14, 7, 3, 1, 0],
     "overdue_repeat_days": 0, "escalate_after_days": None, "recipient_roles": ["project_manager", "client_contacts"]},
    {"name": "Samples to return or dispose of", "kind": "sample_disposition_due", "offsets": [7, 0],
     "overdue_repeat_days": 7, "escalate_after_days": 14, "recipient_roles": ["lab_manager"]},
)  # fmt: skip


def seed_reminder_rules(rule_model=None) -> int:
    if rule_model is None:
        from .models import ReminderRule as rule_model
    created = 0
    for spec in DEFAULT_RULES:
        _, was_created = rule_model.objects.get_or_create(kind=spec["kind"], name=spec["name"], defaults=spec)
        created += was_created
    return created
