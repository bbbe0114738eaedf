"""Who may open the staff pages: signed-in staff. A client user gets 404 (the staff area does not exist for
them); a signed-in user with no role gets 403; anonymous visitors are sent to the log-in page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from clients.access import access_for


class StaffRequiredMixin(LoginRequiredMixin):
    """``write_roles``: roles allowed to use the page's POST (and the edit forms); reads are open to all staff."""

    write_roles: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        access = access_for(request.user)
        if access.is_client_user:
            raise Http404
        if not access.is_staff_member:
            raise PermissionDenied
        if self.requires_write(request) and not self.can_write():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def requires_write(self, request) -> bool:
        return request.method == "POST"

    def can_write(self) -> bool:
        return bool(access_for(self.request.user).roles & self.write_roles)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = self.can_write()
        return context


class WriteFormMixin(StaffRequiredMixin):
    """A create/edit form: even its GET needs a write role."""

    def requires_write(self, request) -> bool:
        return True
