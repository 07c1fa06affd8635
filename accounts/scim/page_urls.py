"""The admins' page for SCIM tokens (``provisioning:…``), under ``/o/<org>/``."""

from django.urls import path

from . import pages

app_name = "provisioning"

urlpatterns = [
    path("people/provisioning/", pages.provisioning, name="tokens"),
    path(
        "people/provisioning/<int:pk>/revoke/",
        pages.provisioning_token_revoke,
        name="token-revoke",
    ),
]
