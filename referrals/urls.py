from django.urls import path

from referrals import plan_views, views

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
    # the family's plan (issue 21)
    path("household/<int:household_pk>/plan/", plan_views.household_plan, name="household_plan"),
    path("plans/new/<int:household_pk>/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/agree/", plan_views.plan_agree, name="plan_agree"),
    path("plans/<int:pk>/goals/", plan_views.goal_add, name="goal_add"),
    path("plans/<int:pk>/interventions/", plan_views.intervention_add, name="intervention_add"),
    path(
        "plans/<int:pk>/interventions/<int:intervention_pk>/progress/",
        plan_views.intervention_progress,
        name="intervention_progress",
    ),
    path("plans/<int:pk>/visits/", plan_views.visit_add, name="visit_add"),
]
