"""The security page and its buttons (``security:overview``…), under ``/accounts/security/``."""

from django.urls import path

from . import security_views

app_name = "security"

urlpatterns = [
    path("", security_views.overview, name="overview"),
    path("tokens/<int:pk>/revoke/", security_views.token_revoke, name="token-revoke"),
    path("sessions/<int:pk>/end/", security_views.session_end, name="session-end"),
]
