"""Client projects. Depends on ``clients``; never on ``milestones``."""
