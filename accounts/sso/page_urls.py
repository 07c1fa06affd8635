"""The admins' page for single sign-on (``sso-settings:…``), under ``/o/<org>/``."""

from django.urls import path

from . import pages

app_name = "sso-settings"

urlpatterns = [
    path("people/sso/", pages.sso_settings, name="edit"),
]
