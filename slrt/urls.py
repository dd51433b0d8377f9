from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import dashboards.api  # noqa: F401  (registers its viewsets on the router)
import eligibility.api  # noqa: F401  (registers its viewsets on the router)
import households.api  # noqa: F401  (registers its viewsets on the router)
import households.assessment_api  # noqa: F401  (registers its viewsets on the router)
import referrals.api  # noqa: F401  (registers its viewsets on the router)
import referrals.plan_api  # noqa: F401  (registers its viewsets on the router)
from dashboards import views as dashboard_views
from slrt.api import router
from slrt.health import healthz

# Swagger UI under the Content-Security-Policy: the split view loads its start-up script from
# /api/docs/?script instead of inline, so script-src stays 'self'. drf-spectacular's page still
# has a small inline <style> (box-sizing, background): only this page allows inline styles.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("households/", include("households.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("referrals/", include("referrals.urls")),
    path("notifications/", include("referrals.notification_urls")),
    path("national/", include("national.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

handler404 = "slrt.api.not_found"

admin.site.site_header = "SLRT Kota Bekasi"
admin.site.site_title = "SLRT"
