"""The regulatory engine: pathways, milestones, submissions, review clocks (issue: projects and the regulatory
engine). Depends on ``projects`` and below."""
