"""Root URLs: the REST API under /api/v1/ (each app contributes its own ``api/urls.py``), the schema and its
Swagger UI (served offline from drf-spectacular-sidecar), the Django admin, and the staff pages (``web``)."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.errors import api_not_found

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("clients.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("milestones.api.urls")),
    path("", include("labtests.api.urls")),
    path("", include("conversations.api.urls")),
    path("", include("search.api.urls")),
    path("", include("notifications.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no inline one.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema"), name="docs"),
    re_path(r"^(?:.*/)?$", api_not_found),  # any other path under /api/v1/ is a JSON 404 (no slash: APPEND_SLASH)
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api-v1"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("portal.urls")),
    path("", include("web.urls")),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
