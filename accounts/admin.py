from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from .models import (
    ApiToken,
    BrowserSession,
    OrganisationSSO,
    Profile,
    ScimGroup,
    ScimToken,
    ScimUser,
)
from .scim.tokens import scim_token_revoke
from .tokens import api_token_revoke, browser_session_end


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "digest", "updated_at"]
    list_filter = ["digest"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made through the API (their key is shown once, to their owner): here they
    are only looked at and revoked."""

    list_display = ["name", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["name", "user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ("user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at=None):
            api_token_revoke(token=token)
        self.message_user(request, "The selected tokens are revoked.")


@admin.register(BrowserSession)
class BrowserSessionAdmin(admin.ModelAdmin):
    """Where people are signed in (sessions that ended may still be listed); ending one logs
    that browser out."""

    list_display = ["user", "created_at", "ip_address", "user_agent"]
    search_fields = ["user__username", "user__email", "ip_address"]
    list_select_related = ["user"]
    readonly_fields = ("user", "created_at", "ip_address", "user_agent")
    fields = readonly_fields
    actions = ["end"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="End the selected sessions")
    def end(self, request: HttpRequest, queryset: QuerySet[BrowserSession]) -> None:
        for session in queryset:
            browser_session_end(session=session)
        self.message_user(request, "The selected sessions are ended.")


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """An organisation's SCIM tokens are made by its admins on its People pages (the key is
    shown once, to them): here they are only looked at and revoked."""

    list_display = [
        "name",
        "organisation",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "organisation"]
    search_fields = ["name", "organisation__name", "organisation__slug"]
    list_select_related = ["organisation", "created_by"]
    readonly_fields = (
        "organisation",
        "name",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ScimToken]) -> None:
        user = request.user if request.user.is_authenticated else None
        for token in queryset.filter(revoked_at=None).select_related("organisation"):
            scim_token_revoke(token=token, by=user)
        self.message_user(request, "The selected tokens are revoked.")


@admin.register(ScimUser)
class ScimUserAdmin(admin.ModelAdmin):
    """The external ids an identity provider knows members by; written through SCIM."""

    list_display = ["user", "organisation", "external_id", "updated_at"]
    list_filter = ["organisation"]
    search_fields = ["user__username", "user__email", "external_id"]
    list_select_related = ["user", "organisation"]
    readonly_fields = ("organisation", "user", "external_id", "created_at", "updated_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ScimGroup)
class ScimGroupAdmin(admin.ModelAdmin):
    """The external ids an identity provider knows teams by; written through SCIM."""

    list_display = ["team", "organisation", "external_id", "updated_at"]
    list_filter = ["organisation"]
    search_fields = ["team__name", "external_id"]
    list_select_related = ["team", "organisation"]
    readonly_fields = ("organisation", "team", "external_id", "created_at", "updated_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# DRF's own token admin would show an empty list: its tokens become ApiTokens as they are made.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(TokenProxy)


@admin.register(OrganisationSSO)
class OrganisationSSOAdmin(admin.ModelAdmin):
    """Each organisation's OpenID Connect provider; its admins set it on the People pages. The
    client secret is not shown here either."""

    list_display = ["organisation", "issuer", "client_id", "require_sso", "enabled", "updated_at"]
    list_filter = ["require_sso", "enabled"]
    search_fields = ["organisation__name", "issuer", "client_id"]
    list_select_related = ["organisation"]
    readonly_fields = ("created_at", "updated_at")
    exclude = ("client_secret",)
    raw_id_fields = ["organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # set by the organisation's admins, who type the client secret

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "issuer":
            kwargs["assume_scheme"] = "https"  # an issuer is an https address
        return super().formfield_for_dbfield(db_field, request, **kwargs)
