from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("api-token/", views.api_token, name="api_token"),
    path("api-token/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
