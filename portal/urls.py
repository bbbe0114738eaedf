from django.urls import path

from .views import account, integrations, pages

app_name = "portal"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("projects/<int:pk>/", pages.ProjectView.as_view(), name="project"),
    path("requests/", pages.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/answer/", pages.RequestAnswerView.as_view(), name="request-answer"),
    path("orders/", pages.OrderListView.as_view(), name="orders"),
    path("orders/<int:pk>/", pages.OrderView.as_view(), name="order"),
    path("talk/<str:kind>/<int:pk>/comment/", pages.CommentView.as_view(), name="comment"),
    path("talk/<str:kind>/<int:pk>/upload/", pages.UploadView.as_view(), name="upload"),
    path("notifications/", pages.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", pages.NotificationsReadView.as_view(), name="notifications-read"),
    path("account/", account.AccountView.as_view(), name="account"),
    path("account/calendar/rotate/", account.CalendarRotateView.as_view(), name="calendar-rotate"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password-change"),
    path("welcome/<uidb64>/<token>/", account.WelcomeView.as_view(), name="welcome"),
    path("integrations/", integrations.IntegrationsView.as_view(), name="integrations"),
    path("integrations/webhooks/<int:pk>/", integrations.WebhookView.as_view(), name="webhook"),
    path("integrations/webhooks/<int:pk>/rotate/", integrations.WebhookRotateView.as_view(), name="webhook-rotate"),
    path("integrations/webhooks/<int:pk>/delete/", integrations.WebhookDeleteView.as_view(), name="webhook-delete"),
    path("integrations/deliveries/<int:pk>/resend/", integrations.DeliveryResendView.as_view(), name="delivery-resend"),
    path("integrations/tokens/", integrations.TokenCreateView.as_view(), name="token-create"),
    path("integrations/tokens/<str:key>/revoke/", integrations.TokenRevokeView.as_view(), name="token-revoke"),
]
