from django.urls import path, re_path

from .views import accounts, clients, home, lab, notifications, projects

app_name = "web"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/password/done/", accounts.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("language/", accounts.LanguageView.as_view(), name="language"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", notifications.NotificationsReadView.as_view(), name="notifications-read"),
    path("account/notifications/", notifications.NotificationSettingsView.as_view(), name="notification-settings"),
    path("account/calendar/rotate/", notifications.CalendarFeedRotateView.as_view(), name="calendar-rotate"),
    path("calendar/<str:token>.ics", notifications.CalendarFeedView.as_view(), name="calendar-feed"),
    path("clients/", clients.ClientListView.as_view(), name="client-list"),
    re_path(r"^clients/export\.(?P<fmt>csv|xlsx)$", clients.ClientExportView.as_view(), name="client-export"),
    path("clients/new/", clients.ClientCreateView.as_view(), name="client-create"),
    path("clients/<int:pk>/", clients.ClientDetailView.as_view(), name="client-detail"),
    path("clients/<int:pk>/edit/", clients.ClientUpdateView.as_view(), name="client-edit"),
    path("clients/<int:pk>/transition/", clients.ClientTransitionView.as_view(), name="client-transition"),
    path("clients/<int:client_pk>/contacts/new/", clients.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/<int:pk>/edit/", clients.ContactUpdateView.as_view(), name="contact-edit"),
    path("clients/<int:client_pk>/devices/new/", clients.DeviceCreateView.as_view(), name="device-create"),
    path("devices/<int:pk>/edit/", clients.DeviceUpdateView.as_view(), name="device-edit"),
    path("devices/<int:pk>/classifications/", clients.DeviceClassificationsView.as_view(), name="device-classify"),
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    re_path(r"^projects/export\.(?P<fmt>csv|xlsx)$", projects.ProjectExportView.as_view(), name="project-export"),
    path("projects/new/", projects.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<int:pk>/", projects.ProjectDetailView.as_view(), name="project-detail"),
    path("milestones/<int:pk>/reschedule/", projects.MilestoneRescheduleView.as_view(), name="milestone-reschedule"),
    path("lab/", lab.LabBoardView.as_view(), name="lab-board"),
    path("lab/my-items/", lab.MyTestItemsView.as_view(), name="lab-my-items"),
    re_path(r"^lab/export\.(?P<fmt>csv|xlsx)$", lab.LabQueueExportView.as_view(), name="lab-export"),
    path("lab/orders/<int:pk>/", lab.LabOrderDetailView.as_view(), name="lab-order"),
    path("lab/orders/<int:pk>/move/", lab.LabOrderMoveView.as_view(), name="lab-move"),
    path("lab/orders/<int:pk>/intake/", lab.LabIntakeView.as_view(), name="lab-intake"),
    path("lab/orders/<int:pk>/receipt/", lab.LabReceiptView.as_view(), name="lab-receipt"),
]
