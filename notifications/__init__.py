"""Reminders, in-app notifications, e-mail, webhooks: the top domain app. It subscribes to the business events the
lower apps emit (``core.events``) in ``NotificationsConfig.ready``; no lower app imports it."""
