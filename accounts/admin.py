from __future__ import annotations

import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from .models import ApiToken, BrowserSession, Profile
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


# DRF's own token admin would show an empty list: its tokens become ApiTokens as they are made.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(TokenProxy)
