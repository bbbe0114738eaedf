"""Role-based permissions for the API, declared per viewset as ``permission_map``: action → roles allowed.

``CLIENT_USER`` in a role set lets client users in; what they then see is limited by the scoping rule. For an
action on one object the check runs *after* the object was looked up in the user's scope, so another client's
object answers 404 (it does not exist for them) and only an own object the role may not touch answers 403.
"""

from rest_framework.permissions import BasePermission

from accounts.choices import STAFF_ROLES, Role

from .access import CLIENT_USER, access_for

ADMIN = frozenset({Role.ADMIN})
ADMIN_PM = frozenset({Role.ADMIN, Role.PROJECT_MANAGER})
ADMIN_PM_REGULATORY = ADMIN_PM | {Role.REGULATORY}
ALL_STAFF = STAFF_ROLES
STAFF_AND_CLIENT = STAFF_ROLES | {CLIENT_USER}


class RolePermission(BasePermission):
    def _allowed_roles(self, request, view) -> frozenset[str]:
        """``permission_map`` keys are actions, or ``"action:METHOD"`` where one action serves several methods."""
        by_method = view.permission_map.get(f"{view.action}:{request.method}")
        return frozenset(by_method if by_method is not None else view.permission_map.get(view.action, ()))

    def _is_detail(self, view) -> bool:
        lookup = view.lookup_url_kwarg or view.lookup_field
        return lookup in view.kwargs

    def has_permission(self, request, view):
        access = access_for(request.user)
        if not access.effective_roles:
            return False
        if self._is_detail(view):
            return True  # decided in has_object_permission, after the scoped lookup (404 before 403)
        return bool(access.effective_roles & self._allowed_roles(request, view))

    def has_object_permission(self, request, view, obj):
        return bool(access_for(request.user).effective_roles & self._allowed_roles(request, view))
