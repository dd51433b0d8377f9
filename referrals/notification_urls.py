"""The inbox. Included by slrt/urls.py at notifications/."""

from django.urls import path

from referrals import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
]
