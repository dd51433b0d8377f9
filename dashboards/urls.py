from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("districts/", views.district, name="district_city"),
    path("districts/<str:code>/", views.district, name="district"),
    path("panel/", views.panel, name="panel"),
    path("export/", views.export, name="export"),
    path("referrals/", views.referrals, name="referrals"),
    path("usulan/", views.usulan, name="usulan"),
    path("programs/", views.programs, name="programs_city"),
    path("programs/<str:code>/", views.programs, name="programs"),
    path("plans/", views.plans, name="plans_city"),
    path("plans/<str:code>/", views.plans, name="plans"),
    path("planning/", views.planning, name="planning_city"),
    path("planning/costs/", views.unit_costs_edit, name="unit_costs_edit"),
    path("planning/<str:code>/", views.planning, name="planning"),
]
