from django.urls import path

from national import usulan_views, views

app_name = "national"

urlpatterns = [
    path("extracts/", views.extract_list, name="extract_list"),
    path("extracts/<int:pk>/errors/", views.extract_error_report, name="extract_error_report"),
    path("cases/", views.case_queue, name="case_queue"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    # verification visits and usulan (issue 22, second half)
    path("cases/<int:pk>/visit/", usulan_views.visit_schedule, name="visit_schedule"),
    path("visits/", usulan_views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", usulan_views.visit_detail, name="visit_detail"),
    path("usulan/kelurahan/", usulan_views.kelurahan_batch_list, name="kelurahan_batch_list"),
    path(
        "usulan/kelurahan/<int:pk>/",
        usulan_views.kelurahan_batch_detail,
        name="kelurahan_batch_detail",
    ),
    path(
        "usulan/kelurahan/<int:pk>/berita-acara.pdf",
        usulan_views.kelurahan_batch_minutes,
        name="kelurahan_batch_minutes",
    ),
    path("usulan/", usulan_views.usulan_batch_list, name="usulan_batch_list"),
    path("usulan/<int:pk>/", usulan_views.usulan_batch_detail, name="usulan_batch_detail"),
    path("usulan/<int:pk>/export/", usulan_views.usulan_batch_export, name="usulan_batch_export"),
    path(
        "households/<int:pk>/status/",
        usulan_views.household_status,
        name="household_status",
    ),
    path("usulan/item/<int:pk>/decide/", usulan_views.usulan_decide, name="usulan_decide"),
]
