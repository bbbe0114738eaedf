from django.urls import path

from .views import account, pages

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
]
