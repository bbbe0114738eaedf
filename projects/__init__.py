"""Client projects (issue: projects and the regulatory engine). Depends on ``clients``; never on ``milestones``."""
