def audience(request):
    """Whether the signed-in user is a client user: error pages offer them their portal, not the staff start page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/api/"):
        return {}
    from clients.access import access_for

    return {"is_client_user": access_for(user).is_client_user}
