from django.urls import path

from households import (
    assessment_views,
    break_glass_views,
    export_views,
    import_views,
    move_views,
    views,
)

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("export/", export_views.household_export, name="household_export"),
    path("new/", views.household_create, name="household_create"),
    path("emergency/", break_glass_views.break_glass_request, name="break_glass_request"),
    path(
        "emergency/review/",
        break_glass_views.break_glass_review_list,
        name="break_glass_review_list",
    ),
    path(
        "emergency/review/<int:pk>/",
        break_glass_views.break_glass_review,
        name="break_glass_review",
    ),
    path("moves/", move_views.move_review_list, name="move_review_list"),
    path("moves/<int:pk>/decide/", move_views.move_decide, name="move_decide"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_upload, name="import_upload"),
    path("imports/template/", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/families/", import_views.import_families, name="import_families"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path(
        "imports/<int:pk>/errors.xlsx", import_views.import_error_report, name="import_error_report"
    ),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("<int:pk>/move/", move_views.move_request, name="move_request"),
    path("<int:pk>/needs/", assessment_views.household_needs, name="household_needs"),
    path("<int:pk>/assessments/", assessment_views.assessment_list, name="assessment_list"),
    path("<int:pk>/assessments/new/", assessment_views.assessment_create, name="assessment_create"),
    path("<int:pk>/pmks/", assessment_views.pmks_record, name="pmks_record"),
    path(
        "<int:pk>/pmks/<int:classification_pk>/end/",
        assessment_views.pmks_end,
        name="pmks_end",
    ),
    path("<int:pk>/location/", views.household_location, name="household_location"),
    path("<int:pk>/enrolments/", views.enrolment_create, name="enrolment_create"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/status/",
        views.enrolment_status,
        name="enrolment_status",
    ),
]
