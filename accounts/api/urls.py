from django.urls import path

from .views import TokenCreateApi, TokenRevokeApi

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="auth-token"),
    path("auth/logout/", TokenRevokeApi.as_view(), name="auth-logout"),
]
