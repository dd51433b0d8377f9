from django.urls import path

from households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_create, name="household_create"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("<int:pk>/location/", views.household_location, name="household_location"),
    path("<int:pk>/enrolments/", views.enrolment_create, name="enrolment_create"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/status/",
        views.enrolment_status,
        name="enrolment_status",
    ),
]
