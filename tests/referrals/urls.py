"""The project's URLs plus the inbox, until the lead includes it in slrt/urls.py."""

from django.urls import include, path

from slrt.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("notifications/", include("referrals.notification_urls")),
]
