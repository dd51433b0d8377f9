from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("queue/", views.queue, name="queue"),
    path("queue/assign/", views.assign, name="assign"),
    path("metrics/", views.metrics, name="metrics"),
    path("household/<int:household_pk>/", views.household_referrals, name="household_referrals"),
    path("new/<int:household_pk>/", views.referral_create, name="referral_create"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/transition/", views.referral_transition, name="referral_transition"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/follow-up/", views.complaint_follow_up, name="complaint_follow_up"),
]
