def unread_notifications(request):
    """The unread count in the page header (one query, signed-in pages only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/api/"):
        return {}
    from notifications.selectors import unread_count

    return {"unread_notifications": unread_count(user=user)}
