"""Signing in with one's organisation (``sso:…``), under ``/accounts/sso/``."""

from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("", views.find, name="find"),
    path("callback/", views.callback, name="callback"),
    path("<slug:org>/", views.start, name="start"),
]
