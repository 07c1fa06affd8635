from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.urls import password_urlpatterns
from missions import views as mission_views

from . import health
from .auth import LoginView, admin_login
from .mcp import views as mcp_views

# Every app's admin module, registered with the URLs that serve them (the settings install
# the admin without autodiscovery, so that jobs which need no URL start without them).
admin.autodiscover()

urlpatterns = [
    path("", mission_views.start, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *password_urlpatterns,
    path("accounts/security/", include("accounts.security_urls")),
    # Single sign-on with an organisation's OpenID Connect provider (docs/integrations.md).
    path("accounts/sso/", include("accounts.sso.urls")),
    path("", include("accounts.urls")),
    # Before the admin's own URLs: its log-in page is rate-limited like ours.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("o/<slug:org>/", include("missions.urls")),
    path("o/<slug:org>/", include("measures.urls")),
    path("o/<slug:org>/", include("reviews.urls")),
    path("o/<slug:org>/", include("reviews.dashboard_urls")),
    path("o/<slug:org>/", include("leadership.urls")),
    path("o/<slug:org>/", include("accounts.scim.page_urls")),
    # A person's calendar feed, read by calendar apps with no session (the token is the key).
    path("calendar/", include("reviews.calendar_urls")),
    path("o/<slug:org>/", include("accounts.sso.page_urls")),
    path("api/v1/", include("missionlead.api_urls")),
    # SCIM 2.0 provisioning: an organisation's identity provider, with its bearer token.
    path("scim/v2/", include("accounts.scim.urls")),
    # The MCP server for an organisation's own AI assistant: API token only (docs/mcp.md).
    path("mcp/", mcp_views.endpoint, name="mcp"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL of its own: no inline script, so the
    # page works under the Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    # Liveness; ``?deep=1`` checks the database, the broker and the cache one by one.
    path("healthz", health.healthz, name="healthz"),
]
handler404 = "missionlead.api.not_found"
