from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import dashboards.api  # noqa: F401  (registers its viewsets on the router)
import eligibility.api  # noqa: F401  (registers its viewsets on the router)
import households.api  # noqa: F401  (registers its viewsets on the router)
import referrals.api  # noqa: F401  (registers its viewsets on the router)
from households import views as household_views
from slrt.api import router
from slrt.health import healthz

urlpatterns = [
    path("", household_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("households/", include("households.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("referrals/", include("referrals.urls")),
    path("notifications/", include("referrals.notification_urls")),
    path("dashboards/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

admin.site.site_header = "SLRT Kota Bekasi"
admin.site.site_title = "SLRT"
