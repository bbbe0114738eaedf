"""The regulatory engine: pathways, milestones, submissions, review clocks. Depends on ``projects`` and below."""
