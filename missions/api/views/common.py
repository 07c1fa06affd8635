"""What every viewset of the missions API shares: who may call it."""

from __future__ import annotations

from rest_framework import permissions

from kernel.api.permissions import ActorPermission

API_PERMISSIONS = [permissions.IsAuthenticated, ActorPermission]
