from django.urls import path

from national import views

app_name = "national"

urlpatterns = [
    path("extracts/", views.extract_list, name="extract_list"),
    path("extracts/<int:pk>/errors/", views.extract_error_report, name="extract_error_report"),
    path("cases/", views.case_queue, name="case_queue"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
]
