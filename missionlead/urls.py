from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from missions import views as mission_views

urlpatterns = [
    path("", mission_views.start, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("o/<slug:org>/", include("missions.urls")),
    path("o/<slug:org>/", include("measures.urls")),
    path("o/<slug:org>/", include("reviews.urls")),
    path("o/<slug:org>/", include("reviews.dashboard_urls")),
    path("api/v1/", include("missionlead.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", mission_views.healthz, name="healthz"),
]
