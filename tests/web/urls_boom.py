"""The site's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from cdmo_portal.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
